import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { SessionStore } from './session-store.js';
import { deletePrefix, redisUrl, testPrefix } from '../../test/helpers/redis.js';
import { whenReady } from '../../protocol/redis-outage.js';

describe('session store', () => {
  const prefix = testPrefix('sess');
  const conns: Redis[] = [];
  const connect = () => { const c = new Redis(redisUrl()); conns.push(c); return c; };
  afterEach(async () => {
    await Promise.all(conns.splice(0).map((c) => c.quit()));
    await deletePrefix(prefix);
  });

  it('a frame for a session nobody holds is numbered and kept for its resume', async () => {
    const store = new SessionStore(connect(), prefix, 60);
    const s = await store.create('operator', 'tok-1', 'tok-1');
    expect(await store.deliverRemote(s.sessionId, { type: 'ack', ref: 'a' })).toBe(1);
    expect(await store.deliverRemote(s.sessionId, { type: 'ack', ref: 'b' })).toBe(2);
    const missed = await store.since(s.sessionId, 1);
    expect(missed.map((f) => JSON.parse(f.raw))).toEqual([{ seq: 2, type: 'ack', ref: 'b' }]);
    expect(await store.deliverRemote('s-gone', { type: 'ack', ref: 'x' })).toBe(-1);
  });

  it('a frame for a held session goes to the holder, unnumbered, and is not stored', async () => {
    const store = new SessionStore(connect(), prefix, 60);
    const s = await store.create('render-host', 'tok-2', 'h1');
    const sub = connect();
    const got = new Promise<string>((resolve) => sub.on('message', (_c, m) => resolve(m)));
    await whenReady(sub);
    await sub.subscribe(store.channel(s.sessionId));
    expect(await store.deliverRemote(s.sessionId, { type: 'ack', ref: 'c' })).toBe(0);
    expect(JSON.parse(await got)).toEqual({ i: '*', d: { u: { type: 'ack', ref: 'c' } } });
    expect(await store.since(s.sessionId, 0)).toEqual([]);
  });

  it('a replaced holder can no longer record frames', async () => {
    const store = new SessionStore(connect(), prefix, 60);
    const s = await store.create('bot', 'tok-3', 'tok-3');
    const first = await store.takeOver(s.sessionId);
    expect(await store.persist(s.sessionId, first.epoch, 1, '{"seq":1,"type":"ack","ref":"1"}')).toBe(1);
    const second = await store.takeOver(s.sessionId);
    expect(second.seq).toBe(1);
    expect(await store.persist(s.sessionId, first.epoch, 2, '{"seq":2,"type":"ack","ref":"old"}')).toBe(0);
    expect(await store.persist(s.sessionId, second.epoch, 2, '{"seq":2,"type":"ack","ref":"new"}')).toBe(1);
    expect((await store.since(s.sessionId, 0)).map((f) => JSON.parse(f.raw).ref)).toEqual(['1', 'new']);
  });
});
