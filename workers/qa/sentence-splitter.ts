/**
 * Incremental sentence splitter for streamed LLM text. Each sentence is handed to a
 * voice the moment it is known to be complete, so the first line is on air while the
 * model is still writing the next one.
 *
 * Contract: `push` returns only sentences that are followed by more text (a boundary
 * is confirmed by the first non-space character after it: "Dr." needs the next word,
 * "3." the next digit). Whatever is left belongs to `flush`, so the caller knows that
 * the last sentence `flush` returns is the last one of the answer.
 */
export interface SentenceSplitterOptions {
  /**
   * A sentence longer than this (characters) is cut at a comma or a space so the voice
   * can start early instead of waiting for a run-on sentence to end.
   */
  maxChars?: number;
  /**
   * End a sentence at its terminator without waiting for the next character when the end
   * is plain ("dollars." "Really?" "好。"), so a streamed first line reaches the voice one
   * token sooner. `push` may then return the answer's last sentence; the caller learns
   * that the stream ended from the stream, not from `flush`.
   */
  eager?: boolean;
}

const DEFAULTS = { maxChars: 200, eager: false } satisfies Required<SentenceSplitterOptions>;

const LATIN_TERMINATORS = '.!?';
const CJK_TERMINATORS = '。！？；…｡';
/** Closing quotes and brackets that belong to the sentence they close. */
const CLOSERS = '"\'”’»)]}」』】）》〉';
/** Where a run-on sentence may be cut: Latin ones only when a space follows (not "1,000"). */
const LATIN_SOFT = ',;:';
const CJK_SOFT = '，、；：';

/** Never a sentence end: a title before a name, or a Latin abbreviation mid-sentence. */
const NEVER_END = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'jr', 'st', 'mt', 'rev', 'gen', 'col', 'lt', 'capt', 'sgt',
  'vs', 'e.g', 'i.e', 'cf', 'u.s', 'u.k', 'u.n', 'mme', 'mlle', 'hr', 'fr',
]);
/** An end only when a capitalised word follows ("etc. Then" ends, "etc. and" does not). */
const SOFT_END = new Set([
  'etc', 'inc', 'ltd', 'co', 'corp', 'approx', 'dept', 'est', 'fig', 'no', 'vol', 'a.m', 'p.m',
  'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec', 'bzw', 'usw', 'z.b',
]);

const SPEAKABLE = /[\p{L}\p{N}]/u;
const isSpace = (ch: string | undefined): boolean => ch !== undefined && /\s/u.test(ch);
const isCjk = (ch: string | undefined): boolean =>
  ch !== undefined && /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u.test(ch);
const isUpper = (ch: string | undefined): boolean => ch !== undefined && /\p{Lu}/u.test(ch);
const isLower = (ch: string | undefined): boolean => ch !== undefined && /\p{Ll}/u.test(ch);

type Scan = { kind: 'end'; end: number } | { kind: 'pending' } | { kind: 'none' };

export class SentenceSplitter {
  private readonly maxChars: number;
  /** May be switched off mid-stream (after the first sentence, say). */
  eager: boolean;
  private buf = '';

  constructor(options: SentenceSplitterOptions = {}) {
    const opts = { ...DEFAULTS, ...options };
    if (!Number.isInteger(opts.maxChars) || opts.maxChars < 20) {
      throw new RangeError(`SentenceSplitter: maxChars must be an integer >= 20, got ${opts.maxChars}`);
    }
    this.maxChars = opts.maxChars;
    this.eager = opts.eager;
  }

  /**
   * Adds streamed text; returns the sentences it completed. Never the last one, and
   * never one without a letter or digit (symbols join the next sentence).
   */
  push(text: string): string[] {
    this.buf += text;
    return this.drain(false);
  }

  /** The stream ended: returns the remaining sentences; the last one ends the answer. */
  flush(): string[] {
    const out = this.drain(true);
    const rest = this.buf.trim();
    this.buf = '';
    // Trailing symbols with nothing to say ("🙂") are dropped: a voice cannot speak them.
    if (SPEAKABLE.test(rest)) out.push(rest);
    return out;
  }

  private drain(final: boolean): string[] {
    const out: string[] = [];
    for (;;) {
      this.buf = this.buf.replace(/^\s+/u, '');
      const scan = this.scan(final);
      if (scan.kind === 'end') {
        this.take(scan.end, out);
        continue;
      }
      if (scan.kind === 'none' && this.buf.trimEnd().length > this.maxChars) {
        const cut = this.cutPoint();
        if (cut > 0 && SPEAKABLE.test(this.buf.slice(0, cut)) && (final || SPEAKABLE.test(this.buf.slice(cut)))) {
          this.take(cut, out);
          continue;
        }
      }
      return out;
    }
  }

  private take(end: number, out: string[]): void {
    const sentence = this.buf.slice(0, end).trim();
    this.buf = this.buf.slice(end);
    if (sentence) out.push(sentence);
  }

  /** Finds the first confirmed sentence end in the buffer. */
  private scan(final: boolean): Scan {
    const buf = this.buf;
    for (let i = 0; i < buf.length; i++) {
      const ch = buf[i]!;
      if (ch === '\n') {
        if (!SPEAKABLE.test(buf.slice(0, i))) continue;
        if (!SPEAKABLE.test(buf.slice(i))) return final ? { kind: 'end', end: buf.length } : { kind: 'pending' };
        return { kind: 'end', end: i };
      }
      const latin = LATIN_TERMINATORS.includes(ch);
      if (!latin && !CJK_TERMINATORS.includes(ch)) continue;

      // The whole run of terminators ("?!", "...", "。」") plus closing quotes.
      let j = i;
      while (j < buf.length && (LATIN_TERMINATORS.includes(buf[j]!) || CJK_TERMINATORS.includes(buf[j]!))) j++;
      const run = buf.slice(i, j);
      while (j < buf.length && CLOSERS.includes(buf[j]!)) j++;
      if (j >= buf.length) return final || (this.eager && this.plainEnd(i, run)) ? { kind: 'end', end: j } : { kind: 'pending' };

      const cjkRun = [...run].some((c) => CJK_TERMINATORS.includes(c) && c !== '…');
      // Latin punctuation ends a sentence only before a space ("3.14", "x.com/a?b" do not).
      if (!cjkRun && !isSpace(buf[j]) && !isCjk(buf[j])) {
        i = j - 1;
        continue;
      }
      // A line with nothing to say ("🙂.") joins the next one instead of becoming a segment.
      if (!SPEAKABLE.test(buf.slice(0, i))) {
        i = j - 1;
        continue;
      }
      // Confirmed only once something speakable follows, so the last sentence is always
      // left for flush (an answer ending in "Bye. 🙂" still ends on a final sentence).
      if (!SPEAKABLE.test(buf.slice(j))) return final ? { kind: 'end', end: j } : { kind: 'pending' };
      const next = buf[this.nextVisible(j)];

      if (this.endsHere(i, run, next)) return { kind: 'end', end: j };
      i = j - 1;
    }
    return { kind: 'none' };
  }

  /** Decides whether the terminator run at `i` ends the sentence, given the next visible character. */
  private endsHere(i: number, run: string, next: string | undefined): boolean {
    if (/[!?！？。；｡]/u.test(run)) return true;
    const ellipsis = run.includes('…') || run.length > 1;
    // "Well... maybe" continues; "Wait... What?" and "好吧……我们" start anew.
    if (ellipsis) return !isLower(next) && next !== ',';
    const word = this.wordBefore(i);
    const lower = word.toLowerCase();
    if (NEVER_END.has(lower)) return false;
    if (SOFT_END.has(lower)) return isUpper(next);
    // Initials ("J. K. Rowling"), but not the pronoun "I".
    if (/^\p{Lu}$/u.test(word) && word !== 'I') return false;
    // Dotted acronyms not listed above ("a.s.a.p. and").
    if (/^(\p{L}\.)+\p{L}$/u.test(word)) return isUpper(next);
    // An enumerator at the start of a line ("1. First").
    if (/^\d+$/u.test(word) && this.buf.slice(0, i - word.length).trim() === '') return false;
    return true;
  }

  /**
   * Whether a terminator run at the very end of the buffer ends a sentence whatever comes
   * next: "!", "?" or CJK stops, or one "." after a plain word (letters only, not a title,
   * an abbreviation or an initial). Anything that could be "3." of "3.50", "Dr." or "..."
   * still waits for the next character.
   */
  private plainEnd(i: number, run: string): boolean {
    if (!SPEAKABLE.test(this.buf.slice(0, i))) return false;
    if (/^[!?！？。；｡]+$/u.test(run)) return true;
    if (run !== '.') return false;
    const word = this.wordBefore(i);
    const lower = word.toLowerCase();
    return /^\p{L}{2,}$/u.test(word) && !NEVER_END.has(lower) && !SOFT_END.has(lower);
  }

  /** The word right before position `i`, without opening quotes or brackets. */
  private wordBefore(i: number): string {
    let s = i;
    while (s > 0 && !isSpace(this.buf[s - 1])) s--;
    return this.buf.slice(s, i).replace(/^[("'“‘«[{¿¡]+/u, '');
  }

  private nextVisible(from: number): number {
    for (let k = from; k < this.buf.length; k++) if (!isSpace(this.buf[k])) return k;
    return -1;
  }

  /** Where to cut a run-on sentence: last soft punctuation, else last space, else the cap. */
  private cutPoint(): number {
    const buf = this.buf;
    const limit = Math.min(this.maxChars, buf.length);
    const floor = Math.floor(this.maxChars * 0.3);
    for (let i = limit - 1; i >= floor; i--) {
      const ch = buf[i]!;
      if (CJK_SOFT.includes(ch)) return i + 1;
      if (LATIN_SOFT.includes(ch) && isSpace(buf[i + 1])) return i + 1;
    }
    for (let i = limit; i >= floor; i--) if (isSpace(buf[i])) return i;
    let cut = limit;
    // Never split a surrogate pair.
    const code = buf.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut--;
    return cut;
  }
}

/** Splits a complete text (a KB answer, a fallback line) into sentences. */
export function splitSentences(text: string, options?: SentenceSplitterOptions): string[] {
  const splitter = new SentenceSplitter(options);
  return [...splitter.push(text), ...splitter.flush()];
}
