import snowball from 'snowball-stemmers';
import { CJK_STOPWORDS, LATIN_STOPWORDS } from './stopwords.js';

/**
 * One word of a text as the engine sees it: `term` is what the lexical side matches (a
 * stem without diacritics, or a Chinese bigram), `surface` the lowercased word the
 * semantic side looks up (null for Chinese, which has no word vectors here).
 */
export interface Token {
  term: string;
  surface: string | null;
}

export type StemLanguage = 'english' | 'french' | 'german';

/**
 * The room's language picks the Snowball stemmer (Porter2 for English). Chinese rooms
 * stem their Latin words (brand names, "iPhone") as English.
 */
export function stemLanguage(language: string): StemLanguage {
  const base = language.slice(0, 2).toLowerCase();
  return base === 'fr' ? 'french' : base === 'de' ? 'german' : 'english';
}

const stemmers = new Map<StemLanguage, (word: string) => string>();
function stemmerFor(language: StemLanguage): (word: string) => string {
  let stem = stemmers.get(language);
  if (!stem) {
    const s = snowball.newStemmer(language);
    stemmers.set(language, (stem = (word) => s.stem(word)));
  }
  return stem;
}

const HAN = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}';
// A CJK run, or a Latin/number word that may hold inner dots ("2.4", "802.11ax",
// "example.com"), hyphens ("Wi-Fi") or apostrophes are cut later.
// Letters of other scripts; \p{L} alone would swallow Chinese into a Latin run ("iPhone能用").
const WORD = `(?:(?![${HAN}])[\\p{L}\\p{N}])`;
const RUN = new RegExp(`[${HAN}]+|${WORD}+(?:[.\\-]${WORD}+)*`, 'gu');
const CJK = new RegExp(`^[${HAN}]`, 'u');
const DECIMAL = /^\p{N}+(?:\.\p{N}+)+\p{L}*$/u;
// "wifi6" → wifi 6, "5ghz" → 5 ghz, "wpa2" → wpa 2: viewers write them joined, KBs apart.
const LETTER_DIGIT = /(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})/u;

const CJK_STOP_MAX = Math.max(...CJK_STOPWORDS.map((w) => w.length));
const CJK_STOP_SET = new Set(CJK_STOPWORDS);

const stripMarks = (s: string): string => s.normalize('NFD').replace(/\p{M}+/gu, '');

/**
 * Tokens of a text: NFKC, lowercase, function words dropped, Latin words stemmed for
 * the room's language and stripped of diacritics ("Café" = "cafe", "hôtels" = "hotel").
 * Runs of Chinese characters are cut at function and question words and become
 * overlapping character bigrams (Lucene's CJKAnalyzer) plus the characters themselves.
 */
export function tokenize(text: string, language: StemLanguage = 'english'): Token[] {
  const stem = stemmerFor(language);
  const out: Token[] = [];
  const normalized = text.normalize('NFKC').toLowerCase();
  for (const match of normalized.matchAll(RUN)) {
    const run = match[0];
    if (CJK.test(run)) {
      cjkTerms(run, out);
      continue;
    }
    for (const word of latinWords(run)) {
      const plain = stripMarks(word);
      if (LATIN_STOPWORDS.has(plain)) continue;
      const term = /\p{N}/u.test(word) ? plain : stripMarks(stem(word));
      if (term && !LATIN_STOPWORDS.has(term)) out.push({ term, surface: word });
    }
  }
  return out;
}

/** Splits a run into words: "wi-fi" → wifi, "interest-free" → interest free, "example.com" → example com. */
function latinWords(run: string): string[] {
  if (DECIMAL.test(run)) return [run];
  const words: string[] = [];
  for (const dotted of run.split('.')) {
    const parts = dotted.split('-').filter(Boolean);
    // Short parts are one word written apart (wi-fi, e-bike, usb-c); long ones are two words.
    const joined = parts.length > 1 && parts.some((p) => p.length <= 2) && !parts.some((p) => /^\p{N}+$/u.test(p));
    for (const part of joined ? [parts.join('')] : parts) {
      for (const piece of part.split(LETTER_DIGIT)) if (piece) words.push(piece);
    }
  }
  return words;
}

function cjkTerms(run: string, out: Token[]): void {
  const chars = [...run];
  let piece: string[] = [];
  // Bigrams and unigrams both: a bigram is precise (退货 "return goods"), a unigram
  // finds the same word in another compound (退 in 能退吗 "can I return it").
  const emit = (): void => {
    for (let i = 0; i < piece.length; i++) {
      out.push({ term: piece[i]!, surface: null });
      if (i + 1 < piece.length) out.push({ term: piece[i]! + piece[i + 1]!, surface: null });
    }
    piece = [];
  };
  for (let i = 0; i < chars.length;) {
    let stop = 0;
    for (let len = Math.min(CJK_STOP_MAX, chars.length - i); len >= 1; len--) {
      if (CJK_STOP_SET.has(chars.slice(i, i + len).join(''))) {
        stop = len;
        break;
      }
    }
    if (stop) {
      emit();
      i += stop;
    } else {
      piece.push(chars[i]!);
      i++;
    }
  }
  emit();
}
