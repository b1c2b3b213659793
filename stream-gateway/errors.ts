export const GATEWAY_ERROR_CODES = {
  config: 'A setting is missing or invalid; the message names the environment variable.',
  already_running: 'node-media-server keeps its state in module globals: one gateway per process.',
  listen_failed: 'A listener (RTMP or HTTP) could not bind its port.',
} as const;
export type GatewayErrorCode = keyof typeof GATEWAY_ERROR_CODES;

export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  constructor(readonly code: GatewayErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
