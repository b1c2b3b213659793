import { CodedError } from '../protocol/coded-error.js';

export const GATEWAY_ERROR_CODES = {
  config: 'A setting is missing or invalid; the message names the environment variable.',
  already_running: 'node-media-server keeps its state in module globals: one gateway per process.',
  listen_failed: 'A listener (RTMP or HTTP) could not bind its port.',
} as const;
export type GatewayErrorCode = keyof typeof GATEWAY_ERROR_CODES;

export class GatewayError extends CodedError<GatewayErrorCode> {
  override readonly name = 'GatewayError';
}
