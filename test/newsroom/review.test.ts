import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisKeys, rejectionFromFields, type QuestionInfo } from '../../protocol/index.js';
import { cleanup, startServer, type TestServer } from '../helpers/server.js';
import { redisUrl } from '../helpers/redis.js';
import { startPart, type Part } from '../helpers/processes.js';
import { startOpenAiServer, type OpenAiServer } from '../helpers/openai-server.js';
import { TestClient } from '../helpers/ws-client.js';
import { FakeHost } from '../helpers/fake-host.js';

const KB = {
  qa: [
    { question: 'How long does shipping take?', answer: 'Shipping takes two to four days. It is free on every order.' },
    { question: 'Can I return them?', answer: 'Yes, you can return them within thirty days.' },
    { question: 'What colours do they come in?', answer: 'They come in black and in white.' },
  ],
  facts: ['The headphones cost seventy nine dollars.'],
};

// Review modes with real workers and a local OpenAI-compatible model: nothing airs before
// its approval; what the render host plays is what was approved.
describe('answer review', () => {
  let srv: TestServer;
  let llm: OpenAiServer;
  let workers: Part;
  let dir: string;
  let host: FakeHost;
  let op: TestClient;
  let bot: TestClient;
  let n = 0;

  const ask = async (room: string, text: string) => {
    const id = `q${++n}`;
    bot.send({ type: 'question', id, room, user: { id: `viewer-${n}`, name: `Viewer ${n}` }, text });
    return (await bot.next((f) => f.type === 'question.ack' && f.ref === id)).questionId as string;
  };
  const questionEvent = (questionId: string, status: string, timeoutMs = 20_000) => op.next((f) => f.type === 'room.event'
    && (f.event as { kind: string; question?: QuestionInfo }).question?.questionId === questionId
    && (f.event as { question: QuestionInfo }).question.status === status, timeoutMs).then((f) => (f.event as { question: QuestionInfo }).question);

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'livehost-review-'));
    srv = await startServer();
    llm = await startOpenAiServer({
      reply: (messages) => (/cost/i.test(messages.at(-1)?.content ?? '') ? 'They cost $59 today. What a deal.' : 'The headphones fold flat. They fit in any bag.'),
    });
    workers = await startPart('workers/main.ts', {
      REDIS_URL: redisUrl(), LIVEHOST_REDIS_PREFIX: srv.prefix, LIVEHOST_DATA_DIR: dir,
      OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'sk-test', LIVEHOST_LLM_MODEL: 'test-model',
    }, /workers ready/);
    await srv.core.rooms.create({ id: 'rev', name: 'Review', review: 'answers' });
    await srv.core.rooms.putKb('rev', KB);
    await srv.core.placement.place('rev');
    host = await FakeHost.connect(srv.wsUrl, await srv.token({ role: 'render-host', hostId: 'h1' }), { playMs: () => 50 });
    op = await TestClient.connect(`${srv.wsUrl}/ws/operator`, srv.adminToken);
    op.send({ type: 'room.subscribe', id: 's', room: 'rev' });
    await op.next((f) => f.type === 'ack' && f.ref === 's');
    bot = await TestClient.connect(`${srv.wsUrl}/ws/bot`, await srv.token({ role: 'bot', rooms: ['rev'] }));
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

  it('in answers mode nothing airs before approval, and an edited answer airs with the edit (checked again)', async () => {
    const qid = await ask('rev', 'How long does shipping take?');
    const drafted = await questionEvent(qid, 'draft');
    expect(drafted.draft).toMatchObject({ lines: ['Shipping takes two to four days.', 'It is free on every order.'], provider: 'kb' });
    expect(drafted.draft!.sources[0]).toMatchObject({ kind: 'kb', text: 'How long does shipping take?' });
    await new Promise((r) => setTimeout(r, 500));
    expect(host.segments).toEqual([]);

    await srv.core.rooms.update('rev', { blocklist: ['competitor'] });
    op.send({ type: 'question.approve', id: 'bad-edit', room: 'rev', questionId: qid, text: 'Our competitor is slower.' });
    expect(await op.next((f) => f.type === 'error' && f.ref === 'bad-edit')).toMatchObject({ code: 'rejected' });
    op.send({ type: 'question.approve', id: 'edit', room: 'rev', questionId: qid, text: 'Shipping takes three days. Returns are free.' });
    await op.next((f) => f.type === 'ack' && f.ref === 'edit');
    const answered = await bot.next((f) => f.type === 'question.answered' && f.questionId === qid, 20_000);
    expect(answered.text).toBe('Shipping takes three days. Returns are free.');
    expect(host.texts()).toEqual(['Shipping takes three days.', 'Returns are free.']);
  }, 60_000);

  it('a draft nobody approves in time expires and never airs; with auto-air it airs by itself', async () => {
    await srv.core.rooms.update('rev', { reviewTimeoutS: 1, reviewTimeoutAction: 'expire' });
    const before = host.segments.length;
    const expired = await ask('rev', 'Can I return them?');
    await questionEvent(expired, 'draft');
    const gone = await bot.next((f) => f.type === 'question.unanswered' && f.questionId === expired, 20_000);
    expect(gone.reason).toMatch(/in time/);
    await new Promise((r) => setTimeout(r, 500));
    expect(host.segments.length).toBe(before);

    await srv.core.rooms.update('rev', { reviewTimeoutAction: 'air' });
    const auto = await ask('rev', 'What colours do they come in?');
    await questionEvent(auto, 'draft');
    const aired = await bot.next((f) => f.type === 'question.answered' && f.questionId === auto, 20_000);
    expect(aired.text).toBe('They come in black and in white.');
  }, 60_000);

  it('in tiered mode a knowledge-base answer airs at once and an LLM answer waits for review', async () => {
    await srv.core.rooms.update('rev', { review: 'tiered', reviewTimeoutS: 0 });
    const kb = await ask('rev', 'Can I return them?');
    await bot.next((f) => f.type === 'question.answered' && f.questionId === kb, 20_000);
    expect((await srv.core.questions.get('rev', kb)).draft).toBeUndefined();

    await srv.core.rooms.update('rev', { answers: 'openai' });
    const before = host.segments.length;
    const llmQ = await ask('rev', 'Do they fold?');
    const drafted = await questionEvent(llmQ, 'draft');
    expect(drafted.draft).toMatchObject({ provider: 'openai', lines: ['The headphones fold flat.', 'They fit in any bag.'] });
    await new Promise((r) => setTimeout(r, 500));
    expect(host.segments.length).toBe(before);
    op.send({ type: 'question.approve', id: 'ok', room: 'rev', questionId: llmQ });
    await bot.next((f) => f.type === 'question.answered' && f.questionId === llmQ, 20_000);
    // The approver is on record.
    expect((await srv.core.questions.get('rev', llmQ)).approvedBy).toMatch(/^tok-/);
  }, 60_000);

  it('an answer stating a price the facts do not hold is flagged for the operator, and recorded with its reason', async () => {
    await srv.core.rooms.update('rev', { review: 'tiered', answers: 'openai' });
    const q = await ask('rev', 'How much do they cost right now?');
    const drafted = await questionEvent(q, 'draft');
    expect(drafted.draft!.lines[0]).toBe('They cost $59 today.');
    expect(drafted.draft!.notes).toEqual(expect.arrayContaining([expect.objectContaining({ reason: 'price', action: 'flag', line: 0 })]));
    const log = await srv.core.redis.xrange(redisKeys(srv.prefix).rejections('rev'), '-', '+');
    expect(log.map(([, f]) => rejectionFromFields(f))).toEqual(expect.arrayContaining([
      expect.objectContaining({ reason: 'price', questionId: q }),
    ]));
  }, 60_000);
});
