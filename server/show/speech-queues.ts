import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUES, REVIEW_DEADLINE_JOB, redisKeys, type QaJobData, type SegmentReady, type TtsJobData } from '../../protocol/index.js';

/**
 * The server's side of the speech pipeline's queues: it only adds jobs. Job ids are
 * deterministic, so adding the same question or line twice never speaks it twice.
 */
export class SpeechQueues {
  readonly qa: Queue<QaJobData>;
  readonly tts: Queue<TtsJobData>;
  /** Read here only for its depth; the director consumes it. */
  readonly segments: Queue<SegmentReady>;

  constructor(connection: Redis, prefix: string) {
    const opts = {
      connection, prefix: redisKeys(prefix).bullPrefix,
      defaultJobOptions: { attempts: 3, backoff: { type: 'exponential', delay: 200 }, removeOnComplete: { age: 3600, count: 1000 }, removeOnFail: { age: 24 * 3600 } },
    };
    this.qa = new Queue<QaJobData>(QUEUES.qa, opts);
    this.tts = new Queue<TtsJobData>(QUEUES.tts, opts);
    this.segments = new Queue<SegmentReady>(QUEUES.segments, opts);
  }

  /** Jobs waiting and running per queue: what the workers' scaling policy watches. */
  async depths(): Promise<Record<'qa' | 'tts' | 'segments', { waiting: number; active: number }>> {
    const count = async (q: Queue) => {
      const c = await q.getJobCounts('waiting', 'prioritized', 'delayed', 'active');
      return { waiting: (c.waiting ?? 0) + (c.prioritized ?? 0) + (c.delayed ?? 0), active: c.active ?? 0 };
    };
    const [qa, tts, segments] = await Promise.all([count(this.qa), count(this.tts), count(this.segments)]);
    return { qa, tts, segments };
  }

  /** `priority`: BullMQ's (lower runs first); the newsroom derives it from the question's score. */
  async answer(job: QaJobData, priority = 100_000): Promise<void> {
    await this.qa.add('answer', job, { jobId: job.questionId, priority });
  }

  /** Comes back to the newsroom after `delayMs` as a `review.deadline` job (durable, on any instance). */
  async reviewDeadline(room: string, questionId: string, draftedAt: number, delayMs: number): Promise<void> {
    await this.segments.add(REVIEW_DEADLINE_JOB as 'segment', { room, questionId, draftedAt } as never, {
      jobId: `review.${questionId}.${draftedAt}`, delay: delayMs, removeOnComplete: { age: 3600 },
    });
  }

  /** Moves a waiting answer up or down the qa queue (askers joined, an operator boosted it). */
  async reprioritize(questionId: string, priority: number): Promise<void> {
    const job = await this.qa.getJob(questionId);
    if (!job) return;
    const state = await job.getState();
    if (state === 'waiting' || state === 'prioritized') await job.changePriority({ priority }).catch(() => undefined);
  }

  async say(job: TtsJobData): Promise<void> {
    await this.tts.add('line', job, { jobId: job.segmentId, priority: job.priority === 'urgent' ? 1 : 5 });
  }

  /**
   * Synthesizes a library line ahead of air. Each request gets its own job id: a line
   * prepared again (after a failure) must not be mistaken for the finished earlier job.
   */
  async prepare(req: { room: string; key: string; text: string; language: TtsJobData['language']; voice: TtsJobData['voice'] }): Promise<void> {
    const id = `prep.${req.key}.${Date.now().toString(36)}`;
    await this.tts.add('prepare', {
      room: req.room, segmentId: id, answerId: id, index: 0, final: true, text: req.text, language: req.language, voice: req.voice,
      priority: 'script', prepare: { key: req.key },
    }, { jobId: id, priority: 8 });
  }

  async close(): Promise<void> {
    await Promise.all([this.qa.close(), this.tts.close(), this.segments.close()]);
  }
}
