import { describe, expect, it } from 'vitest';
import { ipaToUnits } from './ipa.js';
import { alignUnitsToRegions, spreadWords } from './speech-alignment.js';
import { buildTimeline } from './timeline.js';
import { visemeAt } from './timeline-checks.js';

describe('ipaToUnits', () => {
  it('matches the longest IPA symbol first and ignores stress and length marks', () => {
    expect(ipaToUnits('tʃˈiːz', 'en-US').map((u) => u.viseme)).toEqual(['CH', 'ih', 'SS']);
  });

  it('drops Mandarin tone marks and aspiration', () => {
    expect(ipaToUnits('thˈiɛ5n', 'zh-CN').map((u) => u.viseme)).toEqual(['DD', 'ih', 'E', 'nn']);
    expect(ipaToUnits('χˈəɜn', 'zh-CN').map((u) => u.viseme)).toEqual(['kk', 'aa', 'nn']);
  });

  it('drops combining diacritics such as the French nasal tilde', () => {
    expect(ipaToUnits('bɔ̃ʒˈuʁ', 'fr-FR').map((u) => u.viseme)).toEqual(['PP', 'oh', 'CH', 'ou', 'RR']);
  });
});

describe('alignUnitsToRegions', () => {
  const unit = (viseme: 'aa' | 'PP', word: number) => ({ viseme, weight: 1, word });

  it('pins each clause to its own voiced region and closes the mouth in the pause between', () => {
    const regions = [{ startMs: 100, endMs: 500 }, { startMs: 800, endMs: 1000 }];
    // A long first clause and a short second one, as the two regions suggest.
    const out = alignUnitsToRegions([[unit('PP', 0), unit('aa', 0), unit('PP', 1), unit('aa', 1)], [unit('PP', 2), unit('aa', 2)]], regions);
    const timeline = buildTimeline(1100, [], out.visemes);
    expect(visemeAt(timeline, 50)).toBe('sil');
    expect(visemeAt(timeline, 650)).toBe('sil');
    expect(visemeAt(timeline, 1050)).toBe('sil');
    expect(out.words.get(2)).toEqual({ startMs: 800, endMs: 1000 });
    expect(out.words.get(0)!.startMs).toBe(100);
    expect(out.words.get(1)!.endMs).toBe(500);
  });

  it('resumes a phone that straddles a pause when clauses and pauses disagree', () => {
    const out = alignUnitsToRegions([[unit('aa', 0)]], [{ startMs: 0, endMs: 100 }, { startMs: 300, endMs: 400 }]);
    expect(out.visemes).toEqual([
      { viseme: 'aa', timeMs: 0 }, { viseme: 'sil', timeMs: 100 }, { viseme: 'aa', timeMs: 300 }, { viseme: 'sil', timeMs: 400 },
    ]);
  });

  it('spreads words by length when there are no phones', () => {
    const words = spreadWords([['a', 'bbb'], ['cc']], [{ startMs: 0, endMs: 600 }, { startMs: 900, endMs: 1200 }]);
    expect(words.map((w) => [w.text, w.startMs])).toEqual([['a', 0], ['bbb', 200], ['cc', 900]]);
  });
});

describe('buildTimeline', () => {
  it('clamps into the audio, orders, merges repeats and closes the mouth at both ends', () => {
    const t = buildTimeline(500, [{ text: 'x', startMs: 400, durationMs: 300 }], [
      { viseme: 'aa', timeMs: 200 }, { viseme: 'aa', timeMs: 250 }, { viseme: 'PP', timeMs: 100 }, { viseme: 'E', timeMs: 900 },
    ]);
    expect(t.visemes).toEqual([
      { viseme: 'sil', timeMs: 0 }, { viseme: 'PP', timeMs: 100 }, { viseme: 'aa', timeMs: 200 }, { viseme: 'sil', timeMs: 499.9 },
    ]);
    expect(t.words).toEqual([{ text: 'x', startMs: 400, durationMs: 100 }]);
  });
});
