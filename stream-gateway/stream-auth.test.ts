import { describe, expect, it } from 'vitest';
import { signPlayToken, signPublishKey } from '../protocol/publish-key.js';
import { parseFlvUrl } from './http-gate.js';
import { authorizePlay, authorizePublish } from './stream-auth.js';

const SECRET = 'k'.repeat(32);
const NOW = 1_800_000_000;

describe('stream auth', () => {
  const key = signPublishKey(SECRET, 'show-1', NOW + 60);

  it('a publish is for /live/<room> with that room\'s key only', () => {
    expect(authorizePublish({ app: 'live', name: 'show-1', query: { key } }, SECRET, NOW)).toEqual({ ok: true, room: 'show-1' });
    expect(authorizePublish({ app: 'vod', name: 'show-1', query: { key } }, SECRET, NOW)).toEqual({ ok: false, reason: 'wrong_app' });
    expect(authorizePublish({ app: 'live', name: 'Show_1', query: { key } }, SECRET, NOW)).toEqual({ ok: false, reason: 'bad_room' });
    expect(authorizePublish({ app: 'live', name: 'show-1', query: {} }, SECRET, NOW)).toEqual({ ok: false, reason: 'missing_key' });
    expect(authorizePublish({ app: 'live', name: 'show-1', query: { key: [key, key] } }, SECRET, NOW)).toEqual({ ok: false, reason: 'missing_key' });
    expect(authorizePublish({ app: 'live', name: 'show-1', query: { key } }, SECRET, NOW + 61)).toEqual({ ok: false, reason: 'expired' });
  });

  it('a play needs a play token only when play auth is on', () => {
    const token = signPlayToken(SECRET, 'show-1', NOW + 60);
    expect(authorizePlay({ app: 'live', name: 'show-1', query: {} }, SECRET, false, NOW)).toEqual({ ok: true, room: 'show-1' });
    expect(authorizePlay({ app: 'live', name: 'show-1', query: {} }, SECRET, true, NOW)).toEqual({ ok: false, reason: 'missing_key' });
    expect(authorizePlay({ app: 'live', name: 'show-1', query: { token } }, SECRET, true, NOW)).toEqual({ ok: true, room: 'show-1' });
    expect(authorizePlay({ app: 'live', name: 'show-1', query: { token: key } }, SECRET, true, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('only /<app>/<name>.flv paths reach the media server', () => {
    expect(parseFlvUrl('/live/show-1.flv?token=a.b')).toEqual({ app: 'live', name: 'show-1', query: { token: 'a.b' } });
    for (const bad of ['/live/show.1.flv', '/live/a%20b.flv', '/live/show-1', '/a/b/c.flv', '/']) expect(parseFlvUrl(bad)).toBeNull();
  });
});
