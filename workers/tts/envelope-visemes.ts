import type { Viseme, VisemeTiming } from '../../protocol/index.js';
import type { Region } from './envelope.js';

/** About one mouth shape per phone at conversational rate (12–15 phones/s). */
const STEP_MS = 70;

/**
 * Visemes guessed from the sound alone, for engines that return audio without marks:
 * loud stretches open the mouth (vowel shapes), quiet ones nearly close it, noisy quiet
 * ones (many zero crossings: s, f, sh) become 'SS', and pauses are 'sil'.
 */
export function envelopeVisemes(samples: Int16Array, sampleRate: number, regions: readonly Region[]): VisemeTiming[] {
  const frames: { timeMs: number; rms: number; zcr: number }[] = [];
  for (const r of regions) {
    for (let t = r.startMs; t < r.endMs; t += STEP_MS) {
      const a = Math.floor((t / 1000) * sampleRate);
      const b = Math.min(samples.length, Math.floor((Math.min(r.endMs, t + STEP_MS) / 1000) * sampleRate));
      let sum = 0;
      let crossings = 0;
      for (let i = a; i < b; i++) {
        const s = samples[i] ?? 0;
        sum += (s / 32768) ** 2;
        if (i > a && (s >= 0) !== ((samples[i - 1] ?? 0) >= 0)) crossings++;
      }
      const n = Math.max(1, b - a);
      frames.push({ timeMs: t, rms: Math.sqrt(sum / n), zcr: crossings / n });
    }
  }
  const peak = frames.reduce((m, f) => Math.max(m, f.rms), 0) || 1;
  const visemes: VisemeTiming[] = [];
  let k = 0;
  for (const r of regions) {
    for (; k < frames.length && (frames[k]?.timeMs ?? Infinity) < r.endMs; k++) {
      const f = frames[k]!;
      visemes.push({ viseme: shapeFor(f.rms / peak, f.zcr, k), timeMs: f.timeMs });
    }
    visemes.push({ viseme: 'sil', timeMs: r.endMs });
  }
  return visemes;
}

function shapeFor(level: number, zcr: number, k: number): Viseme {
  // Unvoiced fricatives are noisy: > ~0.25 crossings per sample is well above voiced speech.
  if (zcr > 0.25 && level < 0.5) return 'SS';
  if (level >= 0.6) return 'aa';
  // Alternate shapes at similar levels so the mouth does not freeze on one vowel.
  if (level >= 0.35) return k % 2 ? 'oh' : 'E';
  if (level >= 0.18) return 'ih';
  return k % 2 ? 'nn' : 'DD';
}
