import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { redisKeys } from '../protocol/index.js';
import { previewUrl, publishUrl, signPlayToken, signPublishKey } from '../protocol/publish-key.js';
import { SECRET, inOneMinute, probe, publish, startHarness, waitFor, type Harness, type Publisher } from './test-support.js';

/** Opens a WS-FLV player; resolves with the first bytes, or the HTTP status that refused it. */
function wsPlay(url: string): Promise<{ status?: number; firstBytes?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('unexpected-response', (_req, res) => { resolve({ status: res.statusCode }); ws.terminate(); });
    ws.once('message', (data: Buffer) => { resolve({ firstBytes: data.subarray(0, 3).toString('latin1') }); ws.close(); });
    ws.once('error', reject);
  });
}

describe('stream gateway (play auth on)', () => {
  let h: Harness;
  let publisher: Publisher;
  const http = () => `http://127.0.0.1:${h.gateway.httpPort}/live`;
  const ws = () => `ws://127.0.0.1:${h.gateway.httpPort}/live`;

  beforeAll(async () => {
    h = await startHarness(true);
    const key = signPublishKey(SECRET, 'show-5', inOneMinute());
    publisher = publish(publishUrl(`rtmp://127.0.0.1:${h.gateway.rtmpPort}/live`, 'show-5', key), 15);
    await waitFor('live event', () => h.events.find((e) => e.room === 'show-5' && e.state === 'live'));
  });
  afterAll(async () => {
    await publisher?.done;
    await h?.stop();
  });

  it('a viewer without a token is refused with 401 over HTTP-FLV, WS-FLV and RTMP', async () => {
    expect((await fetch(previewUrl(http(), 'show-5'))).status).toBe(401);
    expect(await wsPlay(previewUrl(ws(), 'show-5'))).toEqual({ status: 401 });
    expect((await probe(`rtmp://127.0.0.1:${h.gateway.rtmpPort}/live/show-5`, 1500)).codecs).toEqual([]);
    const refusals = h.logLines().map((l) => JSON.parse(l) as { msg: string; reason?: string; protocol?: string; transport?: string })
      .filter((l) => l.msg === 'play refused' && l.reason === 'missing_key');
    expect(refusals.map((l) => l.protocol ?? l.transport).sort()).toEqual(['http-flv', 'rtmp', 'ws-flv']);
  });

  it("a publish key, another room's token or a forged token does not play", async () => {
    const forged = signPlayToken('not-the-gateway-secret-0123456789abcdef', 'show-5', inOneMinute());
    for (const token of [signPublishKey(SECRET, 'show-5', inOneMinute()), signPlayToken(SECRET, 'show-6', inOneMinute()), forged]) {
      expect((await fetch(previewUrl(http(), 'show-5', token))).status).toBe(403);
      expect(await wsPlay(previewUrl(ws(), 'show-5', token))).toEqual({ status: 403 });
    }
    expect(h.logLines().join('')).not.toContain(forged.split('.')[2]);
  });

  it("a viewer token for the room plays h264 + aac over HTTP-FLV and FLV over WS", async () => {
    const token = signPlayToken(SECRET, 'show-5', inOneMinute());
    expect((await probe(previewUrl(http(), 'show-5', token))).codecs.sort()).toEqual(['aac', 'h264']);
    expect(await wsPlay(previewUrl(ws(), 'show-5', token))).toEqual({ firstBytes: 'FLV' });
  });

  it('closing the gateway while a room is live reports it offline and cuts the publisher', async () => {
    await h.gateway.close();
    await waitFor('offline event', () => h.events.some((e) => e.room === 'show-5' && e.state === 'offline'));
    expect(h.events.filter((e) => e.room === 'show-5').map((e) => e.state)).toEqual(['live', 'offline']);
    expect(await h.redis.hlen(redisKeys(h.prefix).liveStreams)).toBe(0);
    expect(await publisher.done).not.toBe(0);
  });
});
