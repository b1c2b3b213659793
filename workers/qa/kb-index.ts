import MiniSearch from 'minisearch';
import type { KnowledgeBase } from '../../protocol/index.js';
import { tokenize } from './kb-tokenizer.js';

/** One retrieved knowledge-base item. */
export interface KbHit {
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
export class KbIndex {
  private readonly search: MiniSearch<Doc>;
  private readonly docs: Doc[];

  constructor(kb: KnowledgeBase) {
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

/**
 * Indexes by knowledge-base object. The KB store hands out the same object for as long
 * as the room's JSON is unchanged, so an edit builds a new index and an unchanged KB
 * is indexed once, however many questions arrive.
 */
export class KbIndexCache {
  private readonly indexes = new WeakMap<KnowledgeBase, KbIndex>();

  get(kb: KnowledgeBase): KbIndex {
    let index = this.indexes.get(kb);
    if (!index) this.indexes.set(kb, (index = new KbIndex(kb)));
    return index;
  }
}
