import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { ANSWER_END_JOB, QUEUES, redisKeys, type AnswerEnd, type SegmentReady } from '../../protocol/index.js';
import { cleanup, startServer, type TestServer } from '../helpers/server.js';
import { redisUrl } from '../helpers/redis.js';
import { TestClient } from '../helpers/ws-client.js';
import { FakeHost } from '../helpers/fake-host.js';

function line(room: string, answerId: string, index: number, final: boolean, text = `Sentence ${index}.`): SegmentReady {
  return {
    room, segmentId: `${answerId}.${index}`, answerId, questionId: answerId, index, final,
    text, language: 'en-US', voice: {}, priority: 'answer',
    audio: { key: `k${index}`, url: `file:///tmp/k${index}.wav`, format: 'wav', sampleRate: 16000, channels: 1 },
    durationMs: 500, timeline: { durationMs: 500, words: [], visemes: [{ viseme: 'sil', timeMs: 0 }] },
  };
}

describe('answer lines through the director', () => {
  let srv: TestServer;
  const closers: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
    await cleanup(srv);
  });

  async function setup() {
    srv = await startServer();
    const host = await FakeHost.connect(srv.wsUrl, await srv.token({ role: 'render-host', hostId: 'h1' }), { playMs: () => 50 });
    closers.push(async () => host.close());
    await srv.core.rooms.create({ id: 'show' });
    await srv.core.placement.place('show');
    const conn = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    const queue = new Queue<SegmentReady | AnswerEnd>(QUEUES.segments, { connection: conn, prefix: redisKeys(srv.prefix).bullPrefix });
    closers.push(async () => { await queue.close(); await conn.quit(); });
    return { host, queue };
  }

  it('puts an answer’s lines on air in order even when synthesis finishes out of order, each once', async () => {
    const { host, queue } = await setup();
    const op = await TestClient.connect(`${srv.wsUrl}/ws/operator`, srv.adminToken);
    closers.push(async () => op.close());
    op.send({ type: 'room.subscribe', id: 's', room: 'show' });
    await op.next((f) => f.type === 'ack');

    await queue.add('ready', line('show', 'q-1', 2, true), { jobId: 'q-1.2' });
    await queue.add('ready', line('show', 'q-1', 1, false), { jobId: 'q-1.1' });
    await new Promise((r) => setTimeout(r, 300));
    expect(host.segments).toEqual([]);
    await queue.add('ready', line('show', 'q-1', 0, false), { jobId: 'q-1.0' });
    // A retried producer adding the same line again changes nothing.
    await queue.add('ready', line('show', 'q-1', 0, false), { jobId: 'q-1.0-again' });
    await host.waitPlayed(3);
    await queue.add('ready', line('show', 'q-1', 1, false), { jobId: 'q-1.1-again' });
    await new Promise((r) => setTimeout(r, 300));
    expect(host.segments.map((s) => s.segmentId)).toEqual(['q-1.0', 'q-1.1', 'q-1.2']);
    expect(host.segments.map((s) => s.segmentSeq)).toEqual([1, 2, 3]);
    const last = await op.next((f) => f.type === 'room.event' && (f.event as { kind: string; final?: boolean }).final === true);
    expect(last.event).toMatchObject({ kind: 'answer.sentence', segmentId: 'q-1.2' });
    const finished = await op.next((f) => f.type === 'room.event' && (f.event as { kind: string; segmentId?: string }).kind === 'speech.finished'
      && (f.event as { segmentId: string }).segmentId === 'q-1.2');
    expect(finished.event).toMatchObject({ interrupted: false, hostId: 'h1' });
  });

  it('an answer that ended without a final line is answered once the host reported its lines, even when its end marker came first', async () => {
    const { host, queue } = await setup();
    const bot = await TestClient.connect(`${srv.wsUrl}/ws/bot`, await srv.token({ role: 'bot', rooms: ['show'] }));
    closers.push(async () => bot.close());
    bot.send({ type: 'question', id: 'q', user: { id: 'v', name: 'V' }, text: 'Is it on sale?' });
    const { questionId } = await bot.next((f) => f.type === 'question.ack') as unknown as { questionId: string };
    // No qa worker runs here: the test adds what one would.
    await queue.add(ANSWER_END_JOB, { room: 'show', answerId: questionId, questionId, lines: 2 }, { jobId: `${questionId}.end` });
    await queue.add('ready', line('show', questionId, 0, false, 'Yes it is.'), { jobId: `${questionId}.0` });
    await host.waitPlayed(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(bot.frames.some((f) => f.type === 'question.answered')).toBe(false);
    expect((await srv.core.questions.list('show'))[0]!.status).toBe('answering');
    await queue.add('ready', line('show', questionId, 1, false, 'Half price today.'), { jobId: `${questionId}.1` });
    const answered = await bot.next((f) => f.type === 'question.answered');
    expect(answered).toMatchObject({ questionId, text: 'Yes it is. Half price today.' });
    expect((await srv.core.questions.list('show'))[0]!.status).toBe('answered');
  });

  it('lines of a room without a render host wait, and air once one is placed: nothing is answered before it is spoken', async () => {
    srv = await startServer();
    await srv.core.rooms.create({ id: 'show' });
    expect(await srv.core.placement.place('show')).toBeNull(); // waiting for a host
    const conn = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    const queue = new Queue<SegmentReady>(QUEUES.segments, { connection: conn, prefix: redisKeys(srv.prefix).bullPrefix });
    closers.push(async () => { await queue.close(); await conn.quit(); });
    const bot = await TestClient.connect(`${srv.wsUrl}/ws/bot`, await srv.token({ role: 'bot', rooms: ['show'] }));
    closers.push(async () => bot.close());
    bot.send({ type: 'question', id: 'q', user: { id: 'v', name: 'V' }, text: 'Do you ship abroad?' });
    const { questionId } = await bot.next((f) => f.type === 'question.ack') as unknown as { questionId: string };
    await queue.add('ready', line('show', questionId, 0, true, 'We ship worldwide.'), { jobId: `${questionId}.0` });
    await new Promise((r) => setTimeout(r, 800));
    expect(bot.frames.some((f) => f.type === 'question.answered')).toBe(false);
    expect((await srv.core.questions.list('show'))[0]!.status).toBe('queued');

    const host = await FakeHost.connect(srv.wsUrl, await srv.token({ role: 'render-host', hostId: 'late' }), { playMs: () => 50 });
    closers.push(async () => host.close());
    await host.waitPlayed(1);
    expect(host.texts()).toEqual(['We ship worldwide.']);
    await bot.next((f) => f.type === 'question.answered');
  });
});
