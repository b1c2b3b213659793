/**
 * The engine before issue 12, kept verbatim for comparison in `npm run eval:kb`:
 * minisearch BM25+ over lightly stemmed words (CJK bigrams), fuzzy distance 1, and a
 * "share of the question's terms matched" confidence with threshold 0.5.
 */
import MiniSearch from 'minisearch';
import type { KbInput } from '../kb-retriever.js';

export const BASELINE_MIN_CONFIDENCE = 0.5;

const LATIN_STOP = new Set([
  // English
  'a', 'an', 'the', 'is', 'are', 'was', 'were', 'be', 'been', 'being', 'am', 'do', 'does', 'did',
  'have', 'has', 'had', 'i', 'you', 'he', 'she', 'it', 'we', 'they', 'me', 'my', 'your', 'our',
  'their', 'its', 'this', 'that', 'these', 'those', 'what', 'which', 'to', 'of', 'in', 'on', 'at',
  'by', 'for', 'with', 'from', 'about', 'as', 'into', 'than', 'then', 'so', 'and', 'or', 'but',
  'if', 'there', 'here', 'please', 'tell', 'can', 'could', 'would', 'should', 'will', 'shall',
  'may', 'might', 'must', 'any', 'some', 'just', 'also', 'too', 'very', 'us', 'him', 'her', 'them',
  'hi', 'hello', 'hey', 's', 't', 're', 'll', 've', 'd', 'm',
  // French
  'le', 'la', 'les', 'un', 'une', 'des', 'de', 'du', 'et', 'est', 'en', 'que', 'qui', 'quoi', 'ce',
  'cet', 'cette', 'ces', 'il', 'elle', 'je', 'tu', 'nous', 'vous', 'ils', 'elles', 'au', 'aux',
  'pour', 'par', 'sur', 'dans', 'avec', 'ne', 'pas', 'l', 'j', 'c', 'qu', 'n', 'y', 'ou',
  // German
  'der', 'die', 'das', 'ein', 'eine', 'einer', 'eines', 'einem', 'einen', 'dem', 'den', 'des', 'und',
  'ist', 'sind', 'war', 'ich', 'du', 'er', 'sie', 'es', 'wir', 'ihr', 'zu', 'von', 'mit', 'im',
  'auf', 'fur', 'an', 'bei', 'auch', 'was',
]);

/** Cut points inside CJK runs, longest first so 为什么 wins over 什么. */
const CJK_STOP = [
  '什么时候', '是不是', '有没有', '能不能', '为什么', '怎么样',
  '什么', '怎么', '怎样', '哪里', '哪儿', '哪个', '哪些', '多少', '几点', '时候', '请问', '可以',
  '我们', '你们', '他们', '她们', '一下', '一个', '知道', '告诉',
  '吗', '呢', '吧', '啊', '呀', '嘛', '的', '了', '是', '我', '你', '他', '她', '它', '这', '那',
  '和', '与', '也', '都', '就', '还', '很', '在', '着', '过', '么', '请', '要', '会', '能', '有', '几',
];
const CJK_STOP_MAX = Math.max(...CJK_STOP.map((w) => w.length));
const CJK_STOP_SET = new Set(CJK_STOP);

const RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+|[\p{L}\p{N}]+/gu;
const CJK = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

function tokenize(text: string): string[] {
  const out: string[] = [];
  const normalized = text.normalize('NFKC').toLowerCase();
  for (const match of normalized.matchAll(RUN)) {
    const run = match[0];
    if (CJK.test(run)) cjkTerms(run, out);
    else {
      const word = stem(run.normalize('NFD').replace(/\p{M}+/gu, ''));
      if (word && !LATIN_STOP.has(word)) out.push(word);
    }
  }
  return out;
}

/** Light, language-agnostic suffix stripping; the same on both sides, so it need not be exact. */
function stem(word: string): string {
  if (LATIN_STOP.has(word) || word.length <= 3 || /\d/u.test(word)) return word;
  if (word.endsWith('ies') && word.length > 4) return `${word.slice(0, -3)}y`;
  if (word.endsWith('sses')) return word.slice(0, -2);
  if (word.endsWith('ing') && word.length > 5) return word.slice(0, -3);
  if (word.endsWith('ed') && word.length > 4) return word.slice(0, -2);
  if (word.endsWith('s') && !/(ss|us|is)$/u.test(word)) return word.slice(0, -1);
  return word;
}

function cjkTerms(run: string, out: string[]): void {
  const chars = [...run];
  let piece: string[] = [];
  const emit = (): void => {
    if (piece.length === 1) out.push(piece[0]!);
    for (let i = 0; i + 1 < piece.length; i++) out.push(piece[i]! + piece[i + 1]!);
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


/** One retrieved knowledge-base item. */
interface KbHit {
  kind: 'qa' | 'fact';
  /** The Q&A question, or null for a fact. */
  question: string | null;
  /** What to say: the Q&A answer, or the fact itself. */
  answer: string;
  /** BM25+ score (minisearch); only comparable within one query. */
  score: number;
  /**
   * Share of the question's terms that this item matched, 0..1. Unlike the score it
   * does not grow with the size of the knowledge base, so one threshold fits all rooms.
   */
  confidence: number;
}

interface Doc {
  id: number;
  kind: 'qa' | 'fact';
  question: string;
  answer: string;
}

const identity = (term: string): string => term;

/** A BM25+ index over one room's Q&A pairs (question weighted higher) and facts. */
export class Bm25Baseline {
  private readonly search: MiniSearch<Doc>;
  private readonly docs: Doc[];

  constructor(kb: KbInput) {
    this.docs = [
      ...kb.qa.map((e, i): Doc => ({ id: i, kind: 'qa', question: e.question, answer: e.answer })),
      ...kb.facts.map((f, i): Doc => ({ id: kb.qa.length + i, kind: 'fact', question: '', answer: f })),
    ];
    this.search = new MiniSearch<Doc>({
      fields: ['question', 'answer'],
      tokenize,
      processTerm: identity,
      searchOptions: {
        boost: { question: 3 },
        combineWith: 'OR',
        // A typo in a longer Latin word still matches (edit distance 1); CJK bigrams never fuzz.
        fuzzy: (term) => (term.length >= 5 && /^[a-z]/u.test(term) ? 1 : false),
      },
    });
    this.search.addAll(this.docs);
  }

  get size(): number {
    return this.docs.length;
  }

  /** The best matches for a question, best first. */
  query(question: string, limit = 3): KbHit[] {
    const terms = new Set(tokenize(question));
    if (terms.size === 0 || this.docs.length === 0) return [];
    return this.search.search(question).slice(0, limit).map((r) => {
      const doc = this.docs[r.id as number]!;
      const matched = new Set(r.queryTerms.filter((t) => terms.has(t)));
      return {
        kind: doc.kind,
        question: doc.kind === 'qa' ? doc.question : null,
        answer: doc.answer,
        score: r.score,
        confidence: matched.size / terms.size,
      };
    });
  }
}

