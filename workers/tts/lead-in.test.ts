import { describe, expect, it } from 'vitest';
import { FliteProvider } from './flite-provider.js';
import { firstSoundMs, LEAD_IN_KEEP_MS, moveLeadInToTail, shiftTimeline } from './lead-in.js';
import { timelineProblems } from './timeline-checks.js';
import { decodeWav, encodeWav } from './wav.js';
import type { SynthesisResult } from './voice-provider.js';

describe('the lead-in silence of a line', () => {
  it('moves from the start of a real flite line to its end: it speaks at once, as long as before, the timeline shifted with it', async () => {
    const original = await new FliteProvider().synthesize({ text: 'The kettle costs twelve dollars.', language: 'en-US', voice: 'en-US-female', prosody: {} });
    const before = decodeWav(original.audio);
    const onset = firstSoundMs(before.samples, before.sampleRate)!;
    // flite's voices open with a pause phone of about 200 ms: what this removes from the wait.
    expect(onset).toBeGreaterThan(100);

    const moved = moveLeadInToTail(original);
    const after = decodeWav(moved.audio);
    expect(after.samples.length).toBe(before.samples.length);
    expect(moved.timeline.durationMs).toBe(original.timeline.durationMs);
    const newOnset = firstSoundMs(after.samples, after.sampleRate)!;
    expect(newOnset).toBeLessThanOrEqual(LEAD_IN_KEEP_MS);
    expect(newOnset).toBeGreaterThanOrEqual(LEAD_IN_KEEP_MS - 2);

    // The same sound, only earlier; what was cut from the start is silence at the end.
    const cut = Math.round(((onset - newOnset) * before.sampleRate) / 1000);
    expect(after.samples.subarray(after.samples.length - cut).every((x) => x === 0)).toBe(true);
    for (let i = 0; i < 2000; i++) expect(after.samples[i + Math.floor((newOnset * after.sampleRate) / 1000)]).toBe(before.samples[i + Math.floor((onset * before.sampleRate) / 1000)]);

    const shiftMs = onset - newOnset;
    expect(timelineProblems(moved.timeline)).toEqual([]);
    expect(moved.timeline.words.map((w) => w.text)).toEqual(original.timeline.words.map((w) => w.text));
    moved.timeline.words.forEach((w, i) => expect(w.startMs).toBeCloseTo(original.timeline.words[i]!.startMs - shiftMs, 0));
    // The first word begins where the sound does.
    expect(moved.timeline.words[0]!.startMs).toBeLessThan(LEAD_IN_KEEP_MS + 40);
  });

  it('leaves a line that starts speaking at once, and a silent one, as they are', () => {
    const rate = 16_000;
    const tone = new Int16Array(rate / 2).map((_, i) => Math.round(8000 * Math.sin(i / 5)));
    const timeline = { durationMs: 500, words: [{ text: 'hi', startMs: 0, durationMs: 400 }], visemes: [{ viseme: 'aa' as const, timeMs: 0 }, { viseme: 'sil' as const, timeMs: 450 }] };
    const speaking: SynthesisResult = { audio: encodeWav(tone, rate), sampleRate: rate, channels: 1, timeline };
    expect(moveLeadInToTail(speaking)).toBe(speaking);
    const silent: SynthesisResult = { ...speaking, audio: encodeWav(new Int16Array(rate / 2), rate) };
    expect(moveLeadInToTail(silent)).toBe(silent);
  });

  it('shifts visemes and words earlier without any going below zero or two sharing an instant', () => {
    const shifted = shiftTimeline({
      durationMs: 1000,
      words: [{ text: 'a', startMs: 150, durationMs: 100 }],
      visemes: [{ viseme: 'sil', timeMs: 0 }, { viseme: 'PP', timeMs: 120 }, { viseme: 'aa', timeMs: 200 }, { viseme: 'sil', timeMs: 900 }],
    }, 150);
    expect(shifted.visemes).toEqual([{ viseme: 'PP', timeMs: 0 }, { viseme: 'aa', timeMs: 50 }, { viseme: 'sil', timeMs: 750 }]);
    expect(shifted.words).toEqual([{ text: 'a', startMs: 0, durationMs: 100 }]);
  });
});
