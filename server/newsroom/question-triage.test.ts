import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix, redisUrl, testPrefix } from '../../test/helpers/redis.js';
import { RoomStore } from '../rooms/room-store.js';
import { SpeechQueues } from '../show/speech-queues.js';
import { AuditLog } from './audit-log.js';
import { Bans } from './bans.js';
import { QuestionIntake } from './question-intake.js';
import { QuestionStore, type StoredQuestion } from './question-store.js';
import { RoomSimilarity } from './room-similarity.js';

// Triage reads the room's open groups, not every question it ever had: these check that the
// open groups follow the records, so grouping decides as it did when it read them all.
describe('question triage over the open groups', () => {
  const prefix = testPrefix('triage');
  let redis: Redis;
  let queues: SpeechQueues;
  let store: QuestionStore;
  const delivered: Array<{ sessionId: string; frame: Record<string, unknown> }> = [];
  const intake = (recentWindowMs: number) => new QuestionIntake({
    redis, rooms: new RoomStore(redis, prefix), queues, store, bans: new Bans(redis, prefix), similarity: new RoomSimilarity(new RoomStore(redis, prefix)),
    audit: new AuditLog(redis, prefix), emit: async () => undefined,
    deliver: async (sessionId: string, frame: object) => { delivered.push({ sessionId, frame: frame as Record<string, unknown> }); return true; },
    expectAnswer: async () => undefined, cancelAnswer: async () => undefined,
  }, { prefix, perUserIntervalMs: 3000, recentWindowMs });
  const answered = (id: string, text: string, receivedAt: number): StoredQuestion => ({
    questionId: id, room: 'r', user: { id: 'u0', name: 'Ana' }, text, status: 'answered', askedBy: 1, receivedAt, askers: ['Ana'], pinned: false, boost: 0, answer: 'Three to five business days.',
  });

  beforeAll(async () => {
    redis = new Redis(redisUrl());
    queues = new SpeechQueues(redis, prefix);
    store = new QuestionStore(redis, prefix);
    await new RoomStore(redis, prefix).create({ id: 'r' });
  });

  afterAll(async () => {
    await Promise.all([queues.qa.close(), queues.tts.close(), queues.segments.close()]);
    await redis.quit();
    await deletePrefix(prefix);
  });

  it('a group answered within the window takes the same question; one answered before it does not, and leaves the open groups', async () => {
    const now = Date.now();
    await store.put(answered('q-recent', 'how long does shipping take?', now - 1000));
    await store.put(answered('q-old', 'is there a warranty?', now - 60 * 60_000));
    const newsroom = intake(10 * 60_000);
    expect(await newsroom.ask('r', { id: 'u1', name: 'Ben' }, 'how long does shipping take?')).toEqual({ questionId: 'q-recent', status: 'duplicate' });
    const fresh = await newsroom.ask('r', { id: 'u2', name: 'Cy' }, 'is there a warranty?');
    expect(fresh.questionId).not.toBe('q-old');
    expect(fresh.status).toBe('queued');
    expect((await store.open('r')).map((q) => q.questionId).sort()).toEqual(['q-recent', fresh.questionId].sort());
    // The record itself stays, for the list and the as-run log.
    expect(await store.get('r', 'q-old')).toMatchObject({ status: 'answered' });
    expect((await store.get('r', 'q-recent'))?.askedBy).toBe(2);
  });

  it('a group that heard only the fallback line takes no new askers: the same question is tried again', async () => {
    const fallback = (await new RoomStore(redis, prefix).get('r'))!.fallbackLine;
    await store.put({ ...answered('q-unsure', 'does the watch come in gold?', Date.now() - 1000), answer: fallback });
    await store.put({ ...answered('q-credited', 'is the strap leather?', Date.now() - 1000), answer: `Ana and 2 others asked. ${fallback}` });
    const newsroom = intake(10 * 60_000);
    for (const [old, text] of [['q-unsure', 'does the watch come in gold?'], ['q-credited', 'is the strap leather?']] as const) {
      const again = await newsroom.ask('r', { id: `u-${old}`, name: 'Gus' }, text);
      expect(again.status).toBe('queued');
      expect(again.questionId).not.toBe(old);
      expect((await store.open('r')).map((q) => q.questionId)).not.toContain(old);
    }
  });

  it('a bot session hears an answered group\'s answer once, however many of its viewers ask it again; another session hears it at once', async () => {
    const newsroom = intake(10 * 60_000);
    const first = await newsroom.ask('r', { id: 'v1', name: 'Ana' }, 'does the box include a charger?', 'bot-a');
    await newsroom.answered('r', first.questionId, 'Yes, a charger is in the box.');
    const told = (session: string) => delivered.filter((d) => d.sessionId === session && d.frame.type === 'question.answered' && d.frame.questionId === first.questionId).length;
    expect(told('bot-a')).toBe(1);
    expect(await newsroom.ask('r', { id: 'v2', name: 'Ben' }, 'does the box include a charger?', 'bot-a')).toEqual({ questionId: first.questionId, status: 'duplicate' });
    expect(told('bot-a')).toBe(1);
    expect(await newsroom.ask('r', { id: 'v3', name: 'Cy' }, 'does the box include a charger?', 'bot-b')).toEqual({ questionId: first.questionId, status: 'duplicate' });
    expect(told('bot-b')).toBe(1);
    expect(delivered.find((d) => d.sessionId === 'bot-b')?.frame).toMatchObject({ text: 'Yes, a charger is in the box.' });
  });

  it('a dismissed or merged group leaves the open groups, and its question then opens a new one', async () => {
    const newsroom = intake(10 * 60_000);
    const first = await newsroom.ask('r', { id: 'u3', name: 'Di' }, 'can i pay with paypal');
    const second = await newsroom.ask('r', { id: 'u4', name: 'Ed' }, 'what colors are there?');
    await newsroom.merge('r', second.questionId, first.questionId, 'op-1');
    await newsroom.reject(await newsroom.get('r', first.questionId), 'op-1', 'not for tonight');
    const open = (await store.open('r')).map((q) => q.questionId);
    expect(open).not.toContain(first.questionId);
    expect(open).not.toContain(second.questionId);
    const again = await newsroom.ask('r', { id: 'u5', name: 'Flo' }, 'can i pay with paypal');
    expect(again.status).toBe('queued');
    expect(again.questionId).not.toBe(first.questionId);
  });
});
