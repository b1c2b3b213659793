import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RoomEvents } from './room-events.js';
import type { Delivery } from '../ws/delivery.js';
import { deletePrefix, redisUrl, testPrefix } from '../../test/helpers/redis.js';

describe('room events', () => {
  const prefix = testPrefix('roomev');
  const conns: Redis[] = [];
  afterEach(async () => {
    await Promise.all(conns.splice(0).map((c) => c.quit()));
    await deletePrefix(prefix);
  });

  function setup() {
    const redis = new Redis(redisUrl());
    conns.push(redis);
    const got: Array<{ sid: string; event: unknown }> = [];
    const delivery = { deliver: async (sid: string, frame: { event: unknown }) => { got.push({ sid, event: frame.event }); return true; } } as unknown as Delivery;
    let t = 0;
    const clock = { set: (ms: number) => { t = ms; } };
    const events = new RoomEvents(redis, prefix, delivery, () => t);
    const reads = vi.spyOn(redis, 'smembers');
    const key = `${prefix}:room:r1:ops`;
    return { redis, got, events, reads, clock, key, to: (n: number) => got.filter((g) => (g.event as { n: number }).n === n).map((g) => g.sid).sort() };
  }

  it('events that come while a room\'s subscribers are being read share one read', async () => {
    const { redis, events, reads, key, to } = setup();
    await redis.sadd(key, 's1');
    await Promise.all([1, 2, 3, 4, 5].map((n) => events.emit('r1', { kind: 'chat.history', messages: [], n } as never)));
    expect(reads).toHaveBeenCalledTimes(1);
    for (const n of [1, 2, 3, 4, 5]) expect(to(n)).toEqual(['s1']);
  });

  it('past its freshness a copy still serves while one read replaces it; a copy long out of date waits for the read', async () => {
    const { redis, events, reads, clock, key, to } = setup();
    await redis.sadd(key, 's1');
    await events.emit('r1', { kind: 'chat.history', messages: [], n: 1 } as never);
    // A subscriber added without an announcement (one lost on the bus).
    await redis.sadd(key, 's2');
    clock.set(6_000);
    await Promise.all([2, 3, 4].map((n) => events.emit('r1', { kind: 'chat.history', messages: [], n } as never)));
    for (const n of [2, 3, 4]) expect(to(n)).toEqual(['s1']);
    expect(reads).toHaveBeenCalledTimes(2);
    // Once that one read is in, the copy holds the new subscriber.
    await reads.mock.results[1]!.value;
    await new Promise((resolve) => setImmediate(resolve));
    await events.emit('r1', { kind: 'chat.history', messages: [], n: 5 } as never);
    expect(to(5)).toEqual(['s1', 's2']);
    expect(reads).toHaveBeenCalledTimes(2);
    await redis.sadd(key, 's3');
    clock.set(6_000 + 10_001);
    await events.emit('r1', { kind: 'chat.history', messages: [], n: 6 } as never);
    expect(to(6)).toEqual(['s1', 's2', 's3']);
  });

  it('a read that was under way when a change was announced is not kept', async () => {
    const { redis, events, reads, key, to } = setup();
    let answer!: (sessions: string[]) => void;
    reads.mockImplementationOnce(() => new Promise<string[]>((resolve) => { answer = resolve; }) as never);
    const first = events.emit('r1', { kind: 'chat.history', messages: [], n: 1 } as never);
    await vi.waitFor(() => expect(answer).toBeTypeOf('function'));
    await redis.sadd(key, 's1', 's2');
    events.forget('r1');
    answer(['s1']);
    await first;
    await events.emit('r1', { kind: 'chat.history', messages: [], n: 2 } as never);
    expect(to(2)).toEqual(['s1', 's2']);
    expect(reads).toHaveBeenCalledTimes(2);
  });
});
