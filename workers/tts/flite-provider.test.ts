import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { UnsupportedLanguageError } from './errors.js';
import { FliteProvider, parseFliteSegments } from './flite-provider.js';
import { timelineProblems, visemeAt } from './timeline-checks.js';
import { decodeWav } from './wav.js';

const run = promisify(execFile);
const TEXT = 'Hello world, this is a test.';

describe('FliteProvider (real flite)', () => {
  const flite = new FliteProvider();

  it('produces a timeline whose visemes are ordered, inside the audio, with pauses as sil and flite\'s own word times', async () => {
    const result = await flite.synthesize({ text: TEXT, language: 'en-US', voice: 'en-US-male', prosody: {} });
    const { timeline } = result;
    const audio = decodeWav(result.audio);
    expect(result.sampleRate).toBe(16000);
    expect(audio.sampleRate).toBe(16000);
    const audioMs = (audio.samples.length / audio.sampleRate) * 1000;
    expect(timeline.durationMs).toBeCloseTo(audioMs, 0);
    expect(timelineProblems(timeline)).toEqual([]);
    for (const v of timeline.visemes) expect(v.timeMs).toBeLessThan(audioMs);

    // flite's own segments for the same voice and settings.
    const { stdout } = await run('flite', ['-voice', 'rms', '--setf', 'duration_stretch=1', '--setf', 'f0_shift=1.00', '-psdur', '-t', TEXT, '-o', 'none']);
    const phones = parseFliteSegments(stdout);
    expect(phones.map((p) => p.phone).join(' ')).toBe('pau hh ax l ow w er l d pau dh ih s ih z ax t eh s t pau');
    const ends = phones.map((p) => p.endMs);
    const startOf = (i: number) => (i === 0 ? 0 : ends[i - 1]!);

    // Every pause is 'sil' in its middle.
    phones.forEach((p, i) => {
      const mid = (startOf(i) + Math.min(p.endMs, audioMs)) / 2;
      if (p.phone === 'pau' && mid < audioMs) expect(visemeAt(timeline, mid)).toBe('sil');
    });

    // Words: "hello" is phones 1–4, "world" 5–8, "this" 10–12, "is" 13–14, "a" 15, "test" 16–19.
    const expected: [string, number, number][] = [
      ['Hello', 1, 4], ['world', 5, 8], ['this', 10, 12], ['is', 13, 14], ['a', 15, 15], ['test', 16, 19],
    ];
    expect(timeline.words.map((w) => w.text)).toEqual(expected.map(([t]) => t));
    timeline.words.forEach((w, k) => {
      const [, first, last] = expected[k]!;
      expect(w.startMs).toBeCloseTo(startOf(first), 0);
      expect(w.startMs + w.durationMs).toBeCloseTo(Math.min(ends[last]!, timeline.durationMs), 0);
    });
    // And each viseme sits on a phone start.
    const starts = new Set(phones.map((_, i) => Math.round(startOf(i))));
    for (const v of timeline.visemes.slice(1, -1)) expect(starts.has(Math.round(v.timeMs))).toBe(true);
  });

  it('speaks slower at x-slow than at x-fast', async () => {
    const req = { text: 'Speed changes the length of speech.', language: 'en-US', voice: 'en-US-female' } as const;
    const slow = await flite.synthesize({ ...req, prosody: { speed: 'x-slow' } });
    const fast = await flite.synthesize({ ...req, prosody: { speed: 'x-fast' } });
    expect(slow.timeline.durationMs).toBeGreaterThan(fast.timeline.durationMs * 1.5);
    expect(timelineProblems(slow.timeline)).toEqual([]);
  });

  it('names words as flite speaks them when it expands abbreviations and numbers', async () => {
    const result = await flite.synthesize({ text: 'Dr. Smith paid 25 dollars.', language: 'en-GB', voice: 'en-GB-male', prosody: {} });
    expect(result.timeline.words.map((w) => w.text)).toEqual(['doctor', 'smith', 'paid', 'twenty', 'five', 'dollars']);
    expect(timelineProblems(result.timeline)).toEqual([]);
  });

  it('refuses languages other than English', async () => {
    expect(flite.supports('fr-FR')).toBe(false);
    await expect(flite.synthesize({ text: 'Bonjour', language: 'fr-FR', voice: 'fr-FR-female', prosody: {} }))
      .rejects.toBeInstanceOf(UnsupportedLanguageError);
  });
});
