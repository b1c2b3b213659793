import { spokenText } from '../../protocol/text-hygiene.js';
import { EmptyTextError } from './errors.js';

/**
 * Longest line handed to a voice. A spoken sentence rarely exceeds a few hundred
 * characters; 1,000 keeps one segment under about a minute of audio and keeps a pasted
 * essay from tying up a worker.
 */
export const DEFAULT_MAX_CHARS = 1000;

export interface CleanTextOptions {
  maxChars?: number;
}

const SPEAKABLE = /[\p{L}\p{N}]/u;
const SENTENCE_END = /[.!?。！？…;；]/u;

/**
 * Turns whatever arrived (LLM output, an operator's paste, a viewer's question) into
 * plain text a voice can read — `spokenText` from protocol/, the same text the output
 * check and the question blocklist judge: no markup or engine syntax, no invisible
 * characters, no emoji, single spaces, mixed scripts kept — at most `maxChars` long, cut
 * at a sentence or word boundary. Throws EmptyTextError when nothing speakable is left.
 */
export function cleanText(raw: string, opts: CleanTextOptions = {}): string {
  const maxChars = opts.maxChars ?? DEFAULT_MAX_CHARS;
  // Work on a bounded prefix: a 20,000-char paste cannot make the steps below slow (a
  // surrogate pair cut in half at the end is dropped as a lone surrogate).
  const text = spokenText(typeof raw === 'string' ? raw.slice(0, maxChars * 8) : '');
  if (!SPEAKABLE.test(text)) throw new EmptyTextError();
  return capLength(text, maxChars);
}

function capLength(text: string, maxChars: number): string {
  const chars = Array.from(text);
  if (chars.length <= maxChars) return text;
  const head = chars.slice(0, maxChars);
  // Prefer ending on a sentence unless that throws away more than half the allowance.
  for (let i = head.length - 1; i >= maxChars / 2; i--) {
    if (SENTENCE_END.test(head[i] ?? '')) return head.slice(0, i + 1).join('').trim();
  }
  for (let i = head.length; i >= maxChars / 2; i--) {
    if (chars[i] === ' ') return head.slice(0, i).join('').trim();
  }
  // No boundary (e.g. unspaced CJK): a code-point cut never splits a character.
  return head.join('').trim();
}
