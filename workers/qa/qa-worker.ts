import { DelayedError, Queue, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { createRedis } from '../../protocol/redis-connection.js';
import { StuckWorkerWatchdog } from '../../protocol/stuck-worker-watchdog.js';
import type { Logger } from 'pino';
import { ANSWER_DRAFT_JOB, ANSWER_END_JOB, compile, QaJobData, QUEUES, redisKeys, type AnswerContext, type AnswerDraftJob, type AnswerEnd, type TtsJobData } from '../../protocol/index.js';
import { segmentJobId } from '../tts/tts-worker.js';
import type { AnswerProvider } from './answer-provider.js';
import { AnswerAbortedError, answerQuestion, type QaJobResult } from './answer-question.js';
import type { KbProvider } from './kb-provider.js';
import { KbStore } from './kb-store.js';
import { ttsJobOptions } from './tts-jobs.js';
import { outageQuiet, watchRedis, subscribeWhenReady } from '../../protocol/redis-outage.js';
import type { ModerationProvider } from '../../moderation/index.js';
import { rejectionLog } from './rejection-log.js';

/** auto: a room gets the provider it asks for (kb when no LLM is configured); kb: every room answers from its KB. */
export type AnswersMode = 'auto' | 'kb';

export interface QaWorkerOptions {
  redisUrl: string;
  prefix: string;
  concurrency?: number;
  kb: KbProvider;
  /** The LLM provider, or null when no OpenAI-compatible endpoint is configured. */
  openai?: AnswerProvider | null;
  answers?: AnswersMode;
  /** The moderation service every answer line also goes to (LIVEHOST_MODERATION); none when absent. */
  moderation?: ModerationProvider;
  log: Logger;
  /** BullMQ lock duration; a crashed worker's job is taken over after about this long. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** A job waiting this long while the worker is idle: the worker is replaced (default 30 s). */
  stuckWorkerMs?: number;
  /** How long an answer held back by a full room waits before it looks again. */
  backlogRetryMs?: number;
}

export interface QaWorkerHandle {
  readonly worker: Worker<QaJobData, QaJobResult>;
  /** Stops taking jobs; active answers get `graceMs` to finish, then go back to the queue. */
  close(graceMs?: number): Promise<void>;
}

const validQaJob = compile(QaJobData);

/**
 * The BullMQ worker on QUEUES.qa: validates each job, loads the room's knowledge base,
 * streams the answer and queues each accepted sentence on QUEUES.tts under its
 * deterministic segment id, so a retried or duplicated qa job never voices a line twice.
 */
export async function startQaWorker(options: QaWorkerOptions): Promise<QaWorkerHandle> {
  const { prefix, log } = options;
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`startQaWorker: concurrency must be a positive integer, got ${concurrency}`);
  const bullPrefix = redisKeys(prefix).bullPrefix;

  // Commands (KB reads, adding tts jobs) fail fast; the worker's connection must retry
  // forever, and BullMQ gives its blocking reads a duplicate of it.
  const commands = createRedis(options.redisUrl, { lazyConnect: true });
  const workerConnection = createRedis(options.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
  // One log line when a connection is lost and one when it is back, not one per retry.
  watchRedis(commands, 'qa commands', log);
  watchRedis(workerConnection, 'qa worker', log);
  // Cancels arrive by pub/sub, which takes a connection of its own.
  const cancels = createRedis(options.redisUrl, { lazyConnect: true, subscriber: true });
  watchRedis(cancels, 'qa cancels', log);
  await Promise.all([commands.connect(), workerConnection.connect(), cancels.connect()]);
  const keys = redisKeys(prefix);

  const ttsQueue = new Queue<TtsJobData>(QUEUES.tts, { connection: commands, prefix: bullPrefix });
  const segmentsQueue = new Queue<AnswerEnd | AnswerDraftJob>(QUEUES.segments, { connection: commands, prefix: bullPrefix });
  ttsQueue.on('error', outageQuiet(log, 'tts queue'));
  segmentsQueue.on('error', outageQuiet(log, 'segments queue'));
  const kbStore = new KbStore(commands, prefix, log);
  const recordRejection = rejectionLog(commands, prefix, log);
  const active = new Set<AbortController>();
  /** The answer each running job makes, so a cancel aborts exactly that one (its LLM stream with it). */
  const byAnswer = new Map<string, AbortController>();
  const CANCELLED = 'cancelled';
  cancels.on('message', (_channel: string, answerId: string) => byAnswer.get(answerId)?.abort(CANCELLED));
  await subscribeWhenReady(cancels, [keys.answerCancelEvents]);
  let warnedNoLlm = false;

  const pickProvider = (requested: AnswerContext['answers']): AnswerProvider => {
    if (requested === 'openai' && options.answers !== 'kb') {
      if (options.openai) return options.openai;
      if (!warnedNoLlm) {
        warnedNoLlm = true;
        log.warn('a room asks for openai answers but no OPENAI_BASE_URL / OPENAI_API_KEY is set; answering from the knowledge base');
      }
    }
    return options.kb;
  };

  const processor = async (job: Job<QaJobData, QaJobResult>, token?: string): Promise<QaJobResult> => {
    const startedAt = Date.now();
    const checked = validQaJob.check(job.data);
    if (!checked.ok) throw new UnrecoverableError(`invalid qa job ${job.id}: ${checked.error}`);
    const data = checked.value;
    const ended = async (lines: number, reason?: string): Promise<void> => {
      const end: AnswerEnd = { room: data.room, answerId: data.questionId, questionId: data.questionId, lines, ...(reason ? { reason } : {}) };
      await segmentsQueue.add(ANSWER_END_JOB, end, { jobId: segmentJobId(`${data.questionId}.end`), removeOnComplete: { age: 3600 } });
    };
    const nothing = (outcome: QaJobResult['outcome']): QaJobResult => ({
      questionId: data.questionId, provider: pickProvider(data.context.answers).name, outcome, sources: [], segments: [], finalSegmentId: null, rejected: [], flags: [], basis: [],
    });
    if (await commands.exists(keys.answerCancelled(data.questionId))) return nothing('cancelled');
    // An answer resumed after a crash, or held too long, would air out of its moment: drop it.
    const staleAfter = data.context.staleAfterMs;
    if (data.askedAt !== undefined && staleAfter !== undefined && Date.now() - data.askedAt > staleAfter) {
      const ageS = Math.round((Date.now() - data.askedAt) / 1000);
      log.warn({ room: data.room, questionId: data.questionId, ageS }, 'answer is stale; dropped');
      await ended(0, `stale: asked ${ageS} s ago`);
      return nothing('stale');
    }
    // Back-pressure: while the room has more audio waiting than it allows, the answer waits here, in BullMQ.
    const limit = data.context.backlogLimitMs;
    if (limit !== undefined && token) {
      const backlog = Number(await commands.get(keys.backlog(data.room)) ?? 0);
      if (backlog > limit) {
        await job.moveToDelayed(Date.now() + (options.backlogRetryMs ?? 1000), token);
        throw new DelayedError();
      }
    }
    const controller = new AbortController();
    active.add(controller);
    byAnswer.set(data.questionId, controller);
    const toVoice = async (line: TtsJobData): Promise<void> => {
      const jobId = ttsJobOptions(line.segmentId, line.priority).jobId!;
      await commands.multi().sadd(keys.answerTtsJobs(data.questionId), jobId).expire(keys.answerTtsJobs(data.questionId), 3600).exec();
      await ttsQueue.add('tts', line, ttsJobOptions(line.segmentId, line.priority));
    };
    try {
      const kb = await kbStore.load(data.room);
      const provider = pickProvider(data.context.answers);
      const review = data.context.review ?? 'none';
      // draft: written in full for an operator. tiered: a knowledge-base answer is held only
      // until it is complete (it comes at once) to see whether it needs a person; an LLM's is drafted.
      const holding = review === 'draft' || review === 'tiered';
      const held: TtsJobData[] = [];
      // BullMQ stamps a job with its producer's clock when it is added: the server's, here.
      const timing = { ...(data.askedAt !== undefined ? { askedAt: data.askedAt } : {}), qaQueuedAt: job.timestamp, qaStartedAt: startedAt, answers: provider.name };
      const result = await answerQuestion(data, {
        provider, kb, signal: controller.signal, log, timing,
        moderation: options.moderation,
        // A draft goes to an operator, who sees what a check flagged; on air at once, a flag is a reject.
        flagged: holding ? 'keep' : 'reject',
        record: (line) => recordRejection({ room: data.room, questionId: data.questionId, ...line, text: line.text.slice(0, 4000), at: Date.now() }),
        emit: holding ? async (line) => { held.push(line); } : toVoice,
      });
      const confident = review === 'tiered' && provider.name === 'kb' && result.rejected.length === 0 && result.flags.length === 0 && !result.sources.includes('openai');
      if (holding && !confident) {
        const draft: AnswerDraftJob = {
          room: data.room, questionId: data.questionId, lines: held.map((l) => l.text), provider: provider.name,
          sources: result.basis.length ? result.basis.map((b) => ({ kind: b.source, text: b.text, confidence: b.confidence }))
            : result.sources.map((kind) => ({ kind, text: null, confidence: null })),
          notes: [
            ...result.rejected.map((r) => ({ reason: r.reason, detail: r.detail, action: r.action, line: r.index })),
            ...result.flags.map((r) => ({ reason: r.reason, detail: r.detail, action: 'flag' as const, line: r.index })),
          ],
        };
        await segmentsQueue.add(ANSWER_DRAFT_JOB, draft, { jobId: segmentJobId(`${data.questionId}.draft`), removeOnComplete: { age: 3600 } });
        return result;
      }
      for (const line of held) await toVoice(line);
      // No line carries final (or none at all): tell the director how many lines the answer has.
      if (!result.finalSegmentId) await ended(result.segments.length);
      return result;
    } catch (err) {
      if (err instanceof AnswerAbortedError && controller.signal.reason === CANCELLED) {
        log.info({ room: data.room, questionId: data.questionId }, 'answer cancelled; generation stopped');
        return nothing('cancelled');
      }
      if (err instanceof AnswerAbortedError) {
        // Shutting down mid-answer: back to the queue without spending an attempt; the
        // next worker re-adds the lines already queued under the same ids (deduped).
        await job.moveToWait(token);
        throw new WaitingError();
      }
      throw err;
    } finally {
      active.delete(controller);
      byAnswer.delete(data.questionId);
    }
  };

  // A worker parked for good after a Redis failover is replaced (protocol/stuck-worker-watchdog.ts).
  const qaQueue = new Queue<QaJobData>(QUEUES.qa, { connection: commands, prefix: bullPrefix });
  qaQueue.on('error', outageQuiet(log, 'qa queue'));
  const watchdog = new StuckWorkerWatchdog<Worker<QaJobData, QaJobResult>>(qaQueue, {
    log, name: 'qa', ...(options.stuckWorkerMs ? { stuckMs: options.stuckWorkerMs } : {}),
  });
  const makeWorker = () => {
    const w = new Worker<QaJobData, QaJobResult>(QUEUES.qa, (job, token) => watchdog.busy(() => processor(job, token)), {
      connection: workerConnection,
      prefix: bullPrefix,
      concurrency,
      ...(options.lockDurationMs ? { lockDuration: options.lockDurationMs } : {}),
      ...(options.stalledIntervalMs ? { stalledInterval: options.stalledIntervalMs } : {}),
      removeOnComplete: { age: 3600, count: 10_000 },
      removeOnFail: { age: 24 * 3600 },
    });
    w.on('error', outageQuiet(log, 'qa worker'));
    w.on('failed', (job, err) => {
      if (err instanceof WaitingError || err instanceof DelayedError) return;
      log.error({ jobId: job?.id, questionId: job?.data?.questionId, attempts: job?.attemptsMade, err: { name: err.name, message: err.message } }, 'qa job failed');
    });
    return w;
  };
  const worker = watchdog.start(makeWorker);
  await worker.waitUntilReady();
  log.info({ queue: QUEUES.qa, concurrency }, 'qa worker started');

  return {
    get worker() { return watchdog.current; },
    async close(graceMs = 2000) {
      const timer = setTimeout(() => {
        for (const c of active) c.abort();
      }, graceMs);
      try {
        await watchdog.close();
      } finally {
        clearTimeout(timer);
      }
      await qaQueue.close();
      await ttsQueue.close();
      await segmentsQueue.close();
      await Promise.allSettled([commands.quit(), workerConnection.quit(), cancels.quit()]);
      log.info('qa worker stopped');
    },
  };
}
