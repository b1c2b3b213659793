import { cosine, RELATED_FACTOR, type Concept, type PreparedText } from './analyzer.js';
import { termMatch, type Lexicon } from './lexicon.js';
import models from './confidence-models.json' with { type: 'json' };
import { FRAME_WEIGHT, FRAME_WORDS } from './stopwords.js';
import type { WordVectors } from './word-vectors.js';

/**
 * The one scoring both users share: the features that say how much a viewer's question
 * asks what a target text answers — a knowledge-base entry (the qa workers' KbRetriever)
 * or another viewer's question (the newsroom's similarity, which takes them both ways) —
 * and the logistic models that turn them into probabilities, so that a threshold means
 * the same in every room whatever the size of its knowledge base. The models' weights
 * live in confidence-models.json, written by retrieval/eval/calibrate.ts.
 */

/** What a question is matched against. */
export interface MatchTarget {
  /** The entry's question, a fact, or the other viewer question. */
  primary: PreparedText;
  /** A Q&A entry's answer: its words count, less than the question's. */
  secondary: PreparedText | null;
  fact: boolean;
  /** term → how much a match on it counts (primary 1, answer-only ANSWER_FIELD). */
  fields: Map<string, number>;
  /** The target's words with vectors and their field weight, for word-level similarity. */
  words: Array<{ word: string; field: number }>;
  /** `words`' vectors, looked up at the first comparison. */
  wordVectors?: Array<{ v: Float32Array; field: number }>;
}

/** A match found only in an entry's answer counts this much of one in its question. */
export const ANSWER_FIELD = 0.6;

export function matchTarget(primary: PreparedText, secondary: PreparedText | null = null, fact = false): MatchTarget {
  const fields = new Map<string, number>();
  for (const t of secondary?.terms ?? []) fields.set(t, ANSWER_FIELD);
  for (const t of primary.terms) fields.set(t, 1);
  const words = new Map<string, number>();
  for (const w of secondary?.words.values() ?? []) words.set(w, ANSWER_FIELD);
  for (const w of primary.words.values()) words.set(w, 1);
  return { primary, secondary, fact, fields, words: [...words].map(([word, field]) => ({ word, field })) };
}

export interface MatchFeatures {
  /** IDF-weighted share of the question's concepts that the target holds (typos and stems partly). */
  forward: number;
  /** The same, the other way: how much of the target's question the viewer asked. */
  backward: number;
  /** `forward` where a word also matches a word of similar meaning (word vectors), in part. */
  soft: number;
  /**
   * The weight share of the most important word the target does not hold in any form:
   * "student" in "do you have a student discount?" against the entry on discount codes.
   */
  missing: number;
  /** Cosine of the sentence vectors: question vs target question (0 without vectors). */
  cosPrimary: number;
  /** Cosine: question vs the entry's answer (0 without one). */
  cosSecondary: number;
  fact: number;
}

/**
 * Weighted coverage of `concepts` by `fields`. A concept that is a synonym phrase
 * matches whole when the target holds any phrase of its group.
 */
export function coverage(concepts: readonly Concept[], fields: ReadonlyMap<string, number>, lexicon: Lexicon): number {
  return coverageDetail(concepts, fields, lexicon).share;
}

interface CoverageDetail {
  /** Exact, synonym, typo, stem and WordNet matches. */
  share: number;
  /** The same with word-vector similarity too (= share without vectors). */
  soft: number;
  /** The largest weight share of one word left unmatched (soft matches included). */
  missing: number;
}

/** One pass over the concepts for all three coverage figures. */
function coverageDetail(
  concepts: readonly Concept[], fields: ReadonlyMap<string, number>, lexicon: Lexicon,
  soft?: { words: ReadonlyMap<string, string>; target: MatchTarget; vectors: WordVectors },
): CoverageDetail {
  let total = 0;
  let matched = 0;
  let softMatched = 0;
  let missing = 0;
  for (const concept of concepts) {
    const groupHit = concept.group ? fields.get(concept.group) ?? 0 : 0;
    concept.terms.forEach((term, k) => {
      const w = weight(term, lexicon);
      total += w;
      let m = Math.max(groupHit, fields.get(term) ?? fuzzy(term, fields, lexicon.compoundWords, !concept.common[k]));
      if (m < RELATED_FACTOR) for (const r of concept.related[k] ?? []) m = Math.max(m, RELATED_FACTOR * (fields.get(r) ?? 0));
      matched += w * m;
      if (soft && m < 1) {
        const word = soft.words.get(term);
        if (word) m = Math.max(m, similarWord(word, soft.target, soft.vectors));
      }
      softMatched += w * m;
      missing = Math.max(missing, w * (1 - m));
    });
  }
  return total === 0 ? { share: 0, soft: 0, missing: 1 } : { share: matched / total, soft: softMatched / total, missing: missing / total };
}

/**
 * Credit for a word that the target does not hold but says in other words: the best
 * word-vector cosine against the target's words, from 0 at cosine 0.3 (unrelated words
 * of one topic) to 1 at 0.8 (near synonyms).
 */
function similarWord(word: string, target: MatchTarget, vectors: WordVectors): number {
  const v = vectors.vector(word);
  if (!v) return 0;
  target.wordVectors ??= target.words.flatMap(({ word: w, field }) => {
    const u = vectors.vector(w);
    return u ? [{ v: u, field }] : [];
  });
  let best = 0;
  for (const { v: u, field } of target.wordVectors) {
    let dot = 0;
    for (let d = 0; d < v.length; d++) dot += v[d]! * u[d]!;
    const credit = Math.min(1, Math.max(0, (dot - 0.3) / 0.5)) * field;
    if (credit > best) best = credit;
  }
  return best;
}

// A lone Chinese character says less than a bigram; question frame words less than content.
const weight = (term: string, lexicon: Lexicon): number =>
  lexicon.idf(term) * (FRAME_WORDS.has(term) ? FRAME_WEIGHT : term.length === 1 && term > '\u2e80' ? 0.5 : 1);

function fuzzy(term: string, fields: ReadonlyMap<string, number>, compounds: boolean, typos: boolean): number {
  let best = 0;
  for (const [t, field] of fields) {
    const m = termMatch(term, t, compounds, typos) * field;
    if (m > best) best = m;
  }
  return best;
}

export function matchFeatures(
  query: PreparedText, target: MatchTarget, lexicon: Lexicon, vectors: WordVectors | null, backwardFields?: ReadonlyMap<string, number>,
): MatchFeatures {
  const forward = coverageDetail(query.concepts, target.fields, lexicon, vectors ? { words: query.words, target, vectors } : undefined);
  return {
    forward: forward.share,
    soft: forward.soft,
    missing: forward.missing,
    backward: coverage(target.primary.concepts, backwardFields ?? termFields(query), lexicon),
    cosPrimary: cosine(query.vector, target.primary.vector),
    cosSecondary: cosine(query.vector, target.secondary?.vector ?? null),
    fact: target.fact ? 1 : 0,
  };
}

/**
 * Features of two viewer questions, symmetric: coverage both ways, averaged (`backward`
 * holds the weaker direction: each must ask what the other asks).
 */
export function pairFeatures(
  a: PreparedText, aTarget: MatchTarget, b: PreparedText, bTarget: MatchTarget, lexicon: Lexicon, vectors: WordVectors | null,
): MatchFeatures {
  const ab = coverageDetail(a.concepts, bTarget.fields, lexicon, vectors ? { words: a.words, target: bTarget, vectors } : undefined);
  const ba = coverageDetail(b.concepts, aTarget.fields, lexicon, vectors ? { words: b.words, target: aTarget, vectors } : undefined);
  return {
    forward: (ab.share + ba.share) / 2,
    soft: (ab.soft + ba.soft) / 2,
    missing: Math.max(ab.missing, ba.missing),
    backward: Math.min(ab.share, ba.share),
    cosPrimary: cosine(a.vector, b.vector),
    cosSecondary: 0,
    fact: 0,
  };
}

export function termFields(text: PreparedText): Map<string, number> {
  return new Map(text.terms.map((t) => [t, 1]));
}

/** Logistic coefficients: bias, then one per feature. */
export interface ConfidenceModel {
  bias: number;
  forward: number;
  soft: number;
  missing: number;
  backward: number;
  cosPrimary: number;
  cosSecondary: number;
  fact: number;
}

/**
 * Fitted by `retrieval/eval/calibrate.ts` (logistic regression) on the calibration half
 * of the evaluation set; the other half only measures. One model for rooms with word
 * vectors (English), one for rooms without (Chinese, French, German); and the answer
 * model, which turns the best entry's match and its lead over the runner-up into the
 * probability that the best entry is the right answer.
 */
export const SEMANTIC_MODEL: ConfidenceModel = models.semantic;
export const LEXICAL_MODEL: ConfidenceModel = models.lexical;

export interface AnswerModel {
  bias: number;
  /** Per unit of the best entry's match log-odds. */
  match: number;
  /** Per unit of log-odds the best entry leads the runner-up by. */
  lead: number;
}
export const ANSWER_MODEL: AnswerModel = models.answer;
/** The similarity service's models over pairFeatures (two viewer questions, no answer text). */
export const PAIR_MODELS: { semantic: ConfidenceModel; lexical: ConfidenceModel } = { semantic: models.pairSemantic, lexical: models.pairLexical };
/**
 * The default answer threshold (LIVEHOST_KB_MIN_CONFIDENCE): on the calibration half, the
 * one with the most right answers minus twice the wrong ones (a wrong answer on air costs
 * more than the fallback line).
 */
export const DEFAULT_MIN_CONFIDENCE: number = models.threshold;

export const logit = (p: number): number => {
  const q = Math.min(1 - 1e-6, Math.max(1e-6, p));
  return Math.log(q / (1 - q));
};

/** Probability that an entry with match `best` is the answer, when the next best entry matched `runnerUp`. */
export function answerConfidence(best: number, runnerUp: number, model: AnswerModel = ANSWER_MODEL): number {
  const z = model.bias + model.match * logit(best) + model.lead * (logit(best) - logit(runnerUp));
  return 1 / (1 + Math.exp(-z));
}

/** Probability that a pair matches (a viewer question and an entry, or two viewer questions). */
export function matchProbability(f: MatchFeatures, model: ConfidenceModel): number {
  const z = model.bias + model.forward * f.forward + model.soft * f.soft + model.missing * f.missing + model.backward * f.backward
    + model.cosPrimary * f.cosPrimary + model.cosSecondary * f.cosSecondary + model.fact * f.fact;
  return 1 / (1 + Math.exp(-z));
}
