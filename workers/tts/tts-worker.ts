import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { createRedis } from '../../protocol/redis-connection.js';
import { StuckWorkerWatchdog } from '../../protocol/stuck-worker-watchdog.js';
import pino, { type Logger } from 'pino';
import { compile, LINE_FAILED_JOB, QUEUES, redisKeys, SegmentReady, TtsJobData, type LineFailed } from '../../protocol/index.js';
import type { AssetStore } from '../../assets/asset-store.js';
import { TtsError } from './errors.js';
import { synthesizeLine } from './synthesize-line.js';
import type { VoiceProviderSet } from './voice-provider-set.js';
import { outageQuiet, watchRedis } from '../../protocol/redis-outage.js';

export interface TtsWorkerOptions {
  /** A Redis URL (REDIS_URL) or ioredis options. */
  connection: string | RedisOptions;
  /** Key prefix shared by all parts; BullMQ keys go under redisKeys(prefix).bullPrefix. */
  prefix: string;
  store: AssetStore;
  providers: VoiceProviderSet;
  /** Lines synthesized at once per worker process (default 2: flite and espeak-ng use a core each). */
  concurrency?: number;
  logger?: Logger;
  /** How long a job stays locked to a worker that stops renewing it (a dead process): its recovery time. */
  lockDurationMs?: number;
}

export interface TtsWorkerHandle {
  worker: Worker<TtsJobData, TtsJobResult | null>;
  /** The producer side of QUEUES.segments. */
  segments: Queue<SegmentReady | LineFailed>;
  close(): Promise<void>;
}

export interface TtsJobResult {
  segmentId: string;
  audioKey: string;
  durationMs: number;
}

/**
 * Finished segments stay an hour (the window in which a retried tts job is recognised as
 * a duplicate by its job id) and at most 5,000; failed ones a day for inspection.
 */
export const SEGMENT_JOB_OPTIONS = {
  removeOnComplete: { age: 3600, count: 5000 },
  removeOnFail: { age: 86_400 },
} as const;

/**
 * BullMQ job id for a segment id. BullMQ refuses ids that contain ":" or look like
 * integers; ":" becomes "+" and integer-looking ids get a "~" prefix, neither of which an
 * EntityId can contain, so the mapping stays one-to-one.
 */
export function segmentJobId(segmentId: string): string {
  const id = segmentId.replace(/:/g, '+');
  return `${parseInt(id, 10)}` === id ? `~${id}` : id;
}

const jobValidator = compile(TtsJobData);
const segmentValidator = compile(SegmentReady);

/**
 * The tts worker: takes lines from QUEUES.tts, synthesizes them (or finds them in the
 * asset store), and queues each SegmentReady on QUEUES.segments under a job id derived
 * from the segment id, so a retried job never yields a second segment.
 */
export async function startTtsWorker(opts: TtsWorkerOptions): Promise<TtsWorkerHandle> {
  const logger = opts.logger ?? pino({ name: 'workers', level: process.env.LOG_LEVEL ?? 'info' });
  const concurrency = opts.concurrency ?? 2;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error('concurrency must be a positive integer');
  const bullPrefix = redisKeys(opts.prefix).bullPrefix;
  const redis = (extra: { maxRetriesPerRequest: null }) => typeof opts.connection === 'string'
    ? createRedis(opts.connection, extra)
    : new Redis({ ...opts.connection, ...extra });
  // Separate clients: the worker's is blocking (BRPOPLPUSH-style waits), so it must retry forever.
  const workerConnection = redis({ maxRetriesPerRequest: null });
  const queueConnection = redis({ maxRetriesPerRequest: null });
  // One log line when a connection is lost and one when it is back, not one per retry.
  watchRedis(workerConnection, 'tts worker', logger);
  watchRedis(queueConnection, 'tts queue', logger);
  const segments = new Queue<SegmentReady | LineFailed>(QUEUES.segments, { connection: queueConnection, prefix: bullPrefix });
  segments.on('error', outageQuiet(logger, 'segments queue'));
  const keys = redisKeys(opts.prefix);

  const processor = async (job: Job<TtsJobData>): Promise<TtsJobResult | null> => {
    const startedAt = Date.now();
    const checked = jobValidator.check(job.data);
    if (!checked.ok) throw new UnrecoverableError(`invalid_job: ${checked.error}`);
    // An answer called off while this line waited: nothing of it is made.
    if (await queueConnection.exists(keys.answerCancelled(checked.value.answerId))) return null;
    let segment: SegmentReady;
    try {
      segment = await synthesizeLine(checked.value, { store: opts.store, providers: opts.providers, logger });
    } catch (err) {
      // Bad text or an unspeakable language will not get better with retries.
      if (err instanceof TtsError && (err.code === 'empty_text' || err.code === 'unsupported_language')) {
        throw new UnrecoverableError(`${err.code}: ${err.message}`);
      }
      throw err;
    }
    // BullMQ stamps a job with its producer's clock: the qa worker's (an answer) or the server's (a say).
    segment.timing = { ...segment.timing, ttsQueuedAt: job.timestamp, ttsStartedAt: startedAt, synthesizedAt: Date.now() };
    const valid = segmentValidator.check(segment);
    if (!valid.ok) throw new UnrecoverableError(`invalid segment: ${valid.error}`);
    await segments.add('segment', segment, { ...SEGMENT_JOB_OPTIONS, jobId: segmentJobId(segment.segmentId) });
    logger.debug({ segmentId: segment.segmentId, room: segment.room, provider: segment.voice.provider, durationMs: segment.durationMs }, 'segment ready');
    return { segmentId: segment.segmentId, audioKey: segment.audio.key, durationMs: segment.durationMs };
  };

  // A worker parked for good after a Redis failover is replaced (protocol/stuck-worker-watchdog.ts).
  const ttsQueue = new Queue<TtsJobData>(QUEUES.tts, { connection: queueConnection, prefix: bullPrefix });
  ttsQueue.on('error', outageQuiet(logger, 'tts queue'));
  const watchdog = new StuckWorkerWatchdog<Worker<TtsJobData, TtsJobResult | null>>(ttsQueue, { log: logger, name: 'tts' });
  const makeWorker = () => {
    const w = new Worker<TtsJobData, TtsJobResult | null>(QUEUES.tts, (job) => watchdog.busy(() => processor(job)), {
      connection: workerConnection,
      prefix: bullPrefix,
      concurrency,
      ...(opts.lockDurationMs ? { lockDuration: opts.lockDurationMs, stalledInterval: opts.lockDurationMs } : {}),
    });
    w.on('failed', (job, err) => {
      logger.warn({ jobId: job?.id, segmentId: job?.data?.segmentId, attempts: job?.attemptsMade, err: err.message }, 'tts job failed');
      const data = job && jobValidator.check(job.data);
      if (!job || !data?.ok) return;
      const final = err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
      if (!final) return;
      // Given up for good: the director skips the line (or the library shows the material failed).
      const d = data.value;
      const failed: LineFailed = {
        room: d.room, segmentId: d.segmentId, answerId: d.answerId, index: d.index, final: d.final, reason: err.message.slice(0, 500),
        ...(d.questionId ? { questionId: d.questionId } : {}), ...(d.prepare ? { prepare: d.prepare } : {}),
      };
      void segments.add(LINE_FAILED_JOB, failed, { ...SEGMENT_JOB_OPTIONS, jobId: segmentJobId(`${d.segmentId}.failed`) })
        .catch((e: Error) => logger.error({ err: e.message, segmentId: d.segmentId }, 'could not report a failed line'));
    });
    w.on('error', outageQuiet(logger, 'tts worker'));
    return w;
  };
  const worker = watchdog.start(makeWorker);

  let closing: Promise<void> | undefined;
  const close = () => (closing ??= (async () => {
    await watchdog.close();
    await ttsQueue.close();
    await segments.close();
    await Promise.allSettled([workerConnection.quit(), queueConnection.quit()]);
  })());

  try {
    await worker.waitUntilReady();
    await segments.waitUntilReady();
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
  return { get worker() { return watchdog.current; }, segments, close };
}
