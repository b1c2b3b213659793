import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { ANSWER_END_JOB, QUEUES, redisKeys, type AnswerEnd, type SegmentReady } from '../../protocol/index.js';
import { cleanup, startServer, type TestServer } from '../helpers/server.js';
import { redisUrl } from '../helpers/redis.js';
import { TestClient } from '../helpers/ws-client.js';

function line(answerId: string, index: number, final: boolean): SegmentReady {
  return {
    room: 'show', segmentId: `${answerId}.${index}`, answerId, questionId: answerId, index, final,
    text: `Sentence ${index}.`, language: 'en-US', voice: {}, priority: 'answer',
    audio: { key: `k${index}`, url: `file:///tmp/k${index}.wav`, format: 'wav', sampleRate: 16000, channels: 1 },
    durationMs: 500, timeline: { durationMs: 500, words: [], visemes: [{ viseme: 'sil', timeMs: 0 }] },
  };
}

describe('director', () => {
  let srv: TestServer;
  const closers: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
    await cleanup(srv);
  });

  it('puts an answer’s lines on air in order even when synthesis finishes out of order, each once', async () => {
    srv = await startServer();
    const host = await TestClient.connect(`${srv.wsUrl}/ws/render-host`, await srv.token({ role: 'render-host', hostId: 'h1' }));
    closers.push(async () => host.close());
    host.send({ type: 'host.register', id: 'r', capacity: 1, capabilities: { renderer: 'reference', resolutions: ['720p'], encoders: ['libx264'] } });
    await host.next((f) => f.type === 'ack');
    await srv.core.rooms.create({ id: 'show' });
    await srv.core.placement.place('show');
    const op = await TestClient.connect(`${srv.wsUrl}/ws/operator`, srv.adminToken);
    closers.push(async () => op.close());
    op.send({ type: 'room.subscribe', id: 's', room: 'show' });
    await op.next((f) => f.type === 'ack');

    const conn = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    const queue = new Queue<SegmentReady>(QUEUES.segments, { connection: conn, prefix: redisKeys(srv.prefix).bullPrefix });
    closers.push(async () => { await queue.close(); await conn.quit(); });
    await queue.add('ready', line('q-1', 2, true), { jobId: 'q-1.2' });
    await queue.add('ready', line('q-1', 1, false), { jobId: 'q-1.1' });
    await new Promise((r) => setTimeout(r, 300));
    expect(host.frames.filter((f) => f.type === 'speech.segment')).toEqual([]);
    await queue.add('ready', line('q-1', 0, false), { jobId: 'q-1.0' });
    // A retried producer adding the same line again changes nothing.
    await queue.add('ready', line('q-1', 0, false), { jobId: 'q-1.0' });
    await host.next(() => host.frames.filter((f) => f.type === 'speech.segment').length === 3);
    await queue.add('ready', line('q-1', 1, false), { jobId: 'q-1.1-again' });
    await new Promise((r) => setTimeout(r, 300));
    const segments = host.frames.filter((f) => f.type === 'speech.segment').map((f) => f.segment as { segmentId: string; segmentSeq: number });
    expect(segments.map((s) => s.segmentId)).toEqual(['q-1.0', 'q-1.1', 'q-1.2']);
    expect(segments.map((s) => s.segmentSeq)).toEqual([1, 2, 3]);
    const sentences = await op.next((f) => f.type === 'room.event' && (f.event as { kind: string; final?: boolean }).final === true);
    expect(sentences.event).toMatchObject({ kind: 'answer.sentence', segmentId: 'q-1.2' });
  });

  it('an answer that ended without a final line is completed by its end marker, even one that arrives first', async () => {
    srv = await startServer();
    await srv.core.rooms.create({ id: 'show' });
    const bot = await TestClient.connect(`${srv.wsUrl}/ws/bot`, await srv.token({ role: 'bot', rooms: ['show'] }));
    closers.push(async () => bot.close());
    bot.send({ type: 'question', id: 'q', user: { id: 'v', name: 'V' }, text: 'Is it on sale?' });
    const { questionId } = await bot.next((f) => f.type === 'question.ack') as unknown as { questionId: string };

    const conn = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    const queue = new Queue<SegmentReady | AnswerEnd>(QUEUES.segments, { connection: conn, prefix: redisKeys(srv.prefix).bullPrefix });
    closers.push(async () => { await queue.close(); await conn.quit(); });
    const lineOf = (index: number) => ({ ...line(questionId, index, false), text: index === 0 ? 'Yes it is.' : 'Half price today.' });
    await queue.add(ANSWER_END_JOB, { room: 'show', answerId: questionId, questionId, lines: 2 }, { jobId: `${questionId}.end` });
    await queue.add('ready', lineOf(0), { jobId: `${questionId}.0` });
    await new Promise((r) => setTimeout(r, 300));
    expect(bot.frames.some((f) => f.type === 'question.answered')).toBe(false);
    expect((await srv.core.questions.list('show'))[0]!.status).toBe('answering');
    await queue.add('ready', lineOf(1), { jobId: `${questionId}.1` });
    const answered = await bot.next((f) => f.type === 'question.answered');
    expect(answered).toMatchObject({ questionId, text: 'Yes it is. Half price today.' });
    expect((await srv.core.questions.list('show'))[0]!.status).toBe('answered');
  });
});
