export interface Region {
  startMs: number;
  endMs: number;
}

export interface EnvelopeOptions {
  /** Analysis hop; 10 ms is the usual speech frame and finer than any viseme. */
  frameMs?: number;
  /** A frame is voiced when its RMS is within this many dB of the loudest frame. */
  relativeDb?: number;
  /** …and above this absolute RMS (full scale = 1), so near-digital silence never counts. */
  floor?: number;
  /** Quieter stretches shorter than this are stop closures inside words, not pauses. */
  minGapMs?: number;
  /** Voiced blips shorter than this are clicks or breaths, not speech. */
  minVoicedMs?: number;
}

/** RMS per frame, full scale = 1. */
export function frameRms(samples: Int16Array, sampleRate: number, frameMs = 10): Float64Array {
  const hop = Math.max(1, Math.round((sampleRate * frameMs) / 1000));
  const frames = Math.ceil(samples.length / hop);
  const out = new Float64Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    const end = Math.min(samples.length, (f + 1) * hop);
    for (let i = f * hop; i < end; i++) {
      const s = (samples[i] ?? 0) / 32768;
      sum += s * s;
    }
    out[f] = Math.sqrt(sum / Math.max(1, end - f * hop));
  }
  return out;
}

/** Where speech is audible: the stretches a mouth should be moving in. */
export function voicedRegions(samples: Int16Array, sampleRate: number, opts: EnvelopeOptions = {}): Region[] {
  const frameMs = opts.frameMs ?? 10;
  const rms = frameRms(samples, sampleRate, frameMs);
  let peak = 0;
  for (const v of rms) peak = Math.max(peak, v);
  const threshold = Math.max(opts.floor ?? 0.004, peak * 10 ** ((opts.relativeDb ?? -32) / 20));
  const durationMs = (samples.length / sampleRate) * 1000;

  const raw: Region[] = [];
  let start = -1;
  for (let f = 0; f <= rms.length; f++) {
    const on = f < rms.length && (rms[f] ?? 0) >= threshold;
    if (on && start < 0) start = f;
    if (!on && start >= 0) {
      raw.push({ startMs: start * frameMs, endMs: Math.min(durationMs, f * frameMs) });
      start = -1;
    }
  }
  const minGap = opts.minGapMs ?? 90;
  const merged: Region[] = [];
  for (const r of raw) {
    const last = merged[merged.length - 1];
    if (last && r.startMs - last.endMs < minGap) last.endMs = r.endMs;
    else merged.push({ ...r });
  }
  return merged.filter((r) => r.endMs - r.startMs >= (opts.minVoicedMs ?? 40));
}
