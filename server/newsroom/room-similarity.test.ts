import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KnowledgeBase } from '../../protocol/index.js';
import { turnsWhile } from '../../test/helpers/event-loop.js';
import { catalogue } from '../../test/helpers/kb-catalogue.js';
import { deletePrefix, redisUrl, testPrefix } from '../../test/helpers/redis.js';
import { RoomStore } from '../rooms/room-store.js';
import { RoomSimilarity } from './room-similarity.js';

const shop: KnowledgeBase = {
  qa: [
    { question: 'How long does shipping take?', answer: 'Orders arrive in three to five business days.' },
    { question: 'Is there a warranty?', answer: 'Every item has a two-year warranty.' },
  ],
  facts: [],
};


describe('room similarity on its own thread', () => {
  const prefix = testPrefix('similarity');
  let redis: Redis;
  let rooms: RoomStore;
  const similarity: RoomSimilarity[] = [];
  const make = (observe: ConstructorParameters<typeof RoomSimilarity>[1] = {}) => {
    const s = new RoomSimilarity(rooms, observe);
    similarity.push(s);
    return s;
  };

  beforeAll(async () => {
    redis = new Redis(redisUrl());
    rooms = new RoomStore(redis, prefix);
    await rooms.create({ id: 'shop' });
    await rooms.putKb('shop', shop);
    await rooms.create({ id: 'big' });
    await rooms.putKb('big', catalogue(5000));
  });

  afterAll(async () => {
    await Promise.all(similarity.map((s) => s.close()));
    await redis.quit();
    await deletePrefix(prefix);
  });

  it('joins a question to the waiting one that asks for the same entry or the same thing, and not to an unrelated one', async () => {
    const s = make();
    const first = await s.match('shop', 'en-US', 'how long does shipping take?', []);
    expect(first).toEqual({ anchor: 'qa:0', match: null });
    const waiting = [{ text: 'do you sell gift cards?', anchor: null }, { text: 'how long does shipping take?', anchor: first.anchor }];
    expect((await s.match('shop', 'en-US', 'How long will shipping take for my order?', waiting)).match?.index).toBe(1);
    expect((await s.match('shop', 'en-US', 'what is the capital of France?', waiting)).match).toBeNull();
  });

  it('builds a 5,000-entry matcher while the event loop goes on turning', async () => {
    const s = make();
    const { value, turns } = await turnsWhile(s.match('big', 'en-US', 'how much is the lamp model 9?', []));
    expect(value.anchor).toBe('qa:9');
    // Built on the event loop, this took seconds in one piece (two turns); on its thread, the loop is free.
    expect(turns).toBeGreaterThan(100);
  }, 120_000);

  it("answers another room's question while a 5,000-entry matcher is being built", async () => {
    const s = make();
    const order: string[] = [];
    const big = s.match('big', 'en-US', 'how much does the tent model 2 weigh?', []).then((r) => { order.push('big'); return r; });
    const small = s.match('shop', 'en-US', 'is there a warranty?', []).then((r) => { order.push('shop'); return r; });
    expect((await small).anchor).toBe('qa:1');
    expect((await big).anchor).toBe('qa:2');
    expect(order).toEqual(['shop', 'big']);
  }, 120_000);

  it('a KB edit told to it is built at once, and the next question carries no KB', async () => {
    const s = make();
    const posted: Array<{ op: string; kb?: string }> = [];
    const post = (s as unknown as { post: (req: { op: string; kb?: string }) => void }).post.bind(s);
    (s as unknown as { post: typeof post }).post = (req) => { posted.push(req); post(req); };
    await s.match('shop', 'en-US', 'is there a warranty?', []);
    await s.changed('shop'); // settings only: nothing to build
    expect(posted.map((p) => p.op)).toEqual(['match']);
    await rooms.putKb('shop', { ...shop, qa: [...shop.qa, { question: 'Do you ship to Canada?', answer: 'Yes, in a week.' }] });
    await s.changed('shop');
    expect(posted.map((p) => p.op)).toEqual(['match', 'build']);
    expect(await s.match('shop', 'en-US', 'do you ship to Canada?', [])).toMatchObject({ anchor: 'qa:2' });
    expect(posted.at(-1)).toMatchObject({ op: 'match' });
    expect(posted.at(-1)!.kb).toBeUndefined();
    await rooms.putKb('shop', shop);
  });

  it('a thread that dies fails the questions it held, and the next question starts a new one; builds and starts are told', async () => {
    const builds: Array<{ room: string; ok: boolean; entries: number }> = [];
    let starts = 0;
    const s = make({ built: ({ room, ok, entries }) => builds.push({ room, ok, entries }), threadStarted: () => starts++ });
    await s.match('shop', 'en-US', 'is there a warranty?', []);
    expect(builds).toEqual([{ room: 'shop', ok: true, entries: 2 }]);
    expect(starts).toBe(1);
    const thread = (s as unknown as { thread: { terminate(): Promise<number> } }).thread;
    const held = s.match('big', 'en-US', 'how much is the lamp model 9?', []); // a long build: still under way
    await thread.terminate();
    await expect(held).rejects.toThrow(/exited/);
    expect(await s.match('shop', 'en-US', 'is there a warranty?', [])).toMatchObject({ anchor: 'qa:1' });
    expect(starts).toBe(2);
    expect(builds.at(-1)).toEqual({ room: 'shop', ok: true, entries: 2 });
  }, 120_000);

  it('a KB edit reaches the thread with the next question, and a closed thread starts again holding nothing', async () => {
    const s = make();
    expect((await s.match('shop', 'en-US', 'do you ship to Canada?', [])).anchor).not.toBe('qa:2');
    await rooms.putKb('shop', { ...shop, qa: [...shop.qa, { question: 'Do you ship to Canada?', answer: 'Yes, in a week.' }] });
    expect((await s.match('shop', 'en-US', 'do you ship to Canada?', [])).anchor).toBe('qa:2');
    await s.close();
    expect((await s.match('shop', 'en-US', 'do you ship to Canada?', [])).anchor).toBe('qa:2');
    await rooms.putKb('shop', shop);
  });
});
