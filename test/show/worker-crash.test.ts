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

const ANSWER = 'The kettle holds one litre. It boils in two minutes. The handle stays cool. It turns itself off. It comes in red and black.';

// The workers process killed with SIGKILL in the middle of an answer, and started again
// as the supervisor would, with the default job lock: the answer is taken over in seconds.
describe('a worker killed mid-answer', () => {
  let srv: TestServer;
  let llm: OpenAiServer;
  let dir: string;
  let workers: Part;
  let host: FakeHost;
  let bot: TestClient;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'livehost-wcrash-'));
    srv = await startServer();
    llm = await startOpenAiServer({ firstTokenMs: 50, tokensPerSecond: 10, reply: () => ANSWER });
    env = {
      REDIS_URL: redisUrl(), LIVEHOST_REDIS_PREFIX: srv.prefix, LIVEHOST_DATA_DIR: dir,
      OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'sk-test', LIVEHOST_LLM_MODEL: 'test-model', LIVEHOST_LLM_FIRST_TOKEN_MS: '20000',
    };
    workers = await startPart('workers/main.ts', env, /workers ready/);
    await srv.core.rooms.create({ id: 'shop', name: 'Shop', answers: 'openai', answerStaleS: 60 });
    await srv.core.placement.place('shop');
    host = await FakeHost.connect(srv.wsUrl, await srv.token({ role: 'render-host', hostId: 'h1' }), { playMs: () => 300 });
    bot = await TestClient.connect(`${srv.wsUrl}/ws/bot`, await srv.token({ role: 'bot', rooms: ['shop'] }));
  }, 60_000);

  afterAll(async () => {
    host?.close();
    bot?.close();
    await workers?.stop('SIGKILL');
    await llm?.close();
    await cleanup(srv);
    rmSync(dir, { recursive: true, force: true });
  });

  it('is taken over within 10 s and the answer is spoken in full, each line once', async () => {
    bot.send({ type: 'question', id: 'q1', user: { id: 'v1', name: 'Ana' }, text: 'Tell me about the kettle' });
    const { questionId } = await bot.next((f) => f.type === 'question.ack') as unknown as { questionId: string };
    await host.started(0);
    const killedAt = Date.now();
    workers.child.kill('SIGKILL');
    workers = await startPart('workers/main.ts', env, /workers ready/);
    // The second attempt's request to the model marks the takeover.
    for (let i = 0; i < 600 && llm.requests.length < 2; i++) await new Promise((r) => setTimeout(r, 25));
    const takenOverMs = llm.requests[1]!.at - killedAt;
    process.stdout.write(`[worker crash] answer taken over ${takenOverMs} ms after the kill\n`);
    expect(takenOverMs).toBeLessThan(10_000);

    const answered = await bot.next((f) => f.type === 'question.answered', 30_000);
    expect(answered).toMatchObject({ questionId, text: ANSWER });
    expect(host.texts()).toEqual(ANSWER.split(/(?<=\.) /));
  }, 60_000);

  it('an answer that is stale by the time it is taken over is dropped and its askers told, never played late', async () => {
    await srv.core.rooms.update('shop', { answerStaleS: 5 });
    const before = host.segments.length;
    bot.send({ type: 'question', id: 'q2', user: { id: 'v2', name: 'Ben' }, text: 'What colours does it come in?' });
    const { questionId } = await bot.next((f) => f.type === 'question.ack' && f.ref === 'q2') as unknown as { questionId: string };
    // Killed before its first sentence is complete, and back only after the room's 5 s limit.
    for (let i = 0; i < 400 && llm.requests.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    workers.child.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 5500));
    workers = await startPart('workers/main.ts', env, /workers ready/);
    const unanswered = await bot.next((f) => f.type === 'question.unanswered' && f.questionId === questionId, 30_000);
    expect(unanswered.reason).toMatch(/^stale/);
    await new Promise((r) => setTimeout(r, 1000));
    expect(host.segments.length).toBe(before);
  }, 60_000);
});
