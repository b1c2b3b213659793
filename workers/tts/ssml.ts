import type { Prosody } from '../../protocol/index.js';
import { resolveProsody, SPEED_MAP } from './voice-catalog.js';

/** XML text escaping: nothing in a line can open, close or inject an SSML element. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/**
 * The SSML sent to Polly. Neural voices reject `<prosody pitch>` (Polly "Supported SSML
 * tags": pitch is not supported by NTTS), so pitch is only sent to standard voices.
 */
export function pollySsml(text: string, prosody: Prosody | undefined, engine: 'neural' | 'standard'): string {
  const p = resolveProsody(prosody);
  const attrs = [`rate="${SPEED_MAP[p.speed].pollyRatePct}%"`];
  if (engine === 'standard') attrs.push(`pitch="${p.pitch >= 0 ? '+' : ''}${p.pitch}%"`);
  attrs.push(`volume="${p.volumeDb >= 0 ? '+' : ''}${p.volumeDb}dB"`);
  return `<speak><prosody ${attrs.join(' ')}>${escapeXml(text)}</prosody></speak>`;
}
