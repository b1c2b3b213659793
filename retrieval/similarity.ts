import { Analyzer, type PreparedText } from './analyzer.js';
import models from './confidence-models.json' with { type: 'json' };
import { kbLexicon, type KbInput, type KbRetriever } from './kb-retriever.js';
import { matchProbability, matchTarget, PAIR_MODELS, pairFeatures, type ConfidenceModel, type MatchFeatures, type MatchTarget } from './scoring.js';

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
 * `threshold` (default DEFAULT_SIMILARITY_THRESHOLD) is where two questions count as one.
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
}

export interface SimilarityOptions {
  /** The room's language (en-US, en-GB, zh-CN, fr-FR, de-DE …). */
  language: string;
  /** The room's synonym groups (KnowledgeBase.synonyms). */
  synonyms?: ReadonlyArray<readonly string[]>;
  /** The room's knowledge base: its vocabulary weighs rare words up and resolves typos. */
  kb?: KbInput;
  /**
   * The room's KB retriever, when there is one: its analyzer and vocabulary serve here too
   * (the same language and synonyms; the KB is read once, not twice). Takes the place of
   * `kb` and `synonyms`.
   */
  retriever?: KbRetriever;
  /** Overrides the default threshold (0, 1]. */
  threshold?: number;
  /** Prepared texts kept (LRU); default 2,000. */
  cacheSize?: number;
  /** Overrides the question-pair model (retrieval/eval/calibrate.ts fits it). */
  model?: ConfidenceModel;
}

/** Where two questions count as one: the best F1 on the calibration half's question pairs (calibrate.ts). */
export const DEFAULT_SIMILARITY_THRESHOLD: number = models.similarityThreshold;

interface Prepared {
  text: PreparedText;
  target: MatchTarget;
}

export function createSimilarity(options: SimilarityOptions): Similarity {
  const threshold = options.threshold ?? DEFAULT_SIMILARITY_THRESHOLD;
  if (!(threshold > 0 && threshold <= 1)) throw new RangeError(`createSimilarity: threshold must be in (0, 1], got ${threshold}`);
  const cacheSize = options.cacheSize ?? 2000;
  if (!Number.isInteger(cacheSize) || cacheSize < 1) throw new RangeError(`createSimilarity: cacheSize must be a positive integer, got ${cacheSize}`);

  const synonyms = options.synonyms ?? options.kb?.synonyms;
  const analyzer = options.retriever?.analyzer ?? new Analyzer({ language: options.language, synonyms });
  const lexicon = options.retriever?.lexicon ?? kbLexicon(analyzer, options.kb ?? { qa: [], facts: [] });
  const model: ConfidenceModel = options.model ?? (analyzer.vectors ? PAIR_MODELS.semantic : PAIR_MODELS.lexical);
  const cache = new Map<string, Prepared>();

  const prepare = (raw: string): Prepared => {
    const hit = cache.get(raw);
    if (hit) {
      // Map order is insertion order: re-inserting marks it most recently used.
      cache.delete(raw);
      cache.set(raw, hit);
      return hit;
    }
    const text = analyzer.prepare(raw, lexicon);
    const prepared: Prepared = { text, target: matchTarget(text) };
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

  return {
    language: options.language,
    threshold,
    similar: (a, b) => score(prepare(a), prepare(b)),
    features: (a, b) => features(prepare(a), prepare(b)),
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
}
