import { sanitizeText, type ViewerTextVerdict } from '../protocol/index.js';
import { findLinks } from './links.js';

/**
 * Moderation of what viewers type — questions and chat messages — before the newsroom
 * groups, shows or answers it.
 *
 * Call `moderateViewerText(text, QUESTION_TEXT)` (or `CHAT_TEXT`, or a room's own limits) for
 * every message. It returns `{ ok: true, text }` with the text to use from then on
 * (sanitized: no invisible characters or entities; runs of repeated characters collapsed:
 * "soooooo gooooood!!!!!!!" → "soo good!", "hahahahaha" → "haha"), or `{ ok: false, reason,
 * detail }` with a reason code to count per room:
 *
 * | reason | when |
 * |---|---|
 * | `repeated` | the message is mostly one thing over and over ("aaaaaaaaaaaa", "lololololol") |
 * | `too_short` | fewer than `minChars` letters, digits or emoji once collapsed |
 * | `too_long` | longer than `maxChars` once collapsed |
 * | `links` | a URL, domain or e-mail address (unless `allowLinks`; then 3 or more), or 3+ @handles |
 * | `caps` | shouting: 12+ cased letters, 70 %+ of them capitals |
 * | `emoji` | more emoji than words: 3+ emoji outnumbering the letters and digits, or 9+ in all |
 *
 * Not here: the room's blocklist (`blocklistMatch` in protocol/), per-viewer rates and bans.
 *
 * Cost: a few passes over the text, each linear, with no regular expression that can
 * backtrack (the server runs this on its event loop for every chat message). A text longer
 * than `4 × maxChars` (at least 2,048) is refused as too long before any of it is read, so
 * with the default limits no message costs more than ~2 KB of work. Measured with
 * `npx tsx moderation/bench.ts` on the 2-vCPU development VM: 14 µs of CPU per message of a
 * chat mix (2.3× `sanitizeText` alone; ~70,000 messages a second on one core), and 0.3–3 ms
 * of CPU for 10 KB of hostile text with the limits raised so every step runs (emoji and
 * mixed scripts are the dearest); the cost per character is the same at 1 KB and 10 KB.
 */
export interface ViewerTextLimits {
  /** Fewest letters, digits or emoji a message must keep after collapsing repeats. */
  minChars: number;
  /** Most characters after collapsing repeats. */
  maxChars: number;
  /** Whether messages may carry links (still at most two). */
  allowLinks?: boolean;
}

export const QUESTION_TEXT: Readonly<ViewerTextLimits> = Object.freeze({ minChars: 3, maxChars: 500 });
export const CHAT_TEXT: Readonly<ViewerTextLimits> = Object.freeze({ minChars: 1, maxChars: 500 });

const CAPS_MIN_LETTERS = 12;
const CAPS_SHARE = 0.7;
const EMOJI_MAX = 8;
const EMOJI_MIN_SPAM = 3;
const HANDLES_MAX = 2;
const LINKS_MAX_ALLOWED = 2;

const LETTER = /\p{L}/u;
const EMOJI = /\p{Extended_Pictographic}/u;
const DIGIT = /\p{Nd}/u;

type Kind = 'letter' | 'digit' | 'emoji' | 'space' | 'other';
function kindOf(ch: string): Kind {
  const c = ch.codePointAt(0)!;
  if (c < 128) {
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) return 'letter';
    if (c >= 48 && c <= 57) return 'digit';
    return c === 32 || c === 10 ? 'space' : 'other';
  }
  if (LETTER.test(ch)) return 'letter';
  if (DIGIT.test(ch)) return 'digit';
  if (EMOJI.test(ch)) return 'emoji';
  return /\s/u.test(ch) ? 'space' : 'other';
}

/** Runs of one character: letters kept twice, "..." kept, other symbols and emoji once; digits never touched. */
function collapseRuns(chars: string[]): string[] {
  const out: string[] = [];
  let run = 0;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    run = i > 0 && chars[i - 1] === ch ? run + 1 : 1;
    const kind = kindOf(ch);
    const keep = kind === 'digit' ? Infinity : kind === 'letter' ? 2 : kind === 'space' ? 1 : ch === '.' ? 3 : 1;
    if (run <= keep) out.push(ch);
  }
  return out;
}

/**
 * A unit of 2–4 characters repeated three times or more ("hahaha", "?!?!?!", "lolol") is
 * kept twice. For each unit length p, one pass: `same` counts how long s[j] has equalled
 * s[j − p]; a stretch of `same` ≥ 2p holds the unit at least three times.
 */
function collapseUnits(chars: string[]): string[] {
  let s = chars;
  for (let p = 2; p <= 4; p++) {
    if (s.length < 3 * p) continue;
    const drop = new Uint8Array(s.length);
    let same = 0;
    let any = false;
    const close = (endExclusive: number): void => {
      if (same < 2 * p) return;
      const start = endExclusive - same - p;
      const unit = s.slice(start, start + p);
      // Digits are numbers, not repeats; a unit that is one character repeated was handled already.
      if (unit.some((c) => kindOf(c) === 'digit' || kindOf(c) === 'space') || unit.every((c) => c === unit[0])) return;
      for (let j = start + 2 * p; j < endExclusive; j++) drop[j] = 1;
      any = true;
    };
    for (let j = p; j < s.length; j++) {
      if (s[j] === s[j - p]) same++;
      else {
        close(j);
        same = 0;
      }
    }
    close(s.length);
    if (any) s = s.filter((_, j) => drop[j] === 0);
  }
  return s;
}

/** The same word three or more times in a row is kept twice ("buy buy buy buy" → "buy buy"). */
function collapseWords(text: string): string {
  const words = text.split(' ');
  const out: string[] = [];
  let run = 0;
  let previous = '';
  for (const word of words) {
    const lower = word.toLowerCase();
    run = lower === previous ? run + 1 : 1;
    previous = lower;
    if (run <= 2) out.push(word);
  }
  return out.join(' ');
}

interface Counts { letters: number; upper: number; cased: number; digits: number; emoji: number; distinct: number }

function count(chars: readonly string[]): Counts {
  const c: Counts = { letters: 0, upper: 0, cased: 0, digits: 0, emoji: 0, distinct: 0 };
  const seen = new Set<string>();
  for (const ch of chars) {
    const kind = kindOf(ch);
    if (kind === 'letter') {
      c.letters++;
      const code = ch.charCodeAt(0);
      if (code < 128) {
        c.cased++;
        if (code <= 90) c.upper++;
      } else {
        const upper = ch.toUpperCase();
        if (ch.toLowerCase() !== upper) {
          c.cased++;
          if (ch === upper) c.upper++;
        }
      }
      if (seen.size <= 8) seen.add(ch.toLowerCase());
    } else if (kind === 'digit') {
      c.digits++;
      if (seen.size <= 8) seen.add(ch);
    } else if (kind === 'emoji') c.emoji++;
  }
  c.distinct = seen.size;
  return c;
}

/** See the module comment. Never throws. */
export function moderateViewerText(raw: string, limits: ViewerTextLimits = QUESTION_TEXT): ViewerTextVerdict {
  const { minChars, maxChars } = limits;
  if (typeof raw !== 'string') return { ok: false, reason: 'too_short', detail: 'no text' };
  const hardCap = Math.max(4 * maxChars, 2048);
  if (raw.length > hardCap) return { ok: false, reason: 'too_long', detail: `${raw.length} chars, at most ${maxChars}` };

  const clean = sanitizeText(raw);
  const before = Array.from(clean);
  const chars = collapseUnits(collapseRuns(before));
  const text = collapseWords(chars.join(''));
  const after = count(chars);
  const meaningful = after.letters + after.digits + after.emoji;

  const original = count(before);
  const originalMeaningful = original.letters + original.digits + original.emoji;
  // Mostly one thing over and over: more than half of it went in collapsing, and what is
  // left is a handful of distinct characters ("aa", "haha", "lolo").
  if (originalMeaningful >= 8 && meaningful * 2 < originalMeaningful && after.distinct <= 3) {
    return { ok: false, reason: 'repeated', detail: `${originalMeaningful} characters that say "${text.slice(0, 20)}"` };
  }
  if (meaningful < minChars || text.length === 0) {
    return { ok: false, reason: 'too_short', detail: `${meaningful} letters, digits or emoji, at least ${minChars}` };
  }
  if (text.length > maxChars) return { ok: false, reason: 'too_long', detail: `${text.length} chars, at most ${maxChars}` };

  // On the text before collapsing: "https://" must keep both slashes.
  const links = findLinks(clean, 10);
  const handles = links.filter((l) => l.kind === 'handle').length;
  const addresses = links.length - handles;
  if (addresses > (limits.allowLinks ? LINKS_MAX_ALLOWED : 0)) {
    return { ok: false, reason: 'links', detail: `${addresses === 1 ? 'a link' : `${addresses} links`}: ${links.find((l) => l.kind !== 'handle')!.text}` };
  }
  if (handles > HANDLES_MAX) return { ok: false, reason: 'links', detail: `${handles} @handles` };
  if (after.cased >= CAPS_MIN_LETTERS && after.upper >= CAPS_SHARE * after.cased) {
    return { ok: false, reason: 'caps', detail: `${after.upper} of ${after.cased} letters are capitals` };
  }
  if (after.emoji > EMOJI_MAX || (after.emoji >= EMOJI_MIN_SPAM && after.emoji > after.letters + after.digits)) {
    return { ok: false, reason: 'emoji', detail: `${after.emoji} emoji, ${after.letters + after.digits} letters and digits` };
  }
  return { ok: true, text };
}
