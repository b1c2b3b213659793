/* eslint-disable no-console -- a command-line report */
/**
 * `npm run eval:kb`: the labelled evaluation set through the real embedded answer
 * provider (workers/qa KbProvider), beside the engine it replaced (BM25 alone) and the
 * variants the choice was made between; grouping on the paraphrase fixture; timings on
 * a 5,000-entry knowledge base. No Redis, no network.
 */
import { cpus, loadavg } from 'node:os';
import type { KnowledgeBase } from '../../protocol/index.js';
import { KbProvider } from '../../workers/qa/kb-provider.js';
import { KbRetriever, type KbRetrieverOptions } from '../kb-retriever.js';
import { createSimilarity } from '../similarity.js';
import { englishVectors } from '../word-vectors.js';
import { englishRelations } from '../wordnet.js';
import { BASELINE_MIN_CONFIDENCE, Bm25Baseline } from './baseline-bm25.js';
import { hitId, isCalibration, loadEvalSets, loadParaphrases, type EvalQuestion, type EvalSet } from './sets.js';

const DEFAULT_THRESHOLD = new KbProvider().minConfidence;

// ── startup cost, measured first, before anything else is loaded ─────────────
const before = process.memoryUsage();
let t = performance.now();
englishVectors();
const vectorsMs = performance.now() - t;
t = performance.now();
englishRelations();
const wordnetMs = performance.now() - t;
const after = process.memoryUsage();

interface Outcome { question: EvalQuestion; answered: string | null; top: string | null; confidence: number; ms: number; set: EvalSet }
type Engine = (set: EvalSet) => (q: string) => { top: string | null; confidence: number; answered: string | null };

const provider = new KbProvider();
const engines: Record<string, Engine> = {
  'BM25 alone (before)': (set) => {
    const index = new Bm25Baseline(set.kb);
    return (q) => {
      const [top] = index.query(q, 1);
      const id = top ? `${top.kind}:${findIndex(set, top)}` : null;
      return { top: id, confidence: top?.confidence ?? 0, answered: top && top.confidence >= BASELINE_MIN_CONFIDENCE ? id : null };
    };
  },
  'lexical (stems, synonyms, typos)': variant({ vectors: null, relations: null }),
  'lexical + WordNet': variant({ vectors: null }),
  'lexical + word vectors': variant({ relations: null }),
  'hybrid, RRF ranking': variant({ fusion: 'rrf' }),
  'hybrid (shipped: KbProvider)': (set) => {
    const kb = set.kb as KnowledgeBase;
    // Indexed before the clock starts, as every engine here: the timings are retrieval alone.
    provider.indexes.get(kb, set.language);
    return (q) => {
      const [top] = provider.indexes.get(kb, set.language).query(q, 1);
      const answered = provider.best({ question: q, kb, language: set.language });
      return { top: hitId(top), confidence: top?.confidence ?? 0, answered: hitId(answered) };
    };
  },
};

function variant(options: Partial<KbRetrieverOptions> & { relations?: null }): Engine {
  return (set) => {
    const r = new KbRetriever(set.kb, { language: set.language, ...options });
    return (q) => {
      const [top] = r.search(q, 1);
      return { top: hitId(top), confidence: top?.confidence ?? 0, answered: top && top.confidence >= DEFAULT_THRESHOLD ? hitId(top) : null };
    };
  };
}

function findIndex(set: EvalSet, hit: { kind: 'qa' | 'fact'; question: string | null; answer: string }): number {
  return hit.kind === 'qa' ? set.kb.qa.findIndex((e) => e.answer === hit.answer) : set.kb.facts.indexOf(hit.answer);
}

const sets = loadEvalSets();
const run = (engine: Engine): Outcome[] => sets.flatMap((set) => {
  const ask = engine(set);
  return set.questions.map((question) => {
    const start = performance.now();
    const r = ask(question.q);
    return { question, set, ...r, ms: performance.now() - start };
  });
});

interface Metrics { n: number; out: number; top1: number; rank1: number; wrong: number; fbPrecision: number; fbRecall: number }
function metrics(outcomes: Outcome[]): Metrics {
  const answerable = outcomes.filter((o) => o.question.expect !== null);
  const outside = outcomes.filter((o) => o.question.expect === null);
  const fallbacks = outcomes.filter((o) => o.answered === null);
  return {
    n: answerable.length,
    out: outside.length,
    top1: share(answerable, (o) => o.answered === o.question.expect),
    rank1: share(answerable, (o) => o.top === o.question.expect),
    wrong: share(outside, (o) => o.answered !== null),
    fbPrecision: share(fallbacks, (o) => o.question.expect === null),
    fbRecall: share(outside, (o) => o.answered === null),
  };
}
const share = <T>(xs: T[], p: (x: T) => boolean): number => (xs.length ? xs.filter(p).length / xs.length : NaN);
const pct = (x: number): string => (Number.isNaN(x) ? '—' : `${(100 * x).toFixed(1)} %`);
const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
};
const row = (cells: Array<string | number>): string => `| ${cells.join(' | ')} |`;

const questions = sets.reduce((n, s) => n + s.questions.length, 0);
console.log(`# eval:kb — ${sets.length} knowledge bases, ${questions} questions (${sets.map((s) => `${s.name} ${s.questions.length}`).join(', ')})`);
console.log(`machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, Node ${process.version}; threshold ${DEFAULT_THRESHOLD} (LIVEHOST_KB_MIN_CONFIDENCE default)\n`);
console.log(`engine resources: word vectors ${vectorsMs.toFixed(0)} ms, WordNet ${wordnetMs.toFixed(0)} ms to load; +${((after.rss - before.rss) / 2 ** 20).toFixed(0)} MiB RSS, +${((after.heapUsed - before.heapUsed) / 2 ** 20).toFixed(0)} MiB heap\n`);

console.log('## Answers (answerable: top-1 = answered with the right entry; outside the KB: wrong = answered at all)\n');
console.log(row(['engine', 'half', 'top-1', 'right entry ranked first', 'wrong answers outside KB', 'fallback precision', 'fallback recall', 'p50 ms', 'p99 ms']));
console.log(row(Array(9).fill('---')));
const results = new Map<string, Outcome[]>();
for (const [name, engine] of Object.entries(engines)) {
  const outcomes = run(engine);
  results.set(name, outcomes);
  const byPosition = (keep: (i: number) => boolean): Outcome[] => outcomes.filter((o) => keep(o.set.questions.indexOf(o.question)));
  for (const [half, subset] of [['held-out', byPosition((i) => !isCalibration(i))], ['all', outcomes]] as const) {
    const m = metrics(subset);
    const ms = subset.map((o) => o.ms);
    console.log(row([name, `${half} (${m.n}+${m.out})`, pct(m.top1), pct(m.rank1), pct(m.wrong), pct(m.fbPrecision), pct(m.fbRecall), percentile(ms, 0.5).toFixed(2), percentile(ms, 0.99).toFixed(2)]));
  }
}

const shipped = results.get('hybrid (shipped: KbProvider)')!;
console.log('\n## Shipped engine by knowledge base (all questions)\n');
console.log(row(['knowledge base', 'language', 'top-1', 'wrong outside KB', 'questions']));
console.log(row(Array(5).fill('---')));
for (const set of sets) {
  const m = metrics(shipped.filter((o) => o.set === set));
  console.log(row([`${set.name} (${set.kind})`, set.language, pct(m.top1), pct(m.wrong), `${m.n}+${m.out}`]));
}
console.log('\n## Shipped engine by question kind (all questions)\n');
console.log(row(['kind', 'top-1 / fallback', 'questions']));
console.log(row(Array(3).fill('---')));
for (const tag of ['direct', 'paraphrase', 'typo', 'slang', 'acronym', 'outside'] as const) {
  const subset = shipped.filter((o) => o.question.tag === tag);
  const ok = share(subset, (o) => o.answered === o.question.expect);
  console.log(row([tag, pct(ok), subset.length]));
}

console.log('\n## Threshold (LIVEHOST_KB_MIN_CONFIDENCE) on the held-out half\n');
console.log(row(['threshold', 'top-1', 'wrong outside KB', 'fallback precision', 'fallback recall']));
console.log(row(Array(5).fill('---')));
const heldOut = shipped.filter((o) => !isCalibration(o.set.questions.indexOf(o.question)));
for (const threshold of [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]) {
  const m = metrics(heldOut.map((o) => ({ ...o, answered: o.confidence >= threshold ? o.top : null })));
  console.log(row([threshold, pct(m.top1), pct(m.wrong), pct(m.fbPrecision), pct(m.fbRecall)]));
}

console.log('\n## Calibration on the held-out half (confidence of the best entry vs how often it was right)\n');
console.log(row(['confidence', 'questions', 'right']));
console.log(row(Array(3).fill('---')));
for (let lo = 0; lo < 1; lo += 0.2) {
  const bin = heldOut.filter((o) => o.confidence >= lo && o.confidence < lo + 0.2 + (lo >= 0.8 ? 1e-9 : 0));
  console.log(row([`${lo.toFixed(1)}–${(lo + 0.2).toFixed(1)}`, bin.length, pct(share(bin, (o) => o.top === o.question.expect))]));
}

// ── grouping: the paraphrase fixture through the similarity service ─────────
console.log('\n## Grouping (retrieval/eval/paraphrases.json through createSimilarity)\n');
console.log(row(['language', 'paraphrase pairs ≥ threshold', 'unrelated pairs < threshold', 'pair precision', 'pair recall', 'groups recovered whole']));
console.log(row(Array(6).fill('---')));
for (const set of loadParaphrases()) {
  const sim = createSimilarity({ language: set.language, synonyms: set.synonyms });
  const items = [...set.groups.flatMap((g) => g.paraphrases.map((text) => ({ text, group: g.id }))), ...set.unrelated.map((text, i) => ({ text, group: `unrelated-${i}` }))];
  let same = 0;
  let sameOk = 0;
  let diff = 0;
  let diffOk = 0;
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const s = sim.similar(items[i]!.text, items[j]!.text);
      if (items[i]!.group === items[j]!.group) { same++; if (s >= sim.threshold) sameOk++; } else { diff++; if (s < sim.threshold) diffOk++; }
    }
  }
  // Greedy online grouping, as the newsroom does: each question joins its nearest group's first question, or opens one.
  const order = shuffled(items, 12);
  const groups: Array<{ text: string; members: string[] }> = [];
  for (const item of order) {
    const hit = sim.nearest(item.text, groups.map((g) => g.text));
    if (hit) groups[hit.index]!.members.push(item.group);
    else groups.push({ text: item.text, members: [item.group] });
  }
  let predictedPairs = 0;
  let rightPairs = 0;
  for (const g of groups) {
    for (let i = 0; i < g.members.length; i++) for (let j = i + 1; j < g.members.length; j++) { predictedPairs++; if (g.members[i] === g.members[j]) rightPairs++; }
  }
  const whole = set.groups.filter((truth) => groups.some((g) => g.members.length === truth.paraphrases.length && g.members.every((m) => m === truth.id))).length;
  const truePairs = set.groups.reduce((n, g) => n + (g.paraphrases.length * (g.paraphrases.length - 1)) / 2, 0);
  console.log(row([set.language, `${pct(sameOk / same)} of ${same}`, `${pct(diffOk / diff)} of ${diff}`, pct(rightPairs / predictedPairs), pct(rightPairs / truePairs), `${whole} / ${set.groups.length}`]));
}

function shuffled<T>(xs: T[], seed: number): T[] {
  const out = [...xs];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

// ── timing: 5,000-entry knowledge base; nearest over 200 waiting questions ───
console.log('\n## Timing\n');
const big = syntheticKb(5000);
t = performance.now();
const bigProvider = new KbProvider();
bigProvider.indexes.get(big, 'en-US');
const buildMs = performance.now() - t;
const baseline = new Bm25Baseline(big);
const probes = sets.filter((s) => s.language.startsWith('en')).flatMap((s) => s.questions.map((q) => q.q));
// The machine is shared: each measure runs in 5 rounds over every English question, and
// the quietest round (lowest p99) is reported, with CPU time per query beside it.
const time = (f: (q: string) => unknown): { p50: number; p99: number; cpuMs: number } => {
  for (const q of probes.slice(0, 20)) f(q);
  let best = { p50: Infinity, p99: Infinity, cpuMs: Infinity };
  for (let round = 0; round < 5; round++) {
    const ms: number[] = [];
    const cpu = process.cpuUsage();
    for (const q of probes) { const s = performance.now(); f(q); ms.push(performance.now() - s); }
    const used = process.cpuUsage(cpu);
    const r = { p50: percentile(ms, 0.5), p99: percentile(ms, 0.99), cpuMs: (used.user + used.system) / 1000 / ms.length };
    if (r.p99 < best.p99) best = r;
  }
  return best;
};
const hybridTime = time((q) => bigProvider.best({ question: q, kb: big, language: 'en-US' }));
const baseTime = time((q) => baseline.query(q, 1));
console.log(row(['measure', 'p50', 'p99', 'CPU per query', 'ratio p99 vs BM25 alone']));
console.log(row(Array(5).fill('---')));
console.log(row(['BM25 alone, 5,000 entries', `${baseTime.p50.toFixed(2)} ms`, `${baseTime.p99.toFixed(2)} ms`, `${baseTime.cpuMs.toFixed(2)} ms`, '1.0']));
console.log(row(['hybrid, 5,000 entries (goal p99 ≤ 10 ms)', `${hybridTime.p50.toFixed(2)} ms`, `${hybridTime.p99.toFixed(2)} ms`, `${hybridTime.cpuMs.toFixed(2)} ms`, (hybridTime.p99 / baseTime.p99).toFixed(1)]));
console.log(`\nindexing the 5,000-entry KB: ${buildMs.toFixed(0)} ms (once per KB edit)`);

const sim = createSimilarity({ language: 'en-US', kb: sets.find((s) => s.name === 'shop-en')!.kb });
const fixture = loadParaphrases().find((p) => p.language === 'en-US')!;
const waiting = [...probes, ...fixture.groups.flatMap((g) => g.paraphrases), ...fixture.unrelated].slice(0, 200);
for (const q of waiting) sim.similar(q, q);
const nearestTime = time((q) => sim.nearest(q, waiting));
console.log(`similarity.nearest over ${waiting.length} waiting questions (quietest of 5 rounds): p50 ${nearestTime.p50.toFixed(2)} ms, p99 ${nearestTime.p99.toFixed(2)} ms, CPU ${nearestTime.cpuMs.toFixed(2)} ms per call`);

/** A shop catalogue: 5,000 Q&A entries over products, attributes and policies, deterministic. */
function syntheticKb(n: number): KnowledgeBase {
  const products = ['headphones', 'speaker', 'sneakers', 'jacket', 'backpack', 'watch', 'lamp', 'blender', 'kettle', 'camera', 'tent', 'bike', 'helmet', 'mattress', 'sofa', 'drone', 'tablet', 'charger', 'keyboard', 'monitor'];
  const lines = ['Nova', 'Aero', 'Terra', 'Luma', 'Orbit', 'Pulse', 'Vista', 'Zen', 'Flux', 'Peak'];
  const topics: Array<[string, string]> = [
    ['How much is the {p}?', 'The {p} costs {n} dollars.'], ['What colors does the {p} come in?', 'The {p} comes in black, white and {c}.'],
    ['How long is the warranty on the {p}?', 'The {p} has a {k}-year warranty.'], ['How much does the {p} weigh?', 'The {p} weighs {n} grams.'],
    ['Is the {p} waterproof?', 'The {p} is rated IPX{k}.'], ['When will the {p} be back in stock?', 'The {p} is back in stock in {k} weeks.'],
    ['What sizes does the {p} come in?', 'The {p} comes in sizes S to XL.'], ['What is the {p} made of?', 'The {p} is made of recycled {c} fabric.'],
    ['Can I return the {p}?', 'You can return the {p} within {n} days.'], ['Does the {p} ship internationally?', 'The {p} ships to {k}0 countries.'],
  ];
  const colors = ['red', 'green', 'blue', 'sand', 'olive', 'navy'];
  const qa: KnowledgeBase['qa'] = [];
  for (let i = 0; qa.length < n; i++) {
    const p = `${lines[i % lines.length]} ${products[Math.floor(i / lines.length) % products.length]} ${Math.floor(i / 200) + 1}`;
    const [q, a] = topics[Math.floor(i / (lines.length * products.length)) % topics.length]!;
    const fill = (s: string): string => s.replaceAll('{p}', p).replaceAll('{n}', String(10 + (i % 90))).replaceAll('{k}', String(1 + (i % 5))).replaceAll('{c}', colors[i % colors.length]!);
    qa.push({ question: fill(q), answer: fill(a) });
  }
  return { qa, facts: [] };
}
