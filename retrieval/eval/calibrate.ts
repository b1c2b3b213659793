/* eslint-disable no-console -- a command-line report */
/**
 * Fits the confidence models (retrieval/scoring.ts) by logistic regression on the
 * calibration half of the evaluation set and writes them to retrieval/confidence-models.json.
 *
 * - match models: every candidate entry the retriever considers for a question is one
 *   example, labelled by whether it is the entry that answers it;
 * - answer model: the best entry of each question (ranked with the match model just
 *   fitted), labelled by whether it is right — for out-of-KB questions it never is.
 *
 * `npx tsx retrieval/eval/calibrate.ts` (then run `npm run eval:kb`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { KbRetriever } from '../kb-retriever.js';
import { answerConfidence, matchProbability, type AnswerModel, type ConfidenceModel, type MatchFeatures } from '../scoring.js';
import { createSimilarity } from '../similarity.js';
import { hitId, isCalibration, loadEvalSets } from './sets.js';

const FEATURES = ['forward', 'soft', 'missing', 'backward', 'cosPrimary', 'cosSecondary', 'fact'] as const;

export function examples(semantic: boolean, model?: ConfidenceModel): Array<{ x: MatchFeatures; y: number }> {
  const out: Array<{ x: MatchFeatures; y: number }> = [];
  for (const set of loadEvalSets()) {
    // The lexical model serves rooms without vectors: fit it on every set with vectors off.
    if (semantic && !set.language.startsWith('en')) continue;
    const retriever = new KbRetriever(set.kb, { language: set.language, ...(semantic ? {} : { vectors: null }), ...(model ? { model } : {}) });
    set.questions.forEach((q, i) => {
      if (!isCalibration(i)) return;
      for (const hit of retriever.search(q.q, 100)) out.push({ x: hit.features, y: hitId(hit) === q.expect ? 1 : 0 });
    });
  }
  return out;
}

/** Plain logistic regression with a little L2, by gradient descent. */
export function fit(data: Array<{ x: MatchFeatures; y: number }>, use: ReadonlyArray<(typeof FEATURES)[number]>): ConfidenceModel {
  const rows = data.map((d) => use.map((f) => d.x[f]));
  const w = new Float64Array(use.length);
  let bias = 0;
  const rate = 0.5;
  const l2 = 1e-3;
  for (let step = 0; step < 20_000; step++) {
    let gb = 0;
    const g = new Float64Array(use.length);
    for (let i = 0; i < rows.length; i++) {
      const x = rows[i]!;
      let z = bias;
      for (let k = 0; k < x.length; k++) z += w[k]! * x[k]!;
      const err = 1 / (1 + Math.exp(-z)) - data[i]!.y;
      gb += err;
      for (let k = 0; k < x.length; k++) g[k]! += err * x[k]!;
    }
    bias -= (rate * gb) / rows.length;
    for (let k = 0; k < w.length; k++) w[k]! -= rate * (g[k]! / rows.length + l2 * w[k]!);
  }
  const round = (n: number): number => Math.round(n * 100) / 100;
  const model: ConfidenceModel = { bias: round(bias), forward: 0, soft: 0, missing: 0, backward: 0, cosPrimary: 0, cosSecondary: 0, fact: 0 };
  use.forEach((f, k) => { model[f] = round(w[k]!); });
  return model;
}

/** The answer model's examples: each calibration question's best entry, right or not. */
function answerExamples(semantic: ConfidenceModel, lexical: ConfidenceModel): Array<{ x: MatchFeatures; y: number }> {
  const out: Array<{ x: MatchFeatures; y: number }> = [];
  for (const set of loadEvalSets()) {
    const english = set.language.startsWith('en');
    const retriever = new KbRetriever(set.kb, { language: set.language, model: english ? semantic : lexical });
    set.questions.forEach((q, i) => {
      if (!isCalibration(i)) return;
      const [best, second] = retriever.search(q.q, 2);
      if (!best) return;
      const lead = logit(best.match) - logit(second?.match ?? 0);
      // Carried in MatchFeatures' slots so one fit() serves both: forward = match log-odds, backward = lead.
      out.push({ x: { forward: logit(best.match), soft: 0, missing: 0, backward: lead, cosPrimary: 0, cosSecondary: 0, fact: 0 }, y: hitId(best) === q.expect ? 1 : 0 });
    });
  }
  return out;
}

/**
 * Question-pair examples for the similarity service: each calibration question against
 * every Q&A question of its knowledge base, positive for the entry that answers it.
 */
function pairExamples(semanticRooms: boolean): Array<{ x: MatchFeatures; y: number }> {
  const out: Array<{ x: MatchFeatures; y: number }> = [];
  for (const set of loadEvalSets()) {
    if (set.language.startsWith('en') !== semanticRooms) continue;
    const sim = createSimilarity({ language: set.language, kb: set.kb });
    set.questions.forEach((q, i) => {
      if (!isCalibration(i)) return;
      set.kb.qa.forEach((entry, k) => out.push({ x: sim.features(q.q, entry.question), y: q.expect === `qa:${k}` ? 1 : 0 }));
    });
  }
  return out;
}

/**
 * The answer threshold: on the calibration half, the one that maximises right answers
 * minus twice the wrong ones (a wrong answer on air costs more than the fallback line).
 */
function answerThreshold(semantic: ConfidenceModel, lexical: ConfidenceModel, answer: AnswerModel): number {
  const tops: Array<{ confidence: number; right: boolean; outside: boolean }> = [];
  for (const set of loadEvalSets()) {
    const retriever = new KbRetriever(set.kb, { language: set.language, model: set.language.startsWith('en') ? semantic : lexical });
    set.questions.forEach((q, i) => {
      if (!isCalibration(i)) return;
      const [best, second] = retriever.search(q.q, 2);
      const confidence = best ? answerConfidence(best.match, second?.match ?? 0, answer) : 0;
      tops.push({ confidence, right: hitId(best) === q.expect, outside: q.expect === null });
    });
  }
  let bestThreshold = 0.5;
  let bestValue = -Infinity;
  for (let t = 0.3; t <= 0.91; t += 0.05) {
    const answered = tops.filter((x) => x.confidence >= t);
    const value = answered.filter((x) => x.right).length - 2 * answered.filter((x) => !x.right).length;
    if (value > bestValue) {
      bestValue = value;
      bestThreshold = Math.round(t * 100) / 100;
    }
  }
  return bestThreshold;
}

/** The similarity threshold: best F1 on question pairs (same question or not) of the calibration half. */
function pairThreshold(scored: Array<{ p: number; y: number }>): number {
  let best = 0.5;
  let bestF1 = -1;
  for (let t = 0.1; t <= 0.91; t += 0.05) {
    const tp = scored.filter((x) => x.p >= t && x.y).length;
    const fp = scored.filter((x) => x.p >= t && !x.y).length;
    const fn = scored.filter((x) => x.p < t && x.y).length;
    const f1 = tp ? (2 * tp) / (2 * tp + fp + fn) : 0;
    if (f1 > bestF1) {
      bestF1 = f1;
      best = Math.round(t * 100) / 100;
    }
  }
  return best;
}

const logit = (p: number): number => {
  const q = Math.min(1 - 1e-6, Math.max(1e-6, p));
  return Math.log(q / (1 - q));
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const path = new URL('../confidence-models.json', import.meta.url);
  // Each stage reads the models written before it (the pair models score with the match models).
  const current = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const semanticData = examples(true);
  const lexicalData = examples(false);
  const semantic = fit(semanticData, FEATURES);
  const lexical = fit(lexicalData, ['forward', 'missing', 'backward', 'fact']);
  const answerData = answerExamples(semantic, lexical);
  const a = fit(answerData, ['forward', 'backward']);
  const answer: AnswerModel = { bias: a.bias, match: a.forward, lead: a.backward };
  writeFileSync(path, `${JSON.stringify({ ...current, semantic, lexical, answer }, null, 2)}\n`);
  const pairSemanticData = pairExamples(true);
  const pairLexicalData = pairExamples(false);
  const pairSemantic = fit(pairSemanticData, ['forward', 'soft', 'missing', 'backward', 'cosPrimary']);
  const pairLexical = fit(pairLexicalData, ['forward', 'missing', 'backward']);
  const threshold = answerThreshold(semantic, lexical, answer);
  const similarityThreshold = pairThreshold([
    ...pairSemanticData.map((e) => ({ p: matchProbability(e.x, pairSemantic), y: e.y })),
    ...pairLexicalData.map((e) => ({ p: matchProbability(e.x, pairLexical), y: e.y })),
  ]);
  console.log(`similarity threshold (best F1 on the calibration half's question pairs): ${similarityThreshold}`);
  console.log(`question-pair models: ${pairSemanticData.length} / ${pairLexicalData.length} examples`, JSON.stringify({ pairSemantic, pairLexical }));
  console.log(`answer threshold (right − 2 × wrong, calibration half): ${threshold}`);
  console.log(`semantic match model: ${semanticData.length} examples, ${semanticData.filter((e) => e.y).length} positive`, JSON.stringify(semantic));
  console.log(`lexical match model: ${lexicalData.length} examples, ${lexicalData.filter((e) => e.y).length} positive`, JSON.stringify(lexical));
  console.log(`answer model: ${answerData.length} examples, ${answerData.filter((e) => e.y).length} right`, JSON.stringify(answer));
  writeFileSync(path, `${JSON.stringify({ semantic, lexical, answer, pairSemantic, pairLexical, threshold, similarityThreshold }, null, 2)}\n`);
  console.log(`written to ${path.pathname}`);
}
