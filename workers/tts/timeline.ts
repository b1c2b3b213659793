import type { SpeechTimeline, Viseme, VisemeTiming, WordTiming } from '../../protocol/index.js';

const round = (ms: number) => Math.round(ms * 10) / 10;

/**
 * The one place every provider's raw marks become a protocol timeline, so all of them
 * obey the same rules: times rounded to 0.1 ms and clamped inside the audio, visemes
 * ordered, a viseme hidden by a later one at the same instant dropped, repeats merged,
 * the mouth closed ('sil') at 0 until speech starts and again when it ends.
 */
export function buildTimeline(durationMs: number, words: WordTiming[], visemes: VisemeTiming[]): SpeechTimeline {
  const duration = round(Math.max(0, durationMs));
  // Strictly before the end: a viseme at the last sample would never be seen.
  const lastInstant = Math.max(0, duration - 0.1);
  const clamp = (t: number) => Math.min(Math.max(0, round(t)), lastInstant);

  const sorted = visemes
    .map((v, i) => ({ viseme: v.viseme, timeMs: clamp(v.timeMs), i }))
    .sort((a, b) => a.timeMs - b.timeMs || a.i - b.i);
  const out: VisemeTiming[] = [];
  for (const v of sorted) {
    const prev = out[out.length - 1];
    if (prev && prev.timeMs === v.timeMs) out.pop();
    const before = out[out.length - 1];
    if (before && before.viseme === v.viseme) continue;
    out.push({ viseme: v.viseme, timeMs: v.timeMs });
  }
  if (out.length === 0 || (out[0]?.timeMs ?? 0) > 0) out.unshift({ viseme: 'sil', timeMs: 0 });
  const last = out[out.length - 1];
  if (last && last.viseme !== 'sil') {
    if (last.timeMs < lastInstant) out.push({ viseme: 'sil', timeMs: lastInstant });
    else if (out[out.length - 2]?.viseme === 'sil') out.pop();
    else last.viseme = 'sil';
  }

  const timedWords = words
    .filter((w) => w.text.length > 0)
    .map((w) => {
      const start = Math.min(Math.max(0, round(w.startMs)), duration);
      const end = Math.min(Math.max(start, round(w.startMs + w.durationMs)), duration);
      return { text: w.text, startMs: start, durationMs: round(end - start) };
    })
    .sort((a, b) => a.startMs - b.startMs);
  return { durationMs: duration, words: timedWords, visemes: out };
}

export interface TimedUnit {
  viseme: Viseme;
  startMs: number;
  endMs: number;
}

/** Visemes of consecutive units; a gap between units closes the mouth. */
export function visemesOfUnits(units: readonly TimedUnit[]): VisemeTiming[] {
  const out: VisemeTiming[] = [];
  let lastEnd = 0;
  for (const u of units) {
    if (u.startMs > lastEnd + 1) out.push({ viseme: 'sil', timeMs: lastEnd });
    out.push({ viseme: u.viseme, timeMs: u.startMs });
    lastEnd = Math.max(lastEnd, u.endMs);
  }
  out.push({ viseme: 'sil', timeMs: lastEnd });
  return out;
}
