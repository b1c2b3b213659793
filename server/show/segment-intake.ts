import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  ANSWER_DRAFT_JOB, ANSWER_END_JOB, AnswerDraftJob, AnswerEnd, LINE_FAILED_JOB, LineFailed, QUEUES, REVIEW_DEADLINE_JOB, ReviewDeadline,
  SegmentReady, compile, redisKeys, type SegmentPayload,
} from '../../protocol/index.js';
import type { Library } from './library.js';
import type { ShowEvent } from './show-events.js';
import { showKeys } from './show-keys.js';
import { outageQuiet } from '../../protocol/redis-outage.js';
import { StuckWorkerWatchdog } from '../../protocol/stuck-worker-watchdog.js';

const validSegment = compile(SegmentReady);
const validEnd = compile(AnswerEnd);
const validFailed = compile(LineFailed);
const validDraft = compile(AnswerDraftJob);
const validDeadline = compile(ReviewDeadline);

/** Where answers written for review go (the newsroom): the show does not review. */
export interface ReviewHandlers {
  drafted(job: AnswerDraftJob): Promise<void>;
  deadline(room: string, questionId: string, draftedAt: number): Promise<void>;
}

/** A line's payload outlives any wait it could have on the queue. */
const PAYLOAD_TTL_S = 6 * 3600;

/**
 * The server's end of the `segments` queue, on every instance: synthesized lines of
 * answers and says become `line.ready` events in their room's inbox (their audio stored
 * for the director), library lines go to the library, the markers (`answer.end`,
 * `line.failed`) become events too, and drafts and review deadlines go to the newsroom.
 * The director, not this worker, decides what airs.
 */
export class SegmentIntake {
  private readonly queue: Queue;
  /** A worker parked for good after a Redis failover is replaced (protocol/stuck-worker-watchdog.ts). */
  private readonly watchdog: StuckWorkerWatchdog<Worker>;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    connection: Redis,
    private readonly library: Library,
    private readonly submit: (room: string, event: ShowEvent) => Promise<unknown>,
    private readonly log: Logger,
    private readonly review: ReviewHandlers,
  ) {
    this.queue = new Queue(QUEUES.segments, { connection: redis, prefix: redisKeys(prefix).bullPrefix });
    this.queue.on('error', outageQuiet(log, 'segments queue'));
    this.watchdog = new StuckWorkerWatchdog(this.queue, { log, name: 'segment intake' });
    this.watchdog.start(() => {
      const worker = new Worker(QUEUES.segments, (job) => this.watchdog.busy(() => this.process(job)), {
        connection, prefix: redisKeys(prefix).bullPrefix, concurrency: 16,
      });
      worker.on('error', outageQuiet(log, 'segment intake'));
      return worker;
    });
  }

  async process(job: Job): Promise<void> {
    if (job.name === ANSWER_DRAFT_JOB) {
      const c = validDraft.check(job.data);
      if (!c.ok) return this.invalid(job, c.error);
      return this.review.drafted(c.value);
    }
    if (job.name === REVIEW_DEADLINE_JOB) {
      const c = validDeadline.check(job.data);
      if (!c.ok) return this.invalid(job, c.error);
      return this.review.deadline(c.value.room, c.value.questionId, c.value.draftedAt);
    }
    if (job.name === ANSWER_END_JOB) {
      const c = validEnd.check(job.data);
      if (!c.ok) return this.invalid(job, c.error);
      await this.submit(c.value.room, {
        type: 'answer.end', answerId: c.value.answerId, lines: c.value.lines, ...(c.value.reason ? { reason: c.value.reason } : {}),
      });
      return;
    }
    if (job.name === LINE_FAILED_JOB) {
      const c = validFailed.check(job.data);
      if (!c.ok) return this.invalid(job, c.error);
      const f = c.value;
      if (f.prepare) return this.library.prepareFailed(f.room, f.prepare.key, f.reason);
      await this.submit(f.room, { type: 'line.failed', answerId: f.answerId, questionId: f.questionId ?? null, index: f.index, final: f.final, reason: f.reason });
      return;
    }
    const c = validSegment.check(job.data);
    if (!c.ok) return this.invalid(job, c.error);
    const seg = c.value;
    if (seg.prepare) return this.library.prepared(seg);
    const payload: SegmentPayload = {
      text: seg.text, language: seg.language, audio: seg.audio, durationMs: seg.durationMs, timeline: seg.timeline,
      timing: { ...seg.timing, readyAt: Date.now() },
    };
    const key = showKeys(this.prefix, seg.room).payload;
    await this.redis.multi().hset(key, seg.segmentId, JSON.stringify(payload)).expire(key, PAYLOAD_TTL_S).exec();
    await this.submit(seg.room, {
      type: 'line.ready', lineId: seg.segmentId, answerId: seg.answerId, questionId: seg.questionId ?? null, index: seg.index,
      final: seg.final, priority: seg.priority, text: seg.text, durationMs: seg.durationMs,
      source: seg.questionId ? { kind: 'answer', questionId: seg.questionId } : { kind: 'say', by: seg.requestedBy ?? null },
    });
  }

  private invalid(job: Job, error: string): void {
    this.log.error({ jobId: job.id, name: job.name, error }, 'invalid segments job dropped');
  }

  async close(): Promise<void> {
    await this.watchdog.close();
    await this.queue.close();
  }
}
