import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { QUEUES, redisKeys, type SegmentReady } from '../../protocol/index.js';
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
});
