import { describe, expect, it } from 'vitest';
import { assertAssetKey, assetKeyFor, InvalidAssetKeyError } from './asset-key.js';

describe('assetKeyFor', () => {
  it('is a sha256 hex content address, stable for the same line', () => {
    const a = assetKeyFor('flite', 'en-US-male', { speed: 'medium', pitch: 0, volumeDb: 0 }, 'Hello');
    expect(a).toMatch(/^[a-f0-9]{64}$/);
    expect(assetKeyFor('flite', 'en-US-male', { speed: 'medium', pitch: 0, volumeDb: 0 }, 'Hello')).toBe(a);
  });

  it('treats missing prosody fields as their defaults', () => {
    expect(assetKeyFor('flite', 'en-US-male', {}, 'Hello')).toBe(assetKeyFor('flite', 'en-US-male', { speed: 'medium', pitch: 0, volumeDb: 0 }, 'Hello'));
  });

  it('changes with provider, voice, prosody and text', () => {
    const base = assetKeyFor('flite', 'en-US-male', {}, 'Hello');
    expect(assetKeyFor('espeak', 'en-US-male', {}, 'Hello')).not.toBe(base);
    expect(assetKeyFor('flite', 'en-US-female', {}, 'Hello')).not.toBe(base);
    expect(assetKeyFor('flite', 'en-US-male', { speed: 'fast' }, 'Hello')).not.toBe(base);
    expect(assetKeyFor('flite', 'en-US-male', { pitch: 5 }, 'Hello')).not.toBe(base);
    expect(assetKeyFor('flite', 'en-US-male', {}, 'Hello!')).not.toBe(base);
  });
});

describe('assertAssetKey', () => {
  it.each(['../etc/passwd', `${'a'.repeat(64)}.wav/../../x`, `${'A'.repeat(64)}.wav`, `${'a'.repeat(64)}.exe`, `${'a'.repeat(63)}.wav`, '', `/${'a'.repeat(64)}.wav`])(
    'refuses %j', (key) => {
      expect(() => assertAssetKey(key)).toThrow(InvalidAssetKeyError);
    },
  );

  it('accepts a content address with a known extension', () => {
    expect(() => assertAssetKey(`${'0f'.repeat(32)}.json`)).not.toThrow();
  });
});
