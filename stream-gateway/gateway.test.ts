import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisKeys } from '../protocol/index.js';
import { previewUrl, publishUrl, signPlayToken, signPublishKey } from '../protocol/publish-key.js';
import { SECRET, inOneMinute, probe, publish, startHarness, waitFor, type Harness } from './test-support.js';

describe('stream gateway (play auth off)', () => {
  let h: Harness;
  const rtmp = () => `rtmp://127.0.0.1:${h.gateway.rtmpPort}/live`;
  const http = () => `http://127.0.0.1:${h.gateway.httpPort}/live`;

  beforeAll(async () => { h = await startHarness(false); });
  afterAll(async () => { await h?.stop(); });

  it("a publisher with the room's key goes live: the preview plays h264 + aac, and live then offline reach the bus", async () => {
    const key = signPublishKey(SECRET, 'show-1', inOneMinute());
    const publisher = publish(publishUrl(rtmp(), 'show-1', key), 4);

    const live = await waitFor('live event', () => h.events.find((e) => e.room === 'show-1' && e.state === 'live'));
    expect(live.at).toBeGreaterThan(Date.now() - 10_000);
    expect(JSON.parse(await h.redis.hget(redisKeys(h.prefix).liveStreams, 'show-1') ?? 'null')).toEqual(live);
    expect(h.gateway.liveRooms()).toEqual(['show-1']);

    const probed = await probe(previewUrl(http(), 'show-1'));
    expect(probed.codecs.sort()).toEqual(['aac', 'h264']);

    expect(await publisher.done).toBe(0);
    const offline = await waitFor('offline event', () => h.events.find((e) => e.room === 'show-1' && e.state === 'offline'));
    expect(offline.at).toBeGreaterThanOrEqual(live.at);
    expect(h.events.filter((e) => e.room === 'show-1').map((e) => e.state)).toEqual(['live', 'offline']);
    expect(await h.redis.hexists(redisKeys(h.prefix).liveStreams, 'show-1')).toBe(0);
  });

  it("a wrong key, another room's key and a play token are refused, and the log names the reason but never the key", async () => {
    const keys = {
      bad_signature: signPublishKey('not-the-gateway-secret-0123456789abcdef', 'show-2', inOneMinute()),
      wrong_room: signPublishKey(SECRET, 'show-3', inOneMinute()),
      play_token: signPlayToken(SECRET, 'show-2', inOneMinute()),
    };
    const codes = await Promise.all(Object.values(keys).map((key) => publish(publishUrl(rtmp(), 'show-2', key), 2).done));
    expect(codes.every((c) => c !== 0)).toBe(true);

    expect((await probe(previewUrl(http(), 'show-2'), 1000)).codecs).toEqual([]);
    expect(h.events.filter((e) => e.room === 'show-2')).toEqual([]);
    expect(await h.redis.hexists(redisKeys(h.prefix).liveStreams, 'show-2')).toBe(0);

    const refusals = h.logLines().map((l) => JSON.parse(l) as { msg: string; room?: string; reason?: string })
      .filter((l) => l.msg === 'publish refused' && l.room === 'show-2');
    expect(refusals.map((l) => l.reason).sort()).toEqual(['bad_signature', 'bad_signature', 'wrong_room']);
    const all = h.logLines().join('');
    for (const key of Object.values(keys)) expect(all).not.toContain(key.split('.')[2]);
  });

  it('a publish without a key, or outside /live, is refused', async () => {
    const key = signPublishKey(SECRET, 'show-4', inOneMinute());
    const codes = await Promise.all([
      publish(`${rtmp()}/show-4`, 2).done,
      publish(`rtmp://127.0.0.1:${h.gateway.rtmpPort}/other/show-4?key=${key}`, 2).done,
    ]);
    expect(codes.every((c) => c !== 0)).toBe(true);
    expect(h.events.filter((e) => e.room === 'show-4')).toEqual([]);
    const reasons = h.logLines().map((l) => JSON.parse(l) as { msg: string; reason?: string })
      .filter((l) => l.msg === 'publish refused').map((l) => l.reason);
    expect(reasons).toEqual(expect.arrayContaining(['missing_key', 'wrong_app']));
  });
});
