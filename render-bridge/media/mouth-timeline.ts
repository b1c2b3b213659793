import { VISEME_OPENNESS, type SpeechTimeline, type Viseme, type VisemeTiming } from '../../protocol/index.js';

export interface MouthPose {
  from: Viseme;
  to: Viseme;
  weight: number;
}

export const CLOSED_MOUTH: MouthPose = Object.freeze({ from: 'sil', to: 'sil', weight: 0 }) as MouthPose;

/**
 * Co-articulation: the mouth crossfades from one viseme to the next over a window
 * centred on the boundary, at most this wide on each side. 50 ms keeps short phonemes
 * (60–100 ms) moving continuously while a long pause still closes the mouth promptly.
 */
const MAX_HALF_BLEND_MS = 50;

/** Viseme keys sorted by time, ending with a closing `sil` at the segment's end. */
export function visemeKeys(timeline: SpeechTimeline): VisemeTiming[] {
  const keys = [...timeline.visemes].sort((a, b) => a.timeMs - b.timeMs);
  const last = keys[keys.length - 1];
  if (!last || last.viseme !== 'sil') {
    keys.push({ viseme: 'sil', timeMs: Math.max(timeline.durationMs, last ? last.timeMs : 0) });
  }
  return keys;
}

/**
 * The mouth at `ms` into a segment: between two neighbouring visemes near their
 * boundary, the pure viseme elsewhere. Never stepped: the weight is continuous in time.
 */
export function mouthAt(keys: readonly VisemeTiming[], ms: number): MouthPose {
  if (keys.length === 0) return CLOSED_MOUTH;
  let i = -1; // index of the viseme holding at ms
  for (let k = 0; k < keys.length && keys[k]!.timeMs <= ms; k++) i = k;
  // Boundary candidates: the one we passed (i) and the next one (i+1).
  for (const b of [i, i + 1]) {
    if (b < 0 || b >= keys.length) continue;
    const prev: Viseme = b === 0 ? 'sil' : keys[b - 1]!.viseme;
    const next = keys[b]!;
    const before = b === 0 ? MAX_HALF_BLEND_MS * 2 : next.timeMs - keys[b - 1]!.timeMs;
    const after = b + 1 < keys.length ? keys[b + 1]!.timeMs - next.timeMs : MAX_HALF_BLEND_MS * 2;
    const half = Math.min(MAX_HALF_BLEND_MS, before / 2, after / 2);
    if (half <= 0) continue;
    const start = next.timeMs - half;
    if (ms >= start && ms < next.timeMs + half) {
      if (prev === next.viseme) break;
      return { from: prev, to: next.viseme, weight: (ms - start) / (2 * half) };
    }
  }
  const holding: Viseme = i < 0 ? 'sil' : keys[i]!.viseme;
  return { from: holding, to: holding, weight: 0 };
}

/** 0 closed … 1 open, the blend of the two visemes' openness. */
export function mouthOpenness(pose: MouthPose): number {
  const a = VISEME_OPENNESS[pose.from];
  const b = VISEME_OPENNESS[pose.to];
  return a + (b - a) * pose.weight;
}

/** Caption at `ms`: the words spoken so far, or the whole sentence when there are no word times. */
export function captionAt(timeline: SpeechTimeline, text: string, ms: number): string | null {
  if (timeline.words.length === 0) return text.trim() || null;
  const spoken = timeline.words.filter((w) => w.startMs <= ms).map((w) => w.text);
  return spoken.length > 0 ? spoken.join(' ') : null;
}
