import { Analyzer, type PreparedText } from './analyzer.js';
import models from './confidence-models.json' with { type: 'json' };
import { kbLexicon, type KbInput } from './kb-retriever.js';
import { matchProbability, matchTarget, PAIR_MODELS, pairFeatures, type ConfidenceModel, type MatchFeatures, type MatchTarget } from './scoring.js';
import type { SentenceEncoder } from './sentence-encoder.js';

/**
 * Question similarity for grouping viewer questions by meaning (the newsroom), with the
 * scoring the knowledge-base answers use: the same analyzer (stems per language, synonym
 * groups, typo and stem tolerance, WordNet relations, word vectors) and the same match
 * features (scoring.ts), taken both ways; a logistic model of its own turns them into a
 * probability, fitted on viewer-question / KB-question pairs (retrieval/eval/calibrate.ts).
 *
 * Build one per room and keep it: `createSimilarity` loads the language's resources
 * (once per process: ~0.1–0.2 s, after the first start on a machine has cached them) and
 * counts the room's KB vocabulary (tokens only). Rebuild it when the room's knowledge
 * base or synonyms change, e.g. keyed by the KB JSON's hash as the qa worker's KbStore does.
 *
 *   const sim = createSimilarity({ language: room.language, kb });   // kb.synonyms included
 *   sim.similar('is there a warranty?', 'how long is the guarantee')   // 0..1, symmetric
 *   const hit = sim.nearest(question, waiting.map((g) => g.text));      // { index, score } | null
 *   if (hit) join(waiting[hit.index]); else openGroup(question);
 *
 * With `encoder` (English rooms; retrieval/sentence-encoder.ts) the sentence encoder's
 * cosine joins the features, with a pair model and threshold of their own. Its vectors
 * come asynchronously: use `similarAsync` / `nearestAsync`, or `await embed(texts)` before
 * the synchronous calls, which throw for a text not embedded (never a score from another
 * model, so a score means one thing).
 *
 * `threshold` (default DEFAULT_SIMILARITY_THRESHOLD, or SENTENCE_SIMILARITY_THRESHOLD
 * with an encoder) is where two questions count as one.
 * Each text is prepared once and kept (LRU, `cacheSize`), so a repeated candidate costs
 * only its comparison: `nearest` over 200 waiting questions takes ~0.5 ms of CPU
 * (`npm run eval:kb`). Grouping is precise but conservative: see the README's figures.
 */
export interface Similarity {
  readonly language: string;
  /** Default score from which two questions count as the same (0..1). */
  readonly threshold: number;
  /** Probability that `a` and `b` ask the same thing, 0..1; symmetric. */
  similar(a: string, b: string): number;
  /**
   * The candidate most similar to `text` when its score reaches `minScore` (default:
   * `threshold`), else null (also for no candidates or a text with no words).
   */
  nearest(text: string, candidates: readonly string[], minScore?: number): { index: number; score: number } | null;
  /** The features behind `similar` (for calibration and diagnostics). */
  features(a: string, b: string): MatchFeatures;
  /** Embeds texts with the encoder (a no-op without one), for the synchronous calls. */
  embed(texts: readonly string[]): Promise<void>;
  similarAsync(a: string, b: string): Promise<number>;
  nearestAsync(text: string, candidates: readonly string[], minScore?: number): Promise<{ index: number; score: number } | null>;
}

/** A synchronous call with the encoder, for a text whose vector was not computed first. */
export class NotEmbeddedError extends Error {
  readonly code = 'NOT_EMBEDDED';
  constructor(text: string) {
    super(`similarity: "${text.slice(0, 40)}" has no sentence vector yet; await embed() first or use similarAsync/nearestAsync`);
  }
}

export interface SimilarityOptions {
  /** The room's language (en-US, en-GB, zh-CN, fr-FR, de-DE …). */
  language: string;
  /** The room's synonym groups (KnowledgeBase.synonyms). */
  synonyms?: ReadonlyArray<readonly string[]>;
  /** The room's knowledge base: its vocabulary weighs rare words up and resolves typos. */
  kb?: KbInput;
  /** Overrides the default threshold (0, 1]. */
  threshold?: number;
  /** Prepared texts kept (LRU); default 2,000. */
  cacheSize?: number;
  /** Overrides the question-pair model (retrieval/eval/calibrate.ts fits it). */
  model?: ConfidenceModel;
  /** The sentence encoder (English rooms): its cosine becomes a feature. */
  encoder?: SentenceEncoder;
}

/** Where two questions count as one: the best F1 on the calibration half's question pairs (calibrate.ts). */
export const DEFAULT_SIMILARITY_THRESHOLD: number = models.similarityThreshold;
/** The same with the sentence encoder's cosine among the features. */
export const SENTENCE_SIMILARITY_THRESHOLD: number = models.similaritySentenceThreshold;

interface Prepared {
  text: PreparedText;
  target: MatchTarget;
}

export function createSimilarity(options: SimilarityOptions): Similarity {
  const encoder = options.encoder ?? null;
  const threshold = options.threshold ?? (encoder ? SENTENCE_SIMILARITY_THRESHOLD : DEFAULT_SIMILARITY_THRESHOLD);
  if (!(threshold > 0 && threshold <= 1)) throw new RangeError(`createSimilarity: threshold must be in (0, 1], got ${threshold}`);
  const cacheSize = options.cacheSize ?? 2000;
  if (!Number.isInteger(cacheSize) || cacheSize < 1) throw new RangeError(`createSimilarity: cacheSize must be a positive integer, got ${cacheSize}`);

  const synonyms = options.synonyms ?? options.kb?.synonyms;
  const analyzer = new Analyzer({ language: options.language, synonyms });
  const lexicon = kbLexicon(analyzer, options.kb ?? { qa: [], facts: [] });
  const model: ConfidenceModel = options.model ?? (encoder ? PAIR_MODELS.sentence : analyzer.vectors ? PAIR_MODELS.semantic : PAIR_MODELS.lexical);
  const cache = new Map<string, Prepared>();

  const prepare = (raw: string): Prepared => {
    const hit = cache.get(raw);
    if (hit) {
      // Map order is insertion order: re-inserting marks it most recently used.
      cache.delete(raw);
      cache.set(raw, hit);
      return hit;
    }
    let sentence: Float32Array | null = null;
    if (encoder) {
      sentence = encoder.cached(raw) ?? null;
      if (!sentence) throw new NotEmbeddedError(raw);
    }
    const text = analyzer.prepare(raw, lexicon);
    const prepared: Prepared = { text, target: { ...matchTarget(text), sentencePrimary: sentence } };
    cache.set(raw, prepared);
    if (cache.size > cacheSize) cache.delete(cache.keys().next().value!);
    return prepared;
  };

  const features = (a: Prepared, b: Prepared): MatchFeatures => pairFeatures(a.text, a.target, b.text, b.target, lexicon, analyzer.vectors);
  const score = (a: Prepared, b: Prepared): number =>
    a.text.concepts.length === 0 || b.text.concepts.length === 0 ? 0 : matchProbability(features(a, b), model);
  // The word-vector pass is most of the cost. Without it the features bound the score
  // from above (soft matching can only add matches; the model weighs them up and
  // missing words down), so a candidate whose bound misses the bar is skipped exactly.
  const canReach = (a: Prepared, b: Prepared, minScore: number): boolean => {
    if (!analyzer.vectors) return true;
    const cheap = pairFeatures(a.text, a.target, b.text, b.target, lexicon, null);
    const bound = { ...cheap, soft: model.soft > 0 ? 1 : cheap.soft, missing: model.missing < 0 ? 0 : cheap.missing };
    return matchProbability(bound, model) >= minScore;
  };

  const embed = async (texts: readonly string[]): Promise<void> => {
    if (encoder) await encoder.embed(texts);
  };

  const self: Similarity = {
    language: options.language,
    threshold,
    similar: (a, b) => score(prepare(a), prepare(b)),
    features: (a, b) => features(prepare(a), prepare(b)),
    embed,
    async similarAsync(a, b) {
      await embed([a, b]);
      return self.similar(a, b);
    },
    async nearestAsync(text, candidates, minScore) {
      await embed([text, ...candidates]);
      return self.nearest(text, candidates, minScore);
    },
    nearest(text, candidates, minScore = threshold) {
      const q = prepare(text);
      if (q.text.concepts.length === 0) return null;
      let best: { index: number; score: number } | null = null;
      candidates.forEach((candidate, index) => {
        const c = prepare(candidate);
        if (!canReach(q, c, Math.max(minScore, best?.score ?? 0))) return;
        const s = score(q, c);
        if (s >= minScore && (!best || s > best.score)) best = { index, score: s };
      });
      return best;
    },
  };
  return self;
}
