import type { ErrorCode } from '../../protocol/index.js';

/** An error with a protocol error code, so REST and WebSocket report it the same way. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(readonly code: ErrorCode, message: string, readonly statusCode = STATUS[code] ?? 400) {
    super(message);
  }
}

const STATUS: Partial<Record<ErrorCode, number>> = {
  unauthorized: 401, forbidden: 403, not_found: 404, conflict: 409, rate_limited: 429,
  too_large: 413, unavailable: 503, internal: 500, no_render_host: 409, host_timeout: 504,
};
