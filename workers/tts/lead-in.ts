import type { SpeechTimeline } from '../../protocol/index.js';
import type { SynthesisResult } from './voice-provider.js';
import { decodeWav, encodeWav } from './wav.js';

/** Silence kept before the first sound: a cut-off breath or plosive sounds clipped. */
export const LEAD_IN_KEEP_MS = 30;
/** A 2 ms window louder than this (s16 RMS, about −47 dBFS) is sound, not silence. */
const SOUND_RMS = 150;
const WINDOW_MS = 2;

/** Where the first sound of the samples starts (ms), or null when there is none. */
export function firstSoundMs(samples: Int16Array, sampleRate: number): number | null {
  const win = Math.max(1, Math.round((sampleRate * WINDOW_MS) / 1000));
  for (let start = 0; start + win <= samples.length; start += win) {
    let sum = 0;
    for (let i = start; i < start + win; i++) sum += samples[i]! * samples[i]!;
    if (Math.sqrt(sum / win) > SOUND_RMS) return (start * 1000) / sampleRate;
  }
  return null;
}

/** The timeline with every time `shiftMs` earlier (none before 0; one viseme per instant). */
export function shiftTimeline(timeline: SpeechTimeline, shiftMs: number): SpeechTimeline {
  const at = (t: number) => Math.max(0, t - shiftMs);
  const visemes: SpeechTimeline['visemes'] = [];
  for (const v of timeline.visemes) {
    const moved = { viseme: v.viseme, timeMs: at(v.timeMs) };
    // Visemes that all land on 0 were the lead-in's: the last of them is the one showing.
    if (visemes.length && visemes[visemes.length - 1]!.timeMs === moved.timeMs) visemes[visemes.length - 1] = moved;
    else visemes.push(moved);
  }
  const words = timeline.words.map((w) => {
    const startMs = at(w.startMs);
    return { text: w.text, startMs, durationMs: Math.max(0, w.durationMs - (startMs - (w.startMs - shiftMs))) };
  });
  return { ...timeline, words, visemes };
}

/**
 * Voices begin a line with silence — flite's voices with 180–250 ms of it (a pause phone),
 * espeak-ng with almost none — and an answer's first audio reaches the viewer exactly that
 * much later. The silence before the first sound (beyond LEAD_IN_KEEP_MS) moves to the end
 * of the line instead: the line speaks at once, its length is unchanged, and the pause
 * before the next sentence is what the voice made it (its tail plus its lead-in).
 */
export function moveLeadInToTail(result: SynthesisResult, keepMs = LEAD_IN_KEEP_MS): SynthesisResult {
  const { samples, sampleRate } = decodeWav(result.audio);
  const onset = firstSoundMs(samples, sampleRate);
  if (onset === null) return result;
  const cut = Math.floor(((onset - keepMs) * sampleRate) / 1000);
  if (cut <= 0) return result;
  const moved = new Int16Array(samples.length);
  moved.set(samples.subarray(cut));
  // The rest of `moved` stays zero: the lead-in's silence, now after the line.
  const shiftMs = (cut * 1000) / sampleRate;
  return { ...result, audio: encodeWav(moved, sampleRate), timeline: shiftTimeline(result.timeline, shiftMs) };
}
