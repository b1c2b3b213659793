import type { Viseme, VisemeTiming, WordTiming } from '../../protocol/index.js';
import type { Region } from './envelope.js';

export interface AlignUnit {
  viseme: Viseme;
  weight: number;
  /** Index of the word this unit belongs to. */
  word: number;
}

export interface AlignedSpeech {
  visemes: VisemeTiming[];
  /** Start/end per word index (words without units are absent). */
  words: Map<number, { startMs: number; endMs: number }>;
}

// Alignment costs in units of "fraction of the utterance": a pause inside a clause (a
// long stop closure) and a clause that runs on without a pause are both common, a
// clause boundary far from the pause it is matched to is not.
const SKIP_GAP = 0.08;
const SKIP_BOUNDARY = 0.08;

/**
 * Places phone-like units without times (espeak-ng's IPA) on the audio: units fill only
 * the voiced regions, in proportion to their weights, and clause boundaries are pinned
 * to the pauses they most plausibly produced (a monotone alignment of clause positions
 * to pause positions). During every pause the mouth is closed ('sil').
 */
export function alignUnitsToRegions(clauses: readonly AlignUnit[][], regions: readonly Region[]): AlignedSpeech {
  const units = clauses.flat();
  const W = units.reduce((s, u) => s + u.weight, 0);
  const V = regions.reduce((s, r) => s + (r.endMs - r.startMs), 0);
  const words = new Map<number, { startMs: number; endMs: number }>();
  if (!units.length || !regions.length || W <= 0 || V <= 0) return { visemes: [], words };

  // Voiced offset at each gap, and weight offset at each clause boundary.
  const regionStartV: number[] = [];
  let acc = 0;
  for (const r of regions) {
    regionStartV.push(acc);
    acc += r.endMs - r.startMs;
  }
  const gapsV = regionStartV.slice(1);
  const boundariesW: number[] = [];
  let wAcc = 0;
  clauses.forEach((c, i) => {
    if (i > 0 && c.length) boundariesW.push(wAcc);
    wAcc += c.reduce((s, u) => s + u.weight, 0);
  });
  const anchors = alignAnchors(boundariesW.map((w) => w / W), gapsV.map((g) => g / V))
    .map(([b, g]) => ({ w: boundariesW[b]!, v: gapsV[g]! }));
  anchors.unshift({ w: 0, v: 0 });
  anchors.push({ w: W, v: V });

  const toVoiced = (w: number): number => {
    for (let k = 1; k < anchors.length; k++) {
      const a = anchors[k - 1]!;
      const b = anchors[k]!;
      if (w <= b.w || k === anchors.length - 1) {
        return b.w === a.w ? b.v : a.v + ((w - a.w) / (b.w - a.w)) * (b.v - a.v);
      }
    }
    return V;
  };
  // Voiced offset → real time. At a gap, a start belongs to the next region, an end to the previous.
  const toReal = (v: number, side: 'start' | 'end'): number => {
    const eps = 1e-6;
    for (let k = 0; k < regions.length; k++) {
      const r = regions[k]!;
      const vEnd = regionStartV[k]! + (r.endMs - r.startMs);
      if (side === 'start' ? v < vEnd - eps : v <= vEnd + eps) return r.startMs + Math.max(0, v - regionStartV[k]!);
    }
    return regions[regions.length - 1]!.endMs;
  };

  const spans: { unit: AlignUnit; sv: number; ev: number }[] = [];
  let cw = 0;
  for (const unit of units) {
    spans.push({ unit, sv: toVoiced(cw), ev: toVoiced(cw + unit.weight) });
    cw += unit.weight;
  }
  const visemes: VisemeTiming[] = [];
  for (const s of spans) {
    if (s.ev - s.sv <= 1e-6) continue; // squeezed to nothing by an anchor
    visemes.push({ viseme: s.unit.viseme, timeMs: toReal(s.sv, 'start') });
    const start = toReal(s.sv, 'start');
    const end = toReal(s.ev, 'end');
    const w = words.get(s.unit.word);
    if (w) w.endMs = Math.max(w.endMs, end);
    else words.set(s.unit.word, { startMs: start, endMs: end });
  }
  // Close the mouth in every pause; a unit that straddles one resumes after it.
  regions.forEach((r, k) => {
    visemes.push({ viseme: 'sil', timeMs: r.endMs });
    const next = regions[k + 1];
    if (!next) return;
    const gv = regionStartV[k + 1]!;
    const straddling = spans.find((s) => s.sv < gv - 1e-6 && s.ev > gv + 1e-6);
    if (straddling) visemes.push({ viseme: straddling.unit.viseme, timeMs: next.startMs });
  });
  visemes.sort((a, b) => a.timeMs - b.timeMs);
  return { visemes, words };
}

/** Monotone matching of clause boundaries to gaps (both as 0..1 fractions); returns [boundary, gap] pairs. */
function alignAnchors(boundaries: readonly number[], gaps: readonly number[]): [number, number][] {
  const n = boundaries.length;
  const m = gaps.length;
  const cost: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = 1; i <= n; i++) cost[i]![0] = i * SKIP_BOUNDARY;
  for (let j = 1; j <= m; j++) cost[0]![j] = j * SKIP_GAP;
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      cost[i]![j] = Math.min(
        cost[i - 1]![j - 1]! + Math.abs(boundaries[i - 1]! - gaps[j - 1]!),
        cost[i - 1]![j]! + SKIP_BOUNDARY,
        cost[i]![j - 1]! + SKIP_GAP,
      );
    }
  }
  const pairs: [number, number][] = [];
  let i = n;
  let j = m;
  while (i > 0 && j > 0) {
    const here = cost[i]![j]!;
    if (Math.abs(here - (cost[i - 1]![j - 1]! + Math.abs(boundaries[i - 1]! - gaps[j - 1]!))) < 1e-9) {
      pairs.unshift([i - 1, j - 1]);
      i--; j--;
    } else if (Math.abs(here - (cost[i - 1]![j]! + SKIP_BOUNDARY)) < 1e-9) {
      i--;
    } else {
      j--;
    }
  }
  return pairs;
}

/**
 * Words without any timing source (OpenAI audio, or text espeak-ng split differently):
 * spread over the voiced time in proportion to their length, clause by clause, with
 * clause ends pinned to pauses the same way phones are.
 */
export function spreadWords(clauses: readonly (readonly string[])[], regions: readonly Region[]): WordTiming[] {
  const flat: string[] = [];
  const units: AlignUnit[][] = clauses.map((clause) => clause.map((w) => {
    flat.push(w);
    return { viseme: 'aa' as const, weight: Array.from(w).length + 1, word: flat.length - 1 };
  }));
  const aligned = alignUnitsToRegions(units, regions);
  return flat.flatMap((text, i) => {
    const t = aligned.words.get(i);
    return t ? [{ text, startMs: t.startMs, durationMs: t.endMs - t.startMs }] : [];
  });
}
