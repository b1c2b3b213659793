/**
 * Text that crosses into the system from people (viewer names and questions, room names,
 * operator lines) or from an LLM is made safe here, in one place, before anyone sees or
 * hears it. Two levels:
 *
 * - `sanitizeText`: what may be shown. No control, format or private-use characters (bidi
 *   overrides such as U+202E, zero-width spaces, BOMs, soft hyphens, escape sequences), HTML
 *   entities decoded exactly once — whatever still looks like an entity after that was
 *   double-encoded and is dropped, so `&amp;amp;` is never read out as "amp" — and single
 *   spaces.
 * - `spokenText`: what a voice will say. The shown text without markup (tags, comments),
 *   emoji and unassigned code points, and with every voice engine's own inline syntax
 *   neutralized, so a blocklist run on it sees exactly what will be heard.
 *
 * Both are pure and browser-safe, and idempotent: running either twice changes nothing.
 */

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', hellip: '…', mdash: '—', ndash: '–',
  lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', laquo: '«', raquo: '»', euro: '€', pound: '£', yen: '¥',
  cent: '¢', copy: '©', reg: '®', trade: '™', deg: '°', times: '×', divide: '÷', middot: '·', bull: '•',
  shy: '\u00ad', szlig: 'ß', aelig: 'æ', AElig: 'Æ', oelig: 'œ', OElig: 'Œ', ccedil: 'ç', Ccedil: 'Ç',
  ...accentedLetters(),
};

/** The Latin-1 accented letters French and German text uses (`&eacute;`, `&Uuml;`, …). */
function accentedLetters(): Record<string, string> {
  const marks: Record<string, string> = { grave: '\u0300', acute: '\u0301', circ: '\u0302', uml: '\u0308', tilde: '\u0303' };
  const out: Record<string, string> = {};
  for (const base of 'aeiouyAEIOUYnN') {
    for (const [name, mark] of Object.entries(marks)) {
      const composed = (base + mark).normalize('NFC');
      if (composed.length === 1) out[`${base}${name}`] = composed;
    }
  }
  return out;
}

const ENTITY = /&(#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});/g;
const LINE_BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]/g;
// Control, format (bidi embeddings/overrides/isolates, zero-width, BOM, soft hyphen),
// private-use and lone surrogate code points; `\n` stays only where a line break was kept.
const INVISIBLE = /(?!\n)[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/gu;

const COMMENT_OR_CDATA = /<!--[\s\S]*?(?:-->|$)|<!\[CDATA\[[\s\S]*?(?:\]\]>|$)/g;
// A tag starts with a letter, `/`, `?` or `!` right after `<`, so "1 < 2 and 3 > 2" is kept.
const TAG = /<[/?!]?[A-Za-z][^<>]*(?:>|$)/g;
// Emoji and pictographs, plus what binds them: skin tones, variation selectors, keycaps, flags, tags.
const PICTOGRAPHS = /[\p{Extended_Pictographic}\u{1F3FB}-\u{1F3FF}\u{1F1E6}-\u{1F1FF}\u{E0020}-\u{E007F}]|[\u{FE00}-\u{FE0F}]|\u{20E3}/gu;
// Code points this runtime's Unicode does not know: no voice has a reading for them.
const UNASSIGNED = /\p{Cn}/gu;
/**
 * espeak-ng reads `[[…]]` as phoneme mnemonics, always (no option turns it off), so
 * `[[s'i:kr@t]]` is heard as "secret"; an unclosed `[[` makes the rest of the line
 * phonemes. A closed span is dropped (phoneme strings read as letters are noise) and any
 * other run of brackets is reduced to one. Its other inline syntax (SSML with -m, embedded
 * commands after U+0001) is tags and control characters, removed above. flite is run
 * without -ssml and Polly gets escaped SSML, so neither has markup left to read.
 */
function dropPhonemeSpans(text: string): string {
  // A scan, not a lazy regex: `/\[\[[\s\S]*?\]\]/` retries from every unclosed `[[` to the
  // end of the text, quadratic on a hostile line; one indexOf per span is linear.
  let out = '';
  let i = 0;
  for (;;) {
    const open = text.indexOf('[[', i);
    if (open < 0) break;
    const close = text.indexOf(']]', open + 2);
    if (close < 0) break; // no span closes after here: the bracket runs are reduced below
    out += `${text.slice(i, open)} `;
    i = close + 2;
  }
  return out + text.slice(i);
}
const BRACKET_RUN = /\[{2,}|\]{2,}/g;

/**
 * Longest input worked on, in UTF-16 units: every field that reaches here is capped well
 * below it by its schema; a longer value is cut first so no step can be slow on it.
 */
export const MAX_HYGIENE_INPUT = 64 * 1024;

function decodeOnce(text: string): string {
  return text.replace(ENTITY, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ' ';
    }
    return NAMED_ENTITIES[body] ?? NAMED_ENTITIES[body.toLowerCase()] ?? whole;
  });
}

export interface SanitizeOptions {
  /** Keep line breaks (as `\n`; blank-line runs kept to one) for multi-line fields such as a persona. */
  multiline?: boolean;
}

/** Text fit to show anywhere: see the module comment. Never throws; may return ''. */
export function sanitizeText(raw: string, opts: SanitizeOptions = {}): string {
  const newline = opts.multiline ? '\n' : ' ';
  // Line breaks first, so words on either side of one stay apart once controls are dropped.
  const tidy = (t: string) => t.normalize('NFC').replace(/\r\n/g, '\n').replace(LINE_BREAKS, (c) => (c === '\t' ? ' ' : newline)).replace(INVISIBLE, '');
  // Invisible characters go before decoding as well as after, so what comes out holds no
  // entity left to decode (`&am\u200Bp;` is decoded here, not by whoever reads it next).
  let text = tidy(typeof raw === 'string' ? raw.slice(0, MAX_HYGIENE_INPUT) : '');
  // Decoded exactly once; what still looks like an entity was encoded twice and is dropped.
  text = tidy(decodeOnce(text).replace(ENTITY, ' '));
  return text.split('\n').map((line) => line.replace(/\s+/gu, ' ').trim()).join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

/** What a voice will say for `raw`: see the module comment. Never throws; may return ''. */
export function spokenText(raw: string): string {
  let text = sanitizeText(raw);
  text = text.replace(COMMENT_OR_CDATA, ' ').replace(TAG, ' ');
  text = text.replace(PICTOGRAPHS, ' ').replace(UNASSIGNED, ' ');
  text = dropPhonemeSpans(text).replace(BRACKET_RUN, (run) => run[0]!);
  return text.replace(/\s+/gu, ' ').trim();
}

/**
 * The first piece of markup in `raw` that `spokenText` would drop rather than read — a tag
 * (SSML's `<break/>`, HTML), a comment, an espeak-ng phoneme span or bracket run — or null.
 * The output check refuses such a line instead of airing what is left of it.
 */
export function markupIn(raw: string): string | null {
  const text = sanitizeText(raw);
  // Every phoneme span opens with a bracket run, which is found in one pass.
  for (const pattern of [COMMENT_OR_CDATA, TAG, BRACKET_RUN]) {
    pattern.lastIndex = 0;
    const found = pattern.exec(text);
    pattern.lastIndex = 0;
    if (found) return found[0];
  }
  return null;
}
