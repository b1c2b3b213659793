import type { ErrorCode } from '../../protocol/index.js';
import { isRedisOutage } from '../../protocol/redis-outage.js';

/** An error with a protocol error code, so REST and WebSocket report it the same way. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(readonly code: ErrorCode, message: string, readonly statusCode = STATUS[code] ?? 400) {
    super(message);
  }
}

const STATUS: Partial<Record<ErrorCode, number>> = {
  unauthorized: 401, forbidden: 403, not_found: 404, conflict: 409, rate_limited: 429,
  too_large: 413, unsupported_media_type: 415, method_not_allowed: 405,
  unavailable: 503, internal: 500, no_render_host: 409, host_timeout: 504,
};

/**
 * What a client is told about an error, REST and WebSocket alike: a ProtocolError as it is;
 * Redis being unreachable as `unavailable` (retry later); null for the server's own faults,
 * which the caller reports as `internal` and logs.
 */
export function clientError(err: unknown): ProtocolError | null {
  if (err instanceof ProtocolError) return err;
  if (isRedisOutage(err)) return new ProtocolError('unavailable', 'the server cannot reach its store right now; retry shortly');
  return null;
}
