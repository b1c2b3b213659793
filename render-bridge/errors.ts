import { CodedError } from '../protocol/coded-error.js';

/** Errors the render bridge raises, each with a stable code for logs and acks. */
export const BRIDGE_ERROR_CODES = {
  config: 'A configuration variable is missing or invalid.',
  audio_decode: 'A segment\'s audio could not be fetched or decoded.',
  image_fetch: 'A panel image could not be fetched or decoded.',
  unsupported_url: 'A URL uses a scheme the bridge does not fetch.',
  encoder: 'The encoder process failed.',
  room_unknown: 'The room is not placed on this host.',
} as const;
export type BridgeErrorCode = keyof typeof BRIDGE_ERROR_CODES;

export class BridgeError extends CodedError<BridgeErrorCode> {
  override name = 'BridgeError';
}

export class ConfigError extends BridgeError {
  constructor(readonly variable: string, message: string) {
    super('config', `${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}
