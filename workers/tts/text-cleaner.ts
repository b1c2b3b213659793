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

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ',
};

// Entities are decoded before tags are stripped, so `&lt;break/&gt;` cannot survive as a tag.
const ENTITY = /&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,6});/gi;
const COMMENT_OR_CDATA = /<!--[\s\S]*?(?:-->|$)|<!\[CDATA\[[\s\S]*?(?:\]\]>|$)/g;
// A tag starts with a letter, `/`, `?` or `!` right after `<`, so "1 < 2 and 3 > 2" is kept.
const TAG = /<[/?!]?[A-Za-z][^<>]*(?:>|$)/g;
// Emoji and pictographs, plus what binds them: skin tones, variation selectors, ZWJ, keycaps, flags, tags.
const PICTOGRAPHS = /[\p{Extended_Pictographic}\u{1F3FB}-\u{1F3FF}\u{1F1E6}-\u{1F1FF}\u{E0020}-\u{E007F}]|[\u{FE00}-\u{FE0F}]|\u{200D}|\u{20E3}/gu;
// Control, format (zero-width, bidi overrides), private-use, surrogate and unassigned code points.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Cn}]/gu;
const SPEAKABLE = /[\p{L}\p{N}]/u;
const SENTENCE_END = /[.!?。！？…;；]/u;

function decodeEntities(text: string): string {
  return text.replace(ENTITY, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ' ';
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? whole;
  });
}

/**
 * Turns whatever arrived (LLM output, an operator's paste, a viewer's question) into
 * plain text a voice can read: no markup, no invisible characters, no emoji, single
 * spaces, mixed scripts kept, at most `maxChars` long, cut at a sentence or word
 * boundary. Throws EmptyTextError when nothing speakable is left.
 */
export function cleanText(raw: string, opts: CleanTextOptions = {}): string {
  const maxChars = opts.maxChars ?? DEFAULT_MAX_CHARS;
  let text = typeof raw === 'string' ? raw : '';
  // Work on a bounded prefix: a 20,000-char paste cannot make the regexes below slow.
  text = Array.from(text.slice(0, maxChars * 8)).join('');
  text = text.normalize('NFC');
  text = text.replace(/[\t\n\r\f\v\u2028\u2029]/g, ' ');
  text = text.replace(COMMENT_OR_CDATA, ' ');
  text = decodeEntities(text);
  text = text.replace(COMMENT_OR_CDATA, ' ').replace(TAG, ' ');
  text = text.replace(PICTOGRAPHS, '').replace(INVISIBLE, '');
  text = text.replace(/\s+/gu, ' ').trim();
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
