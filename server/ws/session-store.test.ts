import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isSessionId, KEEP_ALIVE_CALL_SESSIONS, KEEP_ALIVE_TICKS, keepAliveDue, SessionStore } from './session-store.js';
import { GATHER_MS } from './frame-recorder.js';
import { deletePrefix, redisUrl, testPrefix } from '../../test/helpers/redis.js';
import { subscribeWhenReady } from '../../protocol/redis-outage.js';

describe('session store', () => {
  const prefix = testPrefix('sess');
  const conns: Redis[] = [];
  const connect = () => { const c = new Redis(redisUrl()); conns.push(c); return c; };
  afterEach(async () => {
    await Promise.all(conns.splice(0).map((c) => c.quit()));
    await deletePrefix(prefix);
  });

  it('a frame for a session nobody holds is kept, and numbered by its next holder after what its client has seen', async () => {
    const store = new SessionStore(connect(), prefix, 60);
    const s = await store.create('operator', 'tok-1', 'tok-1');
    const first = await store.takeOver(s.sessionId);
    for (let n = 1; n <= 3; n++) store.record(s.sessionId, first.epoch, n, `{"seq":${n},"type":"ack","ref":"r${n}"}`);
    await store.whenRecorded(s.sessionId);
    expect(await store.deliverRemote(s.sessionId, { type: 'ack', ref: 'a' })).toBe(1);
    expect(await store.deliverRemote(s.sessionId, { type: 'ack', ref: 'b' })).toBe(1);
    // The holder had sent 5 frames when it died (two never recorded); the client saw them all.
    const next = await store.takeOver(s.sessionId, 5);
    expect(next.seq).toBe(7);
    const missed = await store.since(s.sessionId, 5);
    expect(missed.map((f) => JSON.parse(f.raw))).toEqual([{ seq: 6, type: 'ack', ref: 'a' }, { seq: 7, type: 'ack', ref: 'b' }]);
    // Nothing stays parked: a later holder numbers nothing twice.
    expect((await store.takeOver(s.sessionId, 7)).seq).toBe(7);
    expect(await store.deliverRemote(`s-${store.home}-00000000-0000-4000-8000-000000000000`, { type: 'ack', ref: 'x' })).toBe(-1);
  });

  it('a frame for a held session goes to the holder on its shard channel, unnumbered, and is not stored', async () => {
    const store = new SessionStore(connect(), prefix, 60);
    const s = await store.create('render-host', 'tok-2', 'h1');
    const sub = connect();
    const got = new Promise<string>((resolve) => sub.on('smessage', (_c: string, m: string) => resolve(m)));
    await subscribeWhenReady(sub, [store.channel(s.sessionId)], { shard: true });
    expect(await store.deliverRemote(s.sessionId, { type: 'ack', ref: 'c' })).toBe(0);
    expect(JSON.parse(await got)).toEqual({ i: '*', d: { u: { type: 'ack', ref: 'c' } } });
    expect(await store.since(s.sessionId, 0)).toEqual([]);
  });

  it('a replaced holder can no longer record frames', async () => {
    const store = new SessionStore(connect(), prefix, 60);
    const s = await store.create('bot', 'tok-3', 'tok-3');
    const first = await store.takeOver(s.sessionId);
    store.record(s.sessionId, first.epoch, 1, '{"seq":1,"type":"ack","ref":"1"}');
    await store.whenRecorded(s.sessionId);
    const second = await store.takeOver(s.sessionId);
    expect(second.seq).toBe(1);
    store.record(s.sessionId, first.epoch, 2, '{"seq":2,"type":"ack","ref":"old"}');
    store.record(s.sessionId, second.epoch, 2, '{"seq":2,"type":"ack","ref":"new"}');
    await store.whenRecorded(s.sessionId);
    expect((await store.since(s.sessionId, 0)).map((f) => JSON.parse(f.raw).ref)).toEqual(['1', 'new']);
  });

  it('frames of many sessions recorded at once keep each session\'s order, and an outbox keeps only its last frames', async () => {
    const store = new SessionStore(connect(), prefix, 60, { outboxMax: 50 });
    const sessions = await Promise.all(Array.from({ length: 20 }, (_, i) => store.create('operator', `tok-${i}`, `tok-${i}`)));
    const epochs = await Promise.all(sessions.map((s) => store.takeOver(s.sessionId)));
    // Interleaved, as a busy instance sends them: 80 frames per session, one round after another.
    for (let n = 1; n <= 80; n++) {
      sessions.forEach((s, i) => store.record(s.sessionId, epochs[i]!.epoch, n, `{"seq":${n},"type":"ack","ref":"${i}.${n}"}`));
    }
    await Promise.all(sessions.map((s) => store.whenRecorded(s.sessionId)));
    for (const [i, s] of sessions.entries()) {
      const kept = await store.since(s.sessionId, 0);
      expect(kept.map((f) => f.seq)).toEqual(Array.from({ length: 50 }, (_, k) => 31 + k));
      expect(JSON.parse(kept.at(-1)!.raw).ref).toBe(`${i}.80`);
      expect((await store.get(s.sessionId))?.seq).toBe(80);
    }
  });

  it('a steady stream of frames goes to Redis in calls GATHER_MS apart, not one call per frame', async () => {
    const recorder = connect();
    const store = new SessionStore(connect(), prefix, 60, { recorder });
    const calls = vi.spyOn(recorder as unknown as { livehostRecordFrames: (...a: unknown[]) => unknown }, 'livehostRecordFrames');
    const s = await store.create('operator', 'tok-s', 'tok-s');
    const { epoch } = await store.takeOver(s.sessionId);
    // One frame a millisecond or so (as often as the timer fires), for 300 ms.
    let n = 0;
    const started = performance.now();
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        n++;
        store.record(s.sessionId, epoch, n, `{"seq":${n},"type":"ack","ref":"${n}"}`);
        if (performance.now() - started >= 300) { clearInterval(t); resolve(); }
      }, 1);
    });
    await store.whenRecorded(s.sessionId);
    const elapsed = performance.now() - started;
    expect((await store.since(s.sessionId, 0)).map((f) => f.seq)).toEqual(Array.from({ length: n }, (_, k) => k + 1));
    // A slower machine only makes fewer calls; one per frame would be n.
    expect(calls.mock.calls.length).toBeLessThanOrEqual(Math.ceil(elapsed / GATHER_MS) + 2);
    expect(n).toBeGreaterThan(calls.mock.calls.length);
  });

  it('only an id of its own shape names a session (a client cannot name a key)', async () => {
    const store = new SessionStore(connect(), prefix, 60);
    const s = await store.create('operator', 'tok-9', 'tok-9');
    expect(isSessionId(s.sessionId)).toBe(true);
    for (const bad of ['x}:y', `${s.sessionId}:out`, 's-99999-00000000-0000-4000-8000-000000000000', '']) {
      expect(isSessionId(bad)).toBe(false);
      expect(await store.get(bad)).toBeNull();
    }
    expect(await store.get(s.sessionId)).toMatchObject({ role: 'operator', tokenId: 'tok-9' });
  });

  it('each live session\'s keep-alive falls on one tick of every KEEP_ALIVE_TICKS, and the ticks share the sessions evenly', () => {
    const ids = Array.from({ length: 10_000 }, () => `s-17-${randomUUID()}`);
    const perTick: number[] = [];
    for (let tick = 1; tick <= KEEP_ALIVE_TICKS; tick++) perTick.push(ids.filter((id) => keepAliveDue(id, tick)).length);
    expect(perTick.reduce((a, b) => a + b, 0)).toBe(ids.length);
    const even = ids.length / KEEP_ALIVE_TICKS;
    for (const n of perTick) expect(Math.abs(n - even)).toBeLessThan(even * 0.2);
    for (const id of ids.slice(0, 100)) {
      const due = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].filter((tick) => keepAliveDue(id, tick));
      expect(due).toHaveLength(1);
      expect(keepAliveDue(id, due[0]! + KEEP_ALIVE_TICKS)).toBe(true);
    }
  });

  it('a keep-alive goes out in scripts of at most KEEP_ALIVE_CALL_SESSIONS sessions, and each session\'s keys get the TTL', async () => {
    const redis = connect();
    const store = new SessionStore(redis, prefix, 60);
    const sessions = await Promise.all(Array.from({ length: KEEP_ALIVE_CALL_SESSIONS + 10 }, (_, i) => store.create('bot', `tok-${i}`, `tok-${i}`)));
    const first = sessions[0]!.sessionId;
    const last = sessions.at(-1)!.sessionId;
    const key = (id: string) => `${prefix}:sess:{sb${store.home}}:${id}`;
    await Promise.all([first, last].map((id) => redis.expire(key(id), 5)));
    const calls = vi.spyOn(redis, 'livehostKeepAlive');
    await store.keepAlive(sessions.map((s) => s.sessionId));
    expect(calls).toHaveBeenCalledTimes(2);
    for (const call of calls.mock.calls) expect(call[0]).toBeLessThanOrEqual(3 * KEEP_ALIVE_CALL_SESSIONS);
    for (const id of [first, last]) expect(await redis.ttl(key(id))).toBeGreaterThan(100);
  });
});
