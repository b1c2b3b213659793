import { afterEach, describe, expect, it } from 'vitest';
import { Queue, QueueEvents, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import {
  ANSWER_DRAFT_JOB, ANSWER_END_JOB, compile, QUEUES, redisKeys, rejectionFromFields, RejectionRecord, type AnswerContext, type AnswerDraftJob, type AnswerEnd, type KnowledgeBase, type QaJobData, type TtsJobData,
} from '../../protocol/index.js';
import { startOpenAiServer, type OpenAiServer } from '../../test/helpers/openai-server.js';
import { startModerationServer, type ModerationServer } from '../../test/helpers/moderation-server.js';
import { createModerationProvider, type ModerationProvider } from '../../moderation/index.js';
import { deletePrefix, redisUrl, testPrefix } from '../../test/helpers/redis.js';
import type { QaJobResult } from './answer-question.js';
import { KbProvider } from './kb-provider.js';
import { createOpenAiClient, OpenAiProvider } from './openai-provider.js';
import { startQaWorker, type QaWorkerHandle } from './qa-worker.js';

const log = pino({ level: 'silent' });
const KB: KnowledgeBase = {
  qa: [{ question: 'When does the show start?', answer: 'The show starts at 8 p.m. sharp. See you then!' }],
  facts: [],
};

const context = (over: Partial<AnswerContext> = {}): AnswerContext => ({
  language: 'en-GB', persona: 'You are Max, the host.', answers: 'openai', fallbackLine: 'Let me get back to you on that.',
  blocklist: ['casino'], maxAnswerChars: 400, voice: { provider: 'flite', voice: 'en-GB-male' }, ...over,
});

interface Harness {
  prefix: string;
  qa: Queue<QaJobData, QaJobResult>;
  tts: Queue<TtsJobData>;
  events: QueueEvents;
  worker: QaWorkerHandle;
  redis: Redis;
  server?: OpenAiServer;
  moderationServer?: ModerationServer;
}

let h: Harness | undefined;

async function setup(opts: {
  reply?: string; firstTokenMs?: number; tokensPerSecond?: number; failFirst?: number; llm?: boolean;
  /** The provider's first-token deadline: far from any test's first token unless a test is about it. */
  firstTokenTimeoutMs?: number; holdAfterTokens?: number;
  moderation?: (url: string) => ModerationProvider; moderationServer?: Parameters<typeof startModerationServer>[0];
} = {}): Promise<Harness> {
  const prefix = testPrefix('qa');
  const server = opts.llm === false ? undefined : await startOpenAiServer({
    reply: () => opts.reply ?? 'Hello.', firstTokenMs: opts.firstTokenMs ?? 20, tokensPerSecond: opts.tokensPerSecond ?? 200, failFirst: opts.failFirst,
    holdAfterTokens: opts.holdAfterTokens,
  });
  const kb = new KbProvider();
  const openai = server
    ? new OpenAiProvider({ client: createOpenAiClient({ baseURL: server.url }), model: 'm', fallback: kb, log, firstTokenTimeoutMs: opts.firstTokenTimeoutMs ?? 60_000 })
    : null;
  const connection = { url: redisUrl() };
  const bullPrefix = redisKeys(prefix).bullPrefix;
  const redis = new Redis(redisUrl());
  await redis.set(redisKeys(prefix).kb('room-1'), JSON.stringify(KB));
  const moderationServer = opts.moderation ? await startModerationServer(opts.moderationServer) : undefined;
  const moderation = opts.moderation && moderationServer ? opts.moderation(moderationServer.url) : undefined;
  const worker = await startQaWorker({ redisUrl: redisUrl(), prefix, kb, openai, log, concurrency: 2, moderation });
  const qa = new Queue<QaJobData, QaJobResult>(QUEUES.qa, { connection, prefix: bullPrefix });
  const tts = new Queue<TtsJobData>(QUEUES.tts, { connection, prefix: bullPrefix });
  const events = new QueueEvents(QUEUES.qa, { connection, prefix: bullPrefix });
  await events.waitUntilReady();
  h = { prefix, qa, tts, events, worker, redis, server, moderationServer };
  return h;
}

afterEach(async () => {
  if (!h) return;
  const { worker, qa, tts, events, redis, server, moderationServer, prefix } = h;
  h = undefined;
  await worker.close(100);
  await Promise.all([qa.close(), tts.close(), events.close(), server?.close(), moderationServer?.close()]);
  await redis.quit();
  await deletePrefix(prefix);
});

const job = (questionId: string, over: Partial<AnswerContext> = {}, question = 'When does the show start?'): QaJobData =>
  ({ room: 'room-1', questionId, question, context: context(over) });

async function ask(harness: Harness, data: QaJobData, jobId = data.questionId): Promise<QaJobResult> {
  const added = await harness.qa.add('answer', data, { jobId });
  return added.waitUntilFinished(harness.events, 15_000);
}

async function ttsJobs(harness: Harness): Promise<Array<Job<TtsJobData>>> {
  const jobs = await harness.tts.getJobs(['waiting', 'prioritized', 'active', 'completed', 'failed', 'delayed']);
  return jobs.sort((a, b) => a.data.index - b.data.index);
}

describe('qa worker', () => {
  it('queues each sentence as a tts job while the LLM is still streaming, the last one final', async () => {
    // The model stops after the first word of the third sentence until the test lets it go on.
    const harness = await setup({
      reply: 'The show starts at eight tonight. Doors open at seven. Grab a seat early and bring a friend along!',
      holdAfterTokens: 13,
    });
    const asked = ask(harness, job('q-stream'));
    // Causal, not timed: the first two lines are queued while the rest of the answer is unwritten.
    await until(async () => (await ttsJobs(harness)).length === 2);
    expect(harness.server!.tokenTimes[0]).toHaveLength(13);
    expect(harness.server!.doneAt[0]).toBeUndefined();
    harness.server!.release();
    const result = await asked;
    const jobs = await ttsJobs(harness);
    expect(jobs.map((j) => j.id)).toEqual(['q-stream.0', 'q-stream.1', 'q-stream.2']);
    expect(jobs.map((j) => j.data)).toEqual([
      { room: 'room-1', segmentId: 'q-stream.0', answerId: 'q-stream', questionId: 'q-stream', index: 0, final: false,
        text: 'The show starts at eight tonight.', language: 'en-GB', voice: { provider: 'flite', voice: 'en-GB-male' }, priority: 'answer',
        timing: { answers: 'openai', index: 0, qaQueuedAt: expect.any(Number), qaStartedAt: expect.any(Number), sentenceAt: expect.any(Number) } },
      expect.objectContaining({ index: 1, final: false, text: 'Doors open at seven.' }),
      expect.objectContaining({ index: 2, final: true, text: 'Grab a seat early and bring a friend along!' }),
    ]);
    expect(jobs[0]!.timestamp).toBeLessThanOrEqual(jobs[1]!.timestamp);
    expect(result).toMatchObject({ outcome: 'answered', provider: 'openai', sources: ['openai'], finalSegmentId: 'q-stream.2', rejected: [] });
    // The system prompt carried the persona and the KB hit for the question.
    const system = harness.server!.requests[0]!.body.messages[0]!.content;
    expect(system).toContain('You are Max, the host.');
    expect(system).toContain('A: The show starts at 8 p.m. sharp.');
  });

  it('answers from the knowledge base when the LLM is down', async () => {
    const harness = await setup({ failFirst: 100 });
    const result = await ask(harness, job('q-down'));
    expect((await ttsJobs(harness)).map((j) => [j.id, j.data.text, j.data.final])).toEqual([
      ['q-down.0', 'The show starts at 8 p.m. sharp.', false],
      ['q-down.1', 'See you then!', true],
    ]);
    expect(result).toMatchObject({ outcome: 'answered', provider: 'openai', sources: ['kb'] });
    expect(harness.server!.requests).toHaveLength(2);
  });

  it('answers from the knowledge base when the LLM times out', async () => {
    // A first token that never comes in the test's time, and a deadline that does.
    const harness = await setup({ firstTokenMs: 10 * 60_000, firstTokenTimeoutMs: 300 });
    const result = await ask(harness, job('q-slow'));
    expect(result.sources).toEqual(['kb']);
    expect((await ttsJobs(harness)).map((j) => j.data.text)).toEqual(['The show starts at 8 p.m. sharp.', 'See you then!']);
  });

  it('never turns a blocklisted sentence into a tts job, and ends the answer there', async () => {
    const harness = await setup({ reply: 'Welcome to the show. Our sponsor is a CASINO downtown. Have fun!' });
    const result = await ask(harness, job('q-block'));
    const jobs = await ttsJobs(harness);
    expect(jobs.map((j) => j.data.text)).toEqual(['Welcome to the show.']);
    expect(jobs.some((j) => /casino/i.test(j.data.text))).toBe(false);
    expect(result.rejected).toEqual([
      { index: 1, reason: 'blocklist', action: 'reject', detail: 'matches /casino/', text: 'Our sponsor is a CASINO downtown.' },
    ]);
    expect(result.finalSegmentId).toBeNull();
    // No line carries final, so the director is told how many lines the answer has.
    const segments = new Queue<AnswerEnd>(QUEUES.segments, { connection: harness.redis, prefix: redisKeys(harness.prefix).bullPrefix });
    const end = await segments.getJob('q-block.end');
    await segments.close();
    expect(end?.name).toBe(ANSWER_END_JOB);
    expect(end?.data).toEqual({ room: 'room-1', answerId: 'q-block', questionId: 'q-block', lines: 1 });
  });

  it('says the fallback line when the first sentence is rejected', async () => {
    const harness = await setup({ reply: 'The casino is open. Come along.' });
    const result = await ask(harness, job('q-block-first'));
    expect((await ttsJobs(harness)).map((j) => [j.data.text, j.data.final])).toEqual([['Let me get back to you on that.', true]]);
    expect(result).toMatchObject({ outcome: 'fallback', sources: ['fallback'], finalSegmentId: 'q-block-first.0' });
    expect(result.rejected[0]).toMatchObject({ index: 0, reason: 'blocklist' });
  });

  it('caps the whole answer at maxAnswerChars', async () => {
    const harness = await setup({ reply: 'One short line. Another short line. A third line that goes past the cap.' });
    const result = await ask(harness, job('q-cap', { maxAnswerChars: 40 }));
    expect((await ttsJobs(harness)).map((j) => j.data.text)).toEqual(['One short line.', 'Another short line.']);
    expect(result.rejected[0]).toMatchObject({ index: 2, reason: 'length' });
  });

  it('produces each tts job id once when a qa job is duplicated or retried', async () => {
    const harness = await setup({ reply: 'First line here. Second line here. Third line here.' });
    await ask(harness, job('q-dup'), 'q-dup');
    await ask(harness, job('q-dup'), 'q-dup-again');
    // The same job id again is deduped by BullMQ itself: it is not processed twice.
    await harness.qa.add('answer', job('q-dup'), { jobId: 'q-dup' });
    const jobs = await ttsJobs(harness);
    expect(jobs.map((j) => j.id)).toEqual(['q-dup.0', 'q-dup.1', 'q-dup.2']);
    expect(harness.server!.requests).toHaveLength(2);
  });

  it('answers from the knowledge base when a room asks for openai but no LLM is configured', async () => {
    const harness = await setup({ llm: false });
    const result = await ask(harness, job('q-nollm'));
    expect(result).toMatchObject({ provider: 'kb', outcome: 'answered', sources: ['kb'] });
    const fallback = await ask(harness, job('q-nollm-2', { answers: 'kb' }, 'Who won the match yesterday?'));
    expect(fallback).toMatchObject({ outcome: 'fallback' });
  });

  it('fails an invalid job without retrying and queues nothing', async () => {
    const harness = await setup({ llm: false });
    const bad = { ...job('q-bad'), room: '../etc' } as QaJobData;
    const added = await harness.qa.add('answer', bad, { jobId: 'q-bad', attempts: 3 });
    await expect(added.waitUntilFinished(harness.events, 10_000)).rejects.toThrow(/invalid qa job/);
    const failed = await harness.qa.getJob('q-bad');
    expect(failed?.attemptsMade).toBe(1);
    expect(await ttsJobs(harness)).toEqual([]);
  });
});

async function rejections(harness: Harness, room = 'room-1') {
  const entries = await harness.redis.xrange(redisKeys(harness.prefix).rejections(room), '-', '+');
  const valid = compile(RejectionRecord);
  return entries.map(([, fields]) => {
    const checked = valid.check(rejectionFromFields(fields));
    if (!checked.ok) throw new Error(`rejection log entry does not match RejectionRecord: ${checked.error}`);
    return checked.value;
  });
}

describe('qa worker: the output check and moderation', () => {
  it('holds back an LLM answer stating a price the KB does not hold, says the fallback instead, and records why', async () => {
    const harness = await setup({ reply: 'Tickets are only 15 pounds tonight. Grab one while you can!' });
    await harness.redis.set(redisKeys(harness.prefix).kb('room-2'), JSON.stringify({ qa: [], facts: ['Tickets cost twenty pounds.'] }));
    const before = Date.now();
    const result = await ask(harness, { ...job('q-price'), room: 'room-2', question: 'How much are tickets?' });
    // auto: a flag counts as a reject, so the first line ends the answer and the fallback airs.
    expect((await ttsJobs(harness)).map((j) => j.data.text)).toEqual(['Let me get back to you on that.']);
    expect(result).toMatchObject({ outcome: 'fallback', flags: [] });
    expect(result.rejected).toEqual([{
      index: 0, reason: 'price', action: 'flag', text: 'Tickets are only 15 pounds tonight.',
      detail: 'states "15 pounds"; the knowledge base\'s prices: twenty pounds',
    }]);
    const [record, ...more] = await rejections(harness, 'room-2');
    expect(more).toEqual([]);
    expect(record).toMatchObject({ room: 'room-2', questionId: 'q-price', index: 0, reason: 'price', action: 'flag', text: 'Tickets are only 15 pounds tonight.' });
    expect(record!.at).toBeGreaterThanOrEqual(before);
    expect(await rejections(harness)).toEqual([]);
  });

  it('keeps a flagged line in a draft for the operator, with the flag noted, instead of ending the answer', async () => {
    const harness = await setup({ reply: 'Tickets are only 15 pounds tonight. Grab one while you can!' });
    await harness.redis.set(redisKeys(harness.prefix).kb('room-2'), JSON.stringify({ qa: [], facts: ['Tickets cost twenty pounds.'] }));
    const result = await ask(harness, { ...job('q-draft', { review: 'draft' }), room: 'room-2', question: 'How much are tickets?' });
    expect(result.rejected).toEqual([]);
    expect(result.flags).toEqual([expect.objectContaining({ index: 0, reason: 'price', action: 'flag' })]);
    expect(await ttsJobs(harness)).toEqual([]);
    const segments = new Queue<AnswerDraftJob>(QUEUES.segments, { connection: harness.redis, prefix: redisKeys(harness.prefix).bullPrefix });
    const draft = await segments.getJob('q-draft.draft');
    await segments.close();
    expect(draft?.name).toBe(ANSWER_DRAFT_JOB);
    expect(draft?.data.lines).toEqual(['Tickets are only 15 pounds tonight.', 'Grab one while you can!']);
    expect(draft?.data.notes).toEqual([{ reason: 'price', action: 'flag', line: 0, detail: 'states "15 pounds"; the knowledge base\'s prices: twenty pounds' }]);
    expect((await rejections(harness, 'room-2')).map((r) => r.action)).toEqual(['flag']);
  });

  it('never speaks a link unless the room allows links', async () => {
    const reply = 'Welcome! Find the full schedule at shows.example.com/tonight. See you there.';
    const harness = await setup({ reply });
    const refused = await ask(harness, job('q-link'));
    expect(refused.rejected).toEqual([expect.objectContaining({ index: 1, reason: 'link', action: 'reject' })]);
    expect((await ttsJobs(harness)).map((j) => j.data.text)).toEqual(['Welcome!']);
    const allowed = await ask(harness, job('q-link-ok', { allowLinks: true }));
    expect(allowed).toMatchObject({ outcome: 'answered', rejected: [], finalSegmentId: 'q-link-ok.2' });
  });

  it('refuses a line the moderation endpoint flags, and records it', async () => {
    const harness = await setup({
      reply: 'Great question. You people are worthless idiots. Anyway, enjoy.',
      moderation: (url) => createModerationProvider({ provider: 'openai', baseURL: url, apiKey: 'sk-test', model: 'omni-moderation-latest', timeoutMs: 5000 }),
      moderationServer: { categorize: (input) => (/idiots/.test(input) ? ['harassment'] : []) },
    });
    const result = await ask(harness, job('q-mod'));
    expect((await ttsJobs(harness)).map((j) => j.data.text)).toEqual(['Great question.']);
    expect(result.rejected).toEqual([expect.objectContaining({ index: 1, reason: 'moderation', action: 'reject', detail: 'flagged by omni-moderation-latest: harassment' })]);
    expect(harness.moderationServer!.requests.map((r) => r.body.input)).toEqual(['Great question.', 'You people are worthless idiots.']);
    expect((await rejections(harness)).map((r) => [r.reason, r.action, r.text])).toEqual([['moderation', 'reject', 'You people are worthless idiots.']]);
  });

  it('goes on air with the fallback line, not silence, when the moderation endpoint is down', async () => {
    const harness = await setup({
      reply: 'The show starts at eight.',
      moderation: (url) => createModerationProvider({ provider: 'openai', baseURL: url, apiKey: 'sk-test', model: 'm', timeoutMs: 5000 }),
      moderationServer: { failWith: 503 },
    });
    const result = await ask(harness, job('q-mod-down'));
    // The policy: an unjudged line is a flag; in auto a flag is a reject, and the fallback line airs.
    expect(result.rejected).toEqual([expect.objectContaining({ reason: 'moderation', action: 'flag', detail: expect.stringContaining('HTTP 503') })]);
    expect(result).toMatchObject({ outcome: 'fallback' });
    expect((await ttsJobs(harness)).map((j) => j.data.text)).toEqual(['Let me get back to you on that.']);
    expect((await rejections(harness)).map((r) => r.action)).toEqual(['flag']);
  });
});

describe('qa worker shutdown', () => {
  it('hands an answer that outlives the grace back to the queue, and the next worker finishes it once', async () => {
    const harness = await setup({ reply: 'Line one is quick. Line two takes a good while to come out. Line three.', tokensPerSecond: 10 });
    await harness.qa.add('answer', job('q-shut'), { jobId: 'q-shut', attempts: 1 });
    await until(async () => (await harness.tts.getJob('q-shut.0')) !== undefined);
    await harness.worker.close(50);
    expect(await harness.qa.getJobState('q-shut')).toBe('waiting');

    const next = await startQaWorker({ redisUrl: redisUrl(), prefix: harness.prefix, kb: new KbProvider(), log,
      openai: new OpenAiProvider({ client: createOpenAiClient({ baseURL: harness.server!.url }), model: 'm', fallback: new KbProvider(), log }) });
    harness.worker = next;
    await until(async () => (await harness.qa.getJobState('q-shut')) === 'completed');
    const jobs = await ttsJobs(harness);
    expect(jobs.map((j) => [j.id, j.data.final])).toEqual([['q-shut.0', false], ['q-shut.1', false], ['q-shut.2', true]]);
    expect((await harness.qa.getJob('q-shut'))?.attemptsMade).toBeLessThanOrEqual(1);
  });
});

async function until(probe: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}
