import { afterEach, describe, expect, it } from 'vitest';
import { Queue, QueueEvents } from 'bullmq';
import pino from 'pino';
import { QUEUES, redisKeys, type KnowledgeBase, type QaJobData, type TtsJobData } from '../../protocol/index.js';
import { redisUrl } from '../../test/helpers/redis.js';
import { cleanup, startServer, type TestServer } from '../../test/helpers/server.js';
import type { QaJobResult } from './answer-question.js';
import { KbProvider } from './kb-provider.js';
import { startQaWorker, type QaWorkerHandle } from './qa-worker.js';

const log = pino({ level: 'silent' });

const KB: KnowledgeBase = {
  qa: [
    { question: 'Do the X2 have active noise cancellation?', answer: 'Yes, the X2 cancels noise at three levels.' },
    { question: 'How long does the battery last?', answer: 'The battery lasts 30 hours.' },
  ],
  facts: [],
};

let server: TestServer | undefined;
let worker: QaWorkerHandle | undefined;
let queues: { qa: Queue<QaJobData, QaJobResult>; tts: Queue<TtsJobData>; events: QueueEvents } | undefined;

afterEach(async () => {
  await worker?.close(100);
  if (queues) await Promise.all([queues.qa.close(), queues.tts.close(), queues.events.close()]);
  if (server) await cleanup(server);
  server = undefined;
  worker = undefined;
  queues = undefined;
});

describe('knowledge-base synonyms through the REST route', () => {
  it('a synonym added with PUT /api/rooms/:room/kb answers the very next question', async () => {
    server = await startServer();
    const s = server;
    worker = await startQaWorker({ redisUrl: redisUrl(), prefix: s.prefix, kb: new KbProvider(), log, concurrency: 1 });
    const connection = { url: redisUrl() };
    const prefix = redisKeys(s.prefix).bullPrefix;
    queues = {
      qa: new Queue(QUEUES.qa, { connection, prefix }),
      tts: new Queue(QUEUES.tts, { connection, prefix }),
      events: new QueueEvents(QUEUES.qa, { connection, prefix }),
    };
    await queues.events.waitUntilReady();
    const q = queues;

    const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
      const res = await fetch(`${s.url}${path}`, {
        method, headers: { authorization: `Bearer ${s.adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, json: res.status === 204 ? null : await res.json() };
    };
    const ask = async (userId: string, text: string): Promise<{ result: QaJobResult; lines: string[] }> => {
      const asked = await api('POST', '/api/rooms/shop/questions', { user: { id: userId, name: userId }, text });
      expect(asked.status).toBe(202);
      const { questionId } = asked.json as { questionId: string };
      const job = await q.qa.getJob(questionId);
      const result = await job!.waitUntilFinished(q.events, 20_000);
      const lines = (await q.tts.getJobs(['waiting', 'prioritized', 'active', 'completed', 'delayed']))
        .filter((j) => j.data.questionId === questionId).sort((a, b) => a.data.index - b.data.index).map((j) => j.data.text);
      return { result, lines };
    };

    expect((await api('POST', '/api/rooms', {
      id: 'shop', name: 'Shop', language: 'en-US', answers: 'kb', fallbackLine: 'Let me check that for you.',
      // Each question answered on its own: the second would otherwise join the first, still waiting for a host.
      groupThreshold: 1,
    })).status).toBe(201);
    expect((await api('PUT', '/api/rooms/shop/kb', KB)).status).toBe(200);

    // The room's words do not say ANC: the engine knows better than to guess.
    const before = await ask('u1', 'does it have ANC?');
    expect(before.result.outcome).toBe('fallback');
    expect(before.lines).toEqual(['Let me check that for you.']);

    const put = await api('PUT', '/api/rooms/shop/kb', { ...KB, synonyms: [['ANC', 'active noise cancellation']] });
    expect(put.status).toBe(200);
    expect((put.json as KnowledgeBase).synonyms).toEqual([['ANC', 'active noise cancellation']]);

    const after = await ask('u2', 'is there ANC on these?');
    expect(after.result.outcome).toBe('answered');
    expect(after.lines).toEqual(['Yes, the X2 cancels noise at three levels.']);
  });

  it('a synonym group that is not a list of terms is refused with a 400 and the KB is kept', async () => {
    server = await startServer();
    const s = server;
    const headers = { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json' };
    await fetch(`${s.url}/api/rooms`, { method: 'POST', headers, body: JSON.stringify({ id: 'shop', name: 'Shop', language: 'en-US' }) });
    await fetch(`${s.url}/api/rooms/shop/kb`, { method: 'PUT', headers, body: JSON.stringify(KB) });
    for (const synonyms of [[['ANC']], ['ANC', 'noise cancelling'], [['ANC', '']], [['ANC', 'x'.repeat(101)]]]) {
      const res = await fetch(`${s.url}/api/rooms/shop/kb`, { method: 'PUT', headers, body: JSON.stringify({ ...KB, synonyms }) });
      expect(res.status).toBe(400);
    }
    const kept = await (await fetch(`${s.url}/api/rooms/shop/kb`, { headers })).json() as KnowledgeBase;
    expect(kept).toEqual(KB);
  });
});
