import { fileURLToPath } from 'node:url';
import { BridgeError } from '../errors.js';

/**
 * What a segment or command may point at: http(s) anywhere, file:// only on one machine.
 * Anything else (ffmpeg's concat:, pipe:, subfile: …) would let a message read arbitrary
 * local data, so it is refused before any tool sees it.
 */
export function mediaInput(url: string, allowFile = true): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new BridgeError('unsupported_url', 'not a URL');
  }
  if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return parsed.toString();
  if (parsed.protocol === 'file:' && allowFile) return fileURLToPath(parsed);
  throw new BridgeError('unsupported_url', `scheme ${parsed.protocol} is not fetched`);
}
