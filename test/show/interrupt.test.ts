import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, startServer, type TestServer } from '../helpers/server.js';
import { redisUrl } from '../helpers/redis.js';
import { startPart, type Part } from '../helpers/processes.js';
import { startOpenAiServer, type OpenAiServer } from '../helpers/openai-server.js';
import { TestClient } from '../helpers/ws-client.js';
import { FakeHost } from '../helpers/fake-host.js';

const ANSWER = 'Great question about the kettle. It boils a litre in two minutes. The handle stays cool. '
  + 'It switches off by itself. The base turns all the way round. The filter lifts out for cleaning. '
  + 'It comes in red and black. The warranty is two years. Shipping is free. Thanks for asking.';

// An LLM answer interrupted on air: the stream to the model is aborted, what was still
// being made is removed, and nothing of it reaches the host afterwards.
describe('interrupting an LLM answer', () => {
  let srv: TestServer;
  let llm: OpenAiServer;
  let workers: Part;
  let dir: string;
  let host: FakeHost;
  let op: TestClient;
  let bot: TestClient;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'livehost-interrupt-'));
    srv = await startServer();
    // Slow enough that the model is still writing long after the first line is on air.
    llm = await startOpenAiServer({ firstTokenMs: 50, tokensPerSecond: 8, reply: () => ANSWER });
    workers = await startPart('workers/main.ts', {
      REDIS_URL: redisUrl(), LIVEHOST_REDIS_PREFIX: srv.prefix, LIVEHOST_DATA_DIR: dir,
      OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'sk-test', LIVEHOST_LLM_MODEL: 'test-model', LIVEHOST_LLM_FIRST_TOKEN_MS: '20000',
    }, /workers ready/);
    await srv.core.rooms.create({ id: 'shop', name: 'Shop', answers: 'openai' });
    await srv.core.placement.place('shop');
    host = await FakeHost.connect(srv.wsUrl, await srv.token({ role: 'render-host', hostId: 'h1' }), { playMs: () => 60_000 });
    op = await TestClient.connect(`${srv.wsUrl}/ws/operator`, srv.adminToken);
    op.send({ type: 'room.subscribe', id: 's', room: 'shop' });
    await op.next((f) => f.type === 'ack');
    bot = await TestClient.connect(`${srv.wsUrl}/ws/bot`, await srv.token({ role: 'bot', rooms: ['shop'] }));
  }, 60_000);

  afterAll(async () => {
    host?.close();
    op?.close();
    bot?.close();
    await workers?.stop();
    await llm?.close();
    await cleanup(srv);
    rmSync(dir, { recursive: true, force: true });
  });

  it('aborts the model stream, has the host cut the line and lets nothing of the answer air afterwards', async () => {
    bot.send({ type: 'question', id: 'q1', user: { id: 'v1', name: 'Ana' }, text: 'Tell me about the kettle' });
    const { questionId } = await bot.next((f) => f.type === 'question.ack') as unknown as { questionId: string };
    const first = await host.started(0);
    expect(first.text).toBe('Great question about the kettle.');
    expect(llm.doneAt[0]).toBeUndefined(); // the model is still writing

    op.send({ type: 'speech.interrupt', id: 'cut', room: 'shop' });
    await op.next((f) => f.type === 'ack' && f.ref === 'cut');
    // The host was told to cut the line it is playing.
    await host.client.next((f) => f.type === 'speech.stop' && (f.segmentIds as string[]).includes(first.segmentId));
    expect(host.played[0]!.interrupted).toBe(true);
    // The worker aborted its request: the model server saw the connection close before the end.
    for (let i = 0; i < 200 && llm.abortedAt[0] === undefined; i++) await new Promise((r) => setTimeout(r, 25));
    expect(llm.abortedAt[0]).toBeDefined();
    expect(llm.doneAt[0]).toBeUndefined();

    const unanswered = await bot.next((f) => f.type === 'question.unanswered');
    expect(unanswered).toMatchObject({ questionId, reason: 'interrupted by an operator' });
    // Whatever was in flight when the cut came never reaches the host.
    await new Promise((r) => setTimeout(r, 2500));
    expect(host.segments.map((s) => s.text)).toEqual(['Great question about the kettle.']);
    expect(bot.frames.some((f) => f.type === 'question.answered')).toBe(false);
    const [q] = await srv.core.questions.list('shop');
    expect(q!.status).toBe('dropped');
  }, 60_000);
});
