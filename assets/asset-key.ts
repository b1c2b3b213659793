import { createHash } from 'node:crypto';
import type { Prosody, VoiceId } from '../protocol/index.js';

/** A content address plus a type suffix: 64 lowercase hex digits, a dot, a known extension. */
export const ASSET_KEY_PATTERN = /^[a-f0-9]{64}\.(wav|json)$/;

export const ASSET_CONTENT_TYPES = { wav: 'audio/wav', json: 'application/json' } as const;

/**
 * Bumped whenever synthesis output changes for the same input (timeline algorithm,
 * audio format), so old cached assets are not reused for new behaviour.
 */
// 2: the lead-in silence moves to the line's end (workers/tts/lead-in.ts).
export const SYNTHESIS_VERSION = 2;

export class InvalidAssetKeyError extends Error {
  readonly code = 'invalid_asset_key';
  constructor(key: string) {
    // The key is echoed only in a bounded, printable form: it may be hostile.
    super(`invalid asset key ${JSON.stringify(String(key).slice(0, 80))}`);
    this.name = 'InvalidAssetKeyError';
  }
}

export function assertAssetKey(key: string): void {
  if (typeof key !== 'string' || !ASSET_KEY_PATTERN.test(key)) throw new InvalidAssetKeyError(key);
}

/**
 * The content address of one spoken line: sha256 over everything that changes the audio,
 * in a fixed order and shape, so the same line with the same voice is synthesized once.
 * Prosody should be resolved (defaults filled) so `{}` and `{speed:'medium'}` agree.
 */
export function assetKeyFor(provider: string, voice: VoiceId, prosody: Prosody, text: string): string {
  const canonical = JSON.stringify([
    SYNTHESIS_VERSION,
    provider,
    voice,
    prosody.speed ?? 'medium',
    prosody.pitch ?? 0,
    prosody.volumeDb ?? 0,
    text,
  ]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}
