import { describe, expect, it } from 'vitest';
import {
  previewUrl, publishUrl, signPlayToken, signPublishKey, verifyPlayToken, verifyPublishKey,
} from './publish-key.js';

const SECRET = 'publish-secret-0123456789abcdef0123456789';
const NOW = 1_800_000_000;

describe('publish keys', () => {
  it('a key signed for a room publishes that room until it expires', () => {
    const key = signPublishKey(SECRET, 'show-1', NOW + 60);
    expect(key).toMatch(/^show-1\.1800000060\.[A-Za-z0-9_-]{43}$/);
    expect(verifyPublishKey(SECRET, key, 'show-1', NOW)).toEqual({ ok: true, room: 'show-1', expiresAtSec: NOW + 60 });
  });

  it('a key signed with another secret is refused', () => {
    const key = signPublishKey('another-secret-0123456789abcdef0123456', 'show-1', NOW + 60);
    expect(verifyPublishKey(SECRET, key, 'show-1', NOW)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('an expired key is refused', () => {
    const key = signPublishKey(SECRET, 'show-1', NOW);
    expect(verifyPublishKey(SECRET, key, 'show-1', NOW)).toEqual({ ok: false, reason: 'expired' });
  });

  it("another room's key is refused", () => {
    const key = signPublishKey(SECRET, 'show-2', NOW + 60);
    expect(verifyPublishKey(SECRET, key, 'show-1', NOW)).toEqual({ ok: false, reason: 'wrong_room' });
  });

  it('a key with its room, expiry or signature edited is refused', () => {
    const key = signPublishKey(SECRET, 'show-2', NOW + 60);
    const [room, exp, sig] = key.split('.') as [string, string, string];
    expect(verifyPublishKey(SECRET, `show-1.${exp}.${sig}`, 'show-1', NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyPublishKey(SECRET, `${room}.${Number(exp) + 3600}.${sig}`, 'show-2', NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    const flipped = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
    expect(verifyPublishKey(SECRET, `${room}.${exp}.${flipped}`, 'show-2', NOW)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('missing or malformed keys are refused without throwing', () => {
    for (const key of [undefined, null, '', 'show-1', 'show-1.abc.def', `show-1.${NOW}.short`, `Show.${NOW}.${'a'.repeat(43)}`]) {
      expect(verifyPublishKey(SECRET, key, 'show-1', NOW)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('a play token cannot publish and a publish key cannot play', () => {
    const play = signPlayToken(SECRET, 'show-1', NOW + 60);
    const publish = signPublishKey(SECRET, 'show-1', NOW + 60);
    expect(verifyPublishKey(SECRET, play, 'show-1', NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyPlayToken(SECRET, publish, 'show-1', NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyPlayToken(SECRET, play, 'show-1', NOW).ok).toBe(true);
  });

  it('signing refuses an empty secret, a bad room and a bad expiry', () => {
    expect(() => signPublishKey('', 'show-1', NOW)).toThrow(/secret/);
    expect(() => signPublishKey(SECRET, 'Show/1', NOW)).toThrow(/room/);
    expect(() => signPublishKey(SECRET, 'show-1', 1.5)).toThrow(/expiresAtSec/);
  });

  it('urls put the key in the query and keep the room path predictable', () => {
    expect(publishUrl('rtmp://gw:1935/live/', 'show-1', 'show-1.1.x')).toBe('rtmp://gw:1935/live/show-1?key=show-1.1.x');
    expect(previewUrl('http://gw:8000/live', 'show-1')).toBe('http://gw:8000/live/show-1.flv');
    expect(previewUrl('http://gw:8000/live', 'show-1', 't.1.x')).toBe('http://gw:8000/live/show-1.flv?token=t.1.x');
  });
});
