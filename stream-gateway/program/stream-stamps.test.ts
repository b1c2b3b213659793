import { afterAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { Redis } from 'ioredis';
import { redisKeys, type StreamStampReply, type StreamStampRequest } from '../../protocol/index.js';
import { deletePrefix, redisUrl, testPrefix } from '../../test/helpers/redis.js';
import { subscribeWhenReady } from '../../protocol/redis-outage.js';
import { StreamStampResponder, StreamStamps } from './stream-stamps.js';

describe('when a line\'s first packet reached the gateway', () => {
  it('is the arrival of the audio packet carrying its stream time, and the program\'s of the same packet, shifted as NMS shifts it', async () => {
    let now = 10_000;
    const stamps = new StreamStamps({ now: () => now, ingestWaitMs: 60_000, programWaitMs: 60_000 });
    stamps.published('r');
    for (const ts of [0, 21, 43, 64]) {
      now += 21;
      stamps.ingested('r', ts, 5_000);
    }
    // Asked before the packet at 85 ms arrives: the answer waits for it.
    const pending = stamps.lookup('r', 90);
    now = 20_000;
    stamps.ingested('r', 85, 5_000);
    now = 20_003;
    stamps.programmed('r', 5_064);
    now = 20_004;
    stamps.programmed('r', 5_085);
    expect(await pending).toEqual({ ingestAt: 20_000, programAt: 20_004 });
    // Already seen: answered at once.
    expect(await stamps.lookup('r', 30)).toEqual({ ingestAt: 10_042, programAt: 20_003 });
  });

  it('leaves out what it did not see in time, and a new publish starts the timestamps again', async () => {
    const stamps = new StreamStamps({ ingestWaitMs: 30, programWaitMs: 30 });
    stamps.published('r');
    stamps.ingested('r', 500, 0);
    expect(await stamps.lookup('r', 490)).toEqual({ ingestAt: expect.any(Number) });
    stamps.published('r');
    expect(await stamps.lookup('r', 490)).toEqual({});
    expect(stamps.has('other')).toBe(false);
  });
});

describe('the gateway answering a server over Redis', () => {
  const prefix = testPrefix('stamps');
  afterAll(() => deletePrefix(prefix));

  it('replies on the server instance\'s channel in a bus envelope, for rooms it has, and never on a channel the request names freely', async () => {
    const keys = redisKeys(prefix);
    const redis = new Redis(redisUrl());
    const sub = new Redis(redisUrl());
    const listen = new Redis(redisUrl());
    const stamps = new StreamStamps({ ingestWaitMs: 2_000, programWaitMs: 50 });
    stamps.published('room-a');
    stamps.ingested('room-a', 1_000, 0);
    const responder = new StreamStampResponder(redis, sub, prefix, stamps, pino({ level: 'silent' }));
    await responder.start();
    const heard: Array<{ channel: string; reply: StreamStampReply }> = [];
    listen.on('message', (channel: string, raw: string) => heard.push({ channel, reply: (JSON.parse(raw) as { d: StreamStampReply }).d }));
    // Not before it is ready (redis/ioredis#2037): the lost subscription failed this test twice under load.
    await subscribeWhenReady(listen, [keys.streamStampReplies('srv-1'), `${prefix}:bus:director:x`]);
    const ask = (req: StreamStampRequest) => redis.publish(keys.streamStampRequests, JSON.stringify({ i: 'srv-1', d: req }));
    try {
      await ask({ ref: 'forged', room: 'room-a', streamTimeMs: 990, replyTo: `${prefix}:bus:director:x` });
      await ask({ ref: 'elsewhere', room: 'room-b', streamTimeMs: 990, replyTo: keys.streamStampReplies('srv-1') });
      await redis.publish(keys.streamStampRequests, 'not json');
      await ask({ ref: 'ok', room: 'room-a', streamTimeMs: 990, replyTo: keys.streamStampReplies('srv-1') });
      // The reply comes ~50 ms after the ask; the deadline is far from that (a loaded run missed a 4 s one).
      const deadline = Date.now() + 30_000;
      while (heard.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(heard).toEqual([{ channel: keys.streamStampReplies('srv-1'), reply: { ref: 'ok', room: 'room-a', ingestAt: expect.any(Number) } }]);
    } finally {
      responder.stop();
      await Promise.all([redis.quit(), sub.quit(), listen.quit()]);
    }
  }, 60_000);
});
