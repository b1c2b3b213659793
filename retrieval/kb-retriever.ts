import { Analyzer, RELATED_FACTOR, type PreparedText } from './analyzer.js';
import { Lexicon } from './lexicon.js';
import { groupTerm } from './synonyms.js';
import {
  answerConfidence, LEXICAL_MODEL, matchFeatures, matchProbability, matchTarget, SEMANTIC_MODEL, termFields,
  type ConfidenceModel, type MatchFeatures, type MatchTarget,
} from './scoring.js';
import { FRAME_WEIGHT, FRAME_WORDS } from './stopwords.js';
import type { WordVectors } from './word-vectors.js';
import type { WordRelations } from './wordnet.js';

/** A knowledge base as the retriever reads it (the shape of protocol's KnowledgeBase). */
export interface KbInput {
  qa: ReadonlyArray<{ question: string; answer: string }>;
  facts: readonly string[];
  synonyms?: ReadonlyArray<readonly string[]>;
}

export interface RetrievalHit {
  kind: 'qa' | 'fact';
  /** Position in `qa` or in `facts`. */
  index: number;
  question: string | null;
  answer: string;
  /**
   * Calibrated probability that this entry is the answer to the question: its match and
   * its lead over the best other entry (a near tie between two entries is a doubt).
   */
  confidence: number;
  /** Probability that the question asks what this entry's question asks (the pair model alone). */
  match: number;
  features: MatchFeatures;
}

export type Fusion = 'confidence' | 'rrf';

export interface KbRetrieverOptions {
  language: string;
  /** Word vectors; default per language (English vectors for English rooms). null: none. */
  vectors?: WordVectors | null;
  /** Word relations; default per language (WordNet for English rooms). null: none. */
  relations?: WordRelations | null;
  model?: ConfidenceModel;
  /**
   * How the lexical and semantic rankings become one: `confidence` (default) ranks the
   * union of both lists' heads by the calibrated model; `rrf` by reciprocal rank fusion.
   */
  fusion?: Fusion;
}

interface Entry {
  kind: 'qa' | 'fact';
  index: number;
  question: string | null;
  answer: string;
  target: MatchTarget;
}

const K1 = 1.2;
const B = 0.75;
/** Candidates taken from the head of each ranking before the model scores them. */
const HEAD = 8;
/** Reciprocal rank fusion's constant (Cormack et al., 2009). */
const RRF_K = 60;
/** Question words weigh double in BM25: an entry is found by what it answers. */
const QUESTION_BOOST = 2;

/**
 * Hybrid retrieval over one room's knowledge base: BM25 over stems (with synonym
 * groups, typo and stem variants) and cosine over SIF sentence vectors each rank the
 * entries; the heads of both lists are scored by the calibrated match model.
 */
export class KbRetriever {
  readonly analyzer: Analyzer;
  readonly lexicon: Lexicon;
  readonly model: ConfidenceModel;
  readonly fusion: Fusion;
  private readonly entries: Entry[];
  private readonly postings: Map<string, Postings>;
  private readonly lengths: Float64Array;
  private readonly averageLength: number;
  /** Unit vectors of the entries' questions (or facts), a row per entry; zero rows where none. */
  private readonly primaryVectors: Float32Array | null;

  /** Indexes at once, in one piece (see `build` for a large KB on a shared event loop). */
  constructor(kb: KbInput, options: KbRetrieverOptions, parts: IndexParts = runToEnd(indexSteps(kb, options))) {
    this.analyzer = parts.analyzer;
    this.lexicon = parts.lexicon;
    this.model = options.model ?? (this.analyzer.vectors ? SEMANTIC_MODEL : LEXICAL_MODEL);
    this.fusion = options.fusion ?? 'confidence';
    this.entries = parts.entries;
    this.postings = parts.postings;
    this.lengths = parts.lengths;
    this.averageLength = parts.averageLength;
    this.primaryVectors = parts.primaryVectors;
  }

  /**
   * Indexes in slices of about `sliceMs`, letting the event loop turn between them: a
   * 5,000-entry KB takes seconds of CPU, and in one piece it stopped everything else the
   * process does (other rooms' answers and voices) for as long. Same result as `new`.
   */
  static async build(kb: KbInput, options: KbRetrieverOptions, sliceMs = 10): Promise<KbRetriever> {
    const steps = indexSteps(kb, options);
    let sliceStart = performance.now();
    for (;;) {
      const step = steps.next();
      if (step.done) return new KbRetriever(kb, options, step.value);
      if (performance.now() - sliceStart >= sliceMs) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
    }
  }

  get size(): number {
    return this.entries.length;
  }

  /** The question made ready for this knowledge base (typos resolved against its words). */
  prepare(question: string): PreparedText {
    return this.analyzer.prepare(question, this.lexicon);
  }

  /** The best entries for a question, best first, each with its calibrated confidence. */
  search(question: string, limit = 3): RetrievalHit[] {
    const query = this.prepare(question);
    if (query.concepts.length === 0 || this.entries.length === 0) return [];
    const lexical = this.lexicalRanking(query, HEAD);
    const semantic = this.semanticRanking(query, HEAD);
    const fused = new Map<number, number>();
    lexical.forEach((doc, rank) => fused.set(doc, (fused.get(doc) ?? 0) + 1 / (RRF_K + rank + 1)));
    semantic.forEach((doc, rank) => fused.set(doc, (fused.get(doc) ?? 0) + 1 / (RRF_K + rank + 1)));
    const queryFields = termFields(query);
    const scored = [...fused].map(([doc, rrf]) => {
      const e = this.entries[doc]!;
      const features = matchFeatures(query, e.target, this.lexicon, this.analyzer.vectors, queryFields);
      return { e, features, match: matchProbability(features, this.model), rrf };
    });
    scored.sort(this.fusion === 'rrf' ? (x, y) => y.rrf - x.rrf : (x, y) => y.match - x.match);
    const bestOther = (i: number): number => scored.reduce((m, s, k) => (k !== i && s.match > m ? s.match : m), 0);
    return scored.slice(0, limit).map(({ e, features, match }, i): RetrievalHit => ({
      kind: e.kind, index: e.index, question: e.question, answer: e.answer,
      confidence: answerConfidence(match, bestOther(i)), match, features,
    }));
  }

  /** Entry positions by BM25 alone (over this engine's terms), best first. */
  lexicalRanking(query: PreparedText, limit: number): number[] {
    const n = this.entries.length;
    const scores = new Float64Array(n);
    const best = new Float64Array(n);
    const touched: number[] = [];
    for (const concept of query.concepts) {
      const alternatives: Array<{ term: string; factor: number }> = concept.group ? [{ term: concept.group, factor: 1 }] : [];
      concept.terms.forEach((term, k) => {
        alternatives.push({ term, factor: 1 }, ...this.lexicon.alternatives(term, !concept.common[k]));
        for (const r of concept.related[k] ?? []) alternatives.push({ term: r, factor: RELATED_FACTOR });
      });
      for (const { term, factor } of alternatives) {
        const list = this.postings.get(term);
        if (!list) continue;
        const idf = this.lexicon.idf(term) * factor * (FRAME_WORDS.has(term) ? FRAME_WEIGHT : 1);
        for (const { doc, tf } of list) {
          const s = idf * (tf * (K1 + 1)) / (tf + K1 * (1 - B + B * this.lengths[doc]! / this.averageLength));
          if (best[doc] === 0) touched.push(doc);
          if (s > best[doc]!) best[doc] = s;
        }
      }
      // One concept counts once per entry: its best alternative.
      for (const doc of touched) {
        scores[doc]! += best[doc]!;
        best[doc] = 0;
      }
      touched.length = 0;
    }
    return top(scores, limit);
  }

  /**
   * Entry positions by sentence-vector cosine with the entry's question (or fact), best
   * first. Answers are left to the match model: scanning them too doubles the cost on a
   * 5,000-entry knowledge base for no measured gain in the ranking.
   */
  semanticRanking(query: PreparedText, limit: number): number[] {
    const v = query.vector;
    const vectors = this.primaryVectors;
    if (!v || !vectors) return [];
    const dims = v.length;
    const scores = new Float64Array(this.entries.length);
    const unrolled = dims - (dims % 4);
    for (let doc = 0, base = 0; doc < scores.length; doc++, base += dims) {
      // Four running sums: independent additions the CPU overlaps (~25 % faster here).
      let p0 = 0;
      let p1 = 0;
      let p2 = 0;
      let p3 = 0;
      let d = 0;
      for (; d < unrolled; d += 4) {
        p0 += v[d]! * vectors[base + d]!;
        p1 += v[d + 1]! * vectors[base + d + 1]!;
        p2 += v[d + 2]! * vectors[base + d + 2]!;
        p3 += v[d + 3]! * vectors[base + d + 3]!;
      }
      for (; d < dims; d++) p0 += v[d]! * vectors[base + d]!;
      scores[doc] = p0 + p1 + p2 + p3;
    }
    return top(scores, limit);
  }
}

type Postings = Array<{ doc: number; tf: number }>;

/** What indexing a knowledge base makes; the retriever is these and its options. */
interface IndexParts {
  analyzer: Analyzer;
  lexicon: Lexicon;
  entries: Entry[];
  postings: Map<string, Postings>;
  lengths: Float64Array;
  averageLength: number;
  primaryVectors: Float32Array | null;
}

function runToEnd<T>(steps: Generator<void, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Indexing, one entry per step: `new KbRetriever` runs it through, `build` pauses between slices. */
function* indexSteps(kb: KbInput, options: KbRetrieverOptions): Generator<void, IndexParts> {
  const a = new Analyzer({ language: options.language, synonyms: kb.synonyms, vectors: options.vectors, relations: options.relations });
  const lexicon = yield* lexiconSteps(a, kb);
  const entries: Entry[] = [];
  for (const [index, e] of kb.qa.entries()) {
    entries.push({ kind: 'qa', index, question: e.question, answer: e.answer, target: matchTarget(a.prepare(e.question), a.prepare(e.answer)) });
    yield;
  }
  for (const [index, f] of kb.facts.entries()) {
    entries.push({ kind: 'fact', index, question: null, answer: f, target: matchTarget(a.prepare(f), null, true) });
    yield;
  }

  const postings = new Map<string, Postings>();
  const lengths = new Float64Array(entries.length);
  entries.forEach((entry, doc) => {
    const tf = new Map<string, number>();
    for (const t of entry.target.primary.terms) tf.set(t, (tf.get(t) ?? 0) + QUESTION_BOOST);
    for (const t of entry.target.secondary?.terms ?? []) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const [term, n] of tf) {
      let list = postings.get(term);
      if (!list) postings.set(term, (list = []));
      list.push({ doc, tf: n });
      lengths[doc]! += n;
    }
  });
  const averageLength = lengths.reduce((s, x) => s + x, 0) / Math.max(1, entries.length);

  const dims = a.vectors?.dimensions ?? 0;
  const primaryVectors = dims ? new Float32Array(entries.length * dims) : null;
  entries.forEach((e, doc) => {
    if (e.target.primary.vector) primaryVectors!.set(e.target.primary.vector, doc * dims);
  });
  return { analyzer: a, lexicon, entries, postings, lengths, averageLength, primaryVectors };
}

/**
 * A knowledge base's vocabulary: one document per entry (its question and answer, or
 * the fact), synonym group terms included. Cheap (tokens only): the similarity service
 * builds it for a room without indexing the entries.
 */
export function kbLexicon(analyzer: Analyzer, kb: KbInput): Lexicon {
  return runToEnd(lexiconSteps(analyzer, kb));
}

function* lexiconSteps(analyzer: Analyzer, kb: KbInput): Generator<void, Lexicon> {
  const lexicon = new Lexicon({ compounds: analyzer.stemmer === 'german' });
  const documents = [...kb.qa.map((e) => [e.question, e.answer]), ...kb.facts.map((f) => [f])];
  for (const texts of documents) {
    const tokens = texts.flatMap((t) => analyzer.tokens(t));
    const groups = texts.flatMap((t) => analyzer.synonyms.find(analyzer.tokens(t)).map((span) => groupTerm(span.group)));
    lexicon.add([...tokens.map((t) => t.term), ...groups], tokens.map((t): [string, string | null] => [t.term, t.surface]));
    yield;
  }
  return lexicon;
}

/** Positions of the `limit` highest positive scores, highest first. */
function top(scores: Float64Array, limit: number): number[] {
  const docs: number[] = [];
  for (let doc = 0; doc < scores.length; doc++) {
    const s = scores[doc]!;
    if (s <= 0 || (docs.length === limit && s <= scores[docs[limit - 1]!]!)) continue;
    let at = docs.length === limit ? limit - 1 : docs.length;
    while (at > 0 && scores[docs[at - 1]!]! < s) {
      docs[at] = docs[at - 1]!;
      at--;
    }
    docs[at] = doc;
    if (docs.length > limit) docs.length = limit;
  }
  return docs;
}
