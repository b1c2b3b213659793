/* eslint-disable no-console -- a command-line report */
/**
 * `npx tsx retrieval/eval/sentence-measure.ts [--no-simd]`: is the Universal Sentence
 * Encoder (retrieval/sentence-encoder.ts) worth a ranker? On the English half of the
 * eval:kb set, in one run:
 *
 * - USE alone: entries ranked by cosine with the question (entry question, answer or both);
 * - the shipped hybrid's features, and the same features plus the two USE cosines, each
 *   with a match model and an answer model fitted here on the calibration half (every
 *   entry a candidate, so both rows are scored the same way), threshold by the rule
 *   calibrate.ts uses (right − 2 × wrong on the calibration half);
 * - grouping: USE cosine alone on the paraphrase fixture's pairs;
 * - cost: load time and RSS, per-query embedding latency and CPU.
 *
 * The two-ranker hybrid that shipped before it is printed beside them (its models and threshold).
 */
import { cpus, loadavg } from 'node:os';
import type { KnowledgeBase } from '../../protocol/index.js';
import { KbProvider } from '../../workers/qa/kb-provider.js';
import { KbRetriever } from '../kb-retriever.js';
import { matchFeatures, matchTarget, type MatchFeatures } from '../scoring.js';
import { loadSentenceEncoder } from '../sentence-encoder.js';
import { hitId, isCalibration, loadEvalSets, loadParaphrases } from './sets.js';

const simd = !process.argv.includes('--no-simd');
const rssBefore = process.memoryUsage().rss;
const t = performance.now();
const encoder = await loadSentenceEncoder({ simd });
const loadMs = performance.now() - t;
const rssAfter = process.memoryUsage().rss;

const sets = loadEvalSets().filter((s) => s.language.startsWith('en'));
// The two-ranker hybrid as it shipped before the sentence encoder, with its threshold then.
const provider = new KbProvider({ sentences: null });
const TWO_RANKER_THRESHOLD = 0.65;

interface Row { set: string; position: number; expect: string | null; candidates: Array<{ id: string; f: MatchFeatures; useQ: number; useA: number }>; shipped: { top: string | null; answered: string | null } }
const rows: Row[] = [];
const dot = (a: Float32Array, b: Float32Array): number => { let s = 0; for (let d = 0; d < a.length; d++) s += a[d]! * b[d]!; return s; };

for (const set of sets) {
  const retriever = new KbRetriever(set.kb, { language: set.language });
  const a = retriever.analyzer;
  const entries = [
    ...set.kb.qa.map((e, i) => ({ id: `qa:${i}`, primary: e.question, secondary: e.answer as string | null, target: matchTarget(a.prepare(e.question), a.prepare(e.answer)) })),
    ...set.kb.facts.map((f, i) => ({ id: `fact:${i}`, primary: f, secondary: null, target: matchTarget(a.prepare(f), null, true) })),
  ];
  const primaries = await encoder.embed(entries.map((e) => e.primary));
  const secondaries = await encoder.embed(entries.map((e) => e.secondary ?? e.primary));
  const kb = set.kb as KnowledgeBase;
  for (const [position, q] of set.questions.entries()) {
    const [v] = await encoder.embed([q.q]);
    const query = retriever.prepare(q.q);
    const [top] = provider.indexes.get(kb, set.language).query(q.q, 1);
    rows.push({
      set: set.name, position, expect: q.expect,
      candidates: entries.map((e, k) => ({
        id: e.id, f: matchFeatures(query, e.target, retriever.lexicon, a.vectors),
        useQ: dot(v!, primaries[k]!), useA: e.secondary ? dot(v!, secondaries[k]!) : 0,
      })),
      shipped: { top: hitId(top), answered: top && top.confidence >= TWO_RANKER_THRESHOLD ? hitId(top) : null },
    });
  }
}

// ── logistic regression (the same plain gradient descent as calibrate.ts) ──────
type Vec = number[];
function fit(data: Array<{ x: Vec; y: number }>): Vec {
  const n = data[0]!.x.length;
  const w = new Float64Array(n + 1);
  for (let step = 0; step < 8000; step++) {
    const g = new Float64Array(n + 1);
    for (const { x, y } of data) {
      let z = w[0]!;
      for (let k = 0; k < n; k++) z += w[k + 1]! * x[k]!;
      const err = 1 / (1 + Math.exp(-z)) - y;
      g[0]! += err;
      for (let k = 0; k < n; k++) g[k + 1]! += err * x[k]!;
    }
    for (let k = 0; k <= n; k++) w[k]! -= 0.5 * (g[k]! / data.length + (k ? 1e-3 * w[k]! : 0));
  }
  return [...w];
}
const predict = (w: Vec, x: Vec): number => { let z = w[0]!; for (let k = 0; k < x.length; k++) z += w[k + 1]! * x[k]!; return 1 / (1 + Math.exp(-z)); };
const logit = (p: number): number => { const q = Math.min(1 - 1e-6, Math.max(1e-6, p)); return Math.log(q / (1 - q)); };

type Featurize = (c: Row['candidates'][number]) => Vec;
const hybrid: Featurize = (c) => [c.f.forward, c.f.soft, c.f.missing, c.f.backward, c.f.cosPrimary, c.f.cosSecondary, c.f.fact];
const withUse: Featurize = (c) => [...hybrid(c), c.useQ, c.useA];
const useOnly: Featurize = (c) => [c.useQ, c.useA];

interface Result { top1: number; rank1: number; wrong: number; heldTop1: number; heldRank1: number; heldWrong: number; threshold: number }
function evaluate(featurize: Featurize): Result {
  const cal = rows.filter((r) => isCalibration(r.position));
  const matchModel = fit(cal.flatMap((r) => r.candidates.map((c) => ({ x: featurize(c), y: c.id === r.expect ? 1 : 0 }))));
  const ranked = rows.map((r) => {
    const scored = r.candidates.map((c) => ({ id: c.id, p: predict(matchModel, featurize(c)) })).sort((x, y) => y.p - x.p);
    return { r, best: scored[0]!, second: scored[1]?.p ?? 0 };
  });
  const answerX = (x: (typeof ranked)[number]): Vec => [logit(x.best.p), logit(x.best.p) - logit(x.second)];
  const answerModel = fit(ranked.filter((x) => isCalibration(x.r.position)).map((x) => ({ x: answerX(x), y: x.best.id === x.r.expect ? 1 : 0 })));
  const withConfidence = ranked.map((x) => ({ ...x, confidence: predict(answerModel, answerX(x)) }));
  let threshold = 0.5;
  let bestValue = -Infinity;
  for (let th = 0.3; th <= 0.91; th += 0.05) {
    const answered = withConfidence.filter((x) => isCalibration(x.r.position) && x.confidence >= th);
    const value = answered.filter((x) => x.best.id === x.r.expect).length - 2 * answered.filter((x) => x.best.id !== x.r.expect).length;
    if (value > bestValue) { bestValue = value; threshold = Math.round(th * 100) / 100; }
  }
  const measure = (subset: typeof withConfidence): [number, number, number] => {
    const answerable = subset.filter((x) => x.r.expect !== null);
    const outside = subset.filter((x) => x.r.expect === null);
    return [
      share(answerable, (x) => x.confidence >= threshold && x.best.id === x.r.expect),
      share(answerable, (x) => x.best.id === x.r.expect),
      share(outside, (x) => x.confidence >= threshold),
    ];
  };
  const [top1, rank1, wrong] = measure(withConfidence);
  const [heldTop1, heldRank1, heldWrong] = measure(withConfidence.filter((x) => !isCalibration(x.r.position)));
  return { top1, rank1, wrong, heldTop1, heldRank1, heldWrong, threshold };
}
const share = <T>(xs: T[], p: (x: T) => boolean): number => (xs.length ? xs.filter(p).length / xs.length : NaN);
const pct = (x: number): string => (Number.isNaN(x) ? '—' : `${(100 * x).toFixed(1)} %`);
const row = (cells: Array<string | number>): string => `| ${cells.join(' | ')} |`;

console.log(`# USE-lite as a ranker — English eval:kb sets (${sets.map((s) => s.name).join(', ')}), ${rows.length} questions, ${rows.filter((r) => r.expect === null).length} outside the KB`);
console.log(`machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, Node ${process.version}; TF.js backend ${encoder.backend}${simd ? ' (SIMD)' : ' (no SIMD)'}\n`);
console.log(`model load: ${loadMs.toFixed(0)} ms, +${((rssAfter - rssBefore) / 2 ** 20).toFixed(0)} MiB RSS\n`);

const answerable = rows.filter((r) => r.expect !== null);
const argmax = (r: Row, score: (c: Row['candidates'][number]) => number): string => r.candidates.reduce((b, c) => (score(c) > score(b) ? c : b)).id;
console.log(row(['ranking (no threshold)', 'right entry ranked first']));
console.log(row(['---', '---']));
console.log(row(['USE cosine with the entry question', pct(share(answerable, (r) => argmax(r, (c) => c.useQ) === r.expect))]));
console.log(row(['USE cosine with the answer', pct(share(answerable, (r) => argmax(r, (c) => c.useA) === r.expect))]));
console.log(row(['USE cosine, max of both', pct(share(answerable, (r) => argmax(r, (c) => Math.max(c.useQ, c.useA)) === r.expect))]));
console.log(row(['two-ranker hybrid (before)', pct(share(answerable, (r) => r.shipped.top === r.expect))]));

console.log('\n' + row(['engine (models fitted here on the calibration half)', 'threshold', 'top-1 all', 'ranked first all', 'wrong outside all', 'top-1 held-out', 'ranked first held-out', 'wrong outside held-out']));
console.log(row(Array(8).fill('---')));
for (const [name, f] of [['USE cosines alone', useOnly], ['hybrid features', hybrid], ['hybrid features + USE cosines', withUse]] as const) {
  const r = evaluate(f);
  console.log(row([name, r.threshold, pct(r.top1), pct(r.rank1), pct(r.wrong), pct(r.heldTop1), pct(r.heldRank1), pct(r.heldWrong)]));
}
const outside = rows.filter((r) => r.expect === null);
console.log(row(['two-ranker hybrid (before, its own models)', TWO_RANKER_THRESHOLD,
  pct(share(answerable, (r) => r.shipped.answered === r.expect)), pct(share(answerable, (r) => r.shipped.top === r.expect)), pct(share(outside, (r) => r.shipped.answered !== null)),
  pct(share(answerable.filter((r) => !isCalibration(r.position)), (r) => r.shipped.answered === r.expect)),
  pct(share(answerable.filter((r) => !isCalibration(r.position)), (r) => r.shipped.top === r.expect)),
  pct(share(outside.filter((r) => !isCalibration(r.position)), (r) => r.shipped.answered !== null))]));

// ── grouping: USE cosine on the paraphrase fixture's pairs ───────────────────
const fixture = loadParaphrases().find((p) => p.language === 'en-US')!;
const items = [...fixture.groups.flatMap((g) => g.paraphrases.map((text) => ({ text, group: g.id }))), ...fixture.unrelated.map((text, i) => ({ text, group: `u${i}` }))];
const iv = await encoder.embed(items.map((i) => i.text));
const pairs: Array<{ s: number; same: boolean }> = [];
for (let i = 0; i < items.length; i++) for (let j = i + 1; j < items.length; j++) pairs.push({ s: dot(iv[i]!, iv[j]!), same: items[i]!.group === items[j]!.group });
console.log('\n' + row(['grouping pairs (en), USE cosine threshold', 'paraphrase pairs ≥', 'unrelated pairs <', 'F1']));
console.log(row(Array(4).fill('---')));
for (const th of [0.5, 0.6, 0.65, 0.7, 0.75, 0.8]) {
  const tp = pairs.filter((p) => p.same && p.s >= th).length;
  const fp = pairs.filter((p) => !p.same && p.s >= th).length;
  const fn = pairs.filter((p) => p.same && p.s < th).length;
  console.log(row([th, pct(tp / (tp + fn)), pct(share(pairs.filter((p) => !p.same), (p) => p.s < th)), pct((2 * tp) / (2 * tp + fp + fn))]));
}

// ── cost per query embedding ──────────────────────────────────────────────────
const probes = rows.map((r, i) => `${sets.find((s) => s.name === r.set)!.questions[r.position]!.q} ${i}`);
const ms: number[] = [];
const cpu = process.cpuUsage();
for (const q of probes) { const s = performance.now(); await encoder.embed([q]); ms.push(performance.now() - s); }
const used = process.cpuUsage(cpu);
ms.sort((x, y) => x - y);
console.log(`\nquery embedding (${probes.length} uncached questions, one at a time): p50 ${ms[Math.floor(ms.length / 2)]!.toFixed(1)} ms, p99 ${ms[Math.floor(ms.length * 0.99)]!.toFixed(1)} ms, CPU ${((used.user + used.system) / 1000 / ms.length).toFixed(1)} ms per query; load average ${loadavg()[0]!.toFixed(1)}`);
