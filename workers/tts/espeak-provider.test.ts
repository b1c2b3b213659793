import { describe, expect, it } from 'vitest';
import type { Language, VoiceId } from '../../protocol/index.js';
import { frameRms } from './envelope.js';
import { EspeakProvider, parseEspeakIpa } from './espeak-provider.js';
import { timelineProblems, visemeAt } from './timeline-checks.js';
import { decodeWav } from './wav.js';

/** Silent stretches of at least `minMs`, found independently of the provider's own analysis. */
function silences(samples: Int16Array, sampleRate: number, minMs = 150): { startMs: number; endMs: number }[] {
  const rms = frameRms(samples, sampleRate, 10);
  const peak = Math.max(...rms);
  const out: { startMs: number; endMs: number }[] = [];
  let start = -1;
  for (let f = 0; f <= rms.length; f++) {
    const quiet = f < rms.length && (rms[f] ?? 0) < peak * 0.01;
    if (quiet && start < 0) start = f;
    if (!quiet && start >= 0) {
      if ((f - start) * 10 >= minMs) out.push({ startMs: start * 10, endMs: f * 10 });
      start = -1;
    }
  }
  return out;
}

describe('EspeakProvider (real espeak-ng)', () => {
  const espeak = new EspeakProvider();

  it.each([
    ['zh-CN', 'zh-CN-female', '你好，世界。今天天气很好。'],
    ['fr-FR', 'fr-FR-female', 'Bonjour tout le monde. Comment allez-vous?'],
    ['de-DE', 'de-DE-male', 'Guten Tag, meine Damen und Herren.'],
  ] as [Language, VoiceId, string][])('speaks %s with a timeline that is sil during silence', async (language, voice, text) => {
    const result = await espeak.synthesize({ text, language, voice, prosody: {} });
    const audio = decodeWav(result.audio);
    expect(result.sampleRate).toBe(22050);
    expect(audio.samples.length).toBeGreaterThan(22050 * 0.5);
    expect(audio.samples.some((s) => Math.abs(s) > 1000)).toBe(true);

    const { timeline } = result;
    expect(timelineProblems(timeline)).toEqual([]);
    expect(timeline.visemes.filter((v) => v.viseme !== 'sil').length).toBeGreaterThan(8);
    expect(timeline.words.length).toBeGreaterThan(2);

    const quiet = silences(audio.samples, audio.sampleRate);
    // Each text has a clause break, so there is a pause inside the speech, not only at its ends.
    expect(quiet.some((q) => q.startMs > 100 && q.endMs < timeline.durationMs - 100)).toBe(true);
    for (const q of quiet) expect(visemeAt(timeline, (q.startMs + q.endMs) / 2)).toBe('sil');
    // And the mouth moves while there is sound.
    const loudMid = timeline.words[0]!.startMs + timeline.words[0]!.durationMs / 2;
    expect(visemeAt(timeline, loudMid)).not.toBe('sil');
  });

  it('names Chinese words per character and French words as written', async () => {
    const zh = await espeak.synthesize({ text: '你好，世界。', language: 'zh-CN', voice: 'zh-CN-female', prosody: {} });
    expect(zh.timeline.words.map((w) => w.text)).toEqual(['你', '好', '世', '界']);
    const fr = await espeak.synthesize({ text: "Bonjour, c'est moi.", language: 'fr-FR', voice: 'fr-FR-female', prosody: { speed: 'slow' } });
    expect(fr.timeline.words.map((w) => w.text)).toEqual(['Bonjour', "c'est", 'moi']);
  });

  it('reads IPA clauses and drops language-switch markers', () => {
    expect(parseEspeakIpa('(en)həlˈoʊ(cmn) nˈiɜ\nwˈo2\n\n')).toEqual([['həlˈoʊ', 'nˈiɜ'], ['wˈo2']]);
  });
});
