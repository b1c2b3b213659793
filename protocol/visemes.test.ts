import { describe, expect, it } from 'vitest';
import { ARPABET_TO_VISEME, IPA_TO_VISEME, POLLY_TO_VISEME, VISEMES, isViseme } from './visemes.js';

describe('viseme mappings', () => {
  it('the canonical set is the 15 OVR visemes', () => {
    expect(VISEMES).toHaveLength(15);
    expect(new Set(VISEMES).size).toBe(15);
  });
  it.each([['ARPAbet', ARPABET_TO_VISEME], ['Polly', POLLY_TO_VISEME], ['IPA', IPA_TO_VISEME]])(
    'every %s symbol maps into the canonical set', (_name, table) => {
      for (const [symbol, viseme] of Object.entries(table)) expect(isViseme(viseme), symbol).toBe(true);
    });
  it('bilabials close the mouth and open vowels open it', () => {
    expect(ARPABET_TO_VISEME.m).toBe('PP');
    expect(ARPABET_TO_VISEME.aa).toBe('aa');
    expect(POLLY_TO_VISEME.p).toBe('PP');
    expect(IPA_TO_VISEME['ʃ']).toBe('CH');
  });
});
