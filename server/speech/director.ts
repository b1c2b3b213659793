import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { ANSWER_END_JOB, AnswerEnd, QUEUES, compile, redisKeys, SegmentReady, type RoomEvent, type SpeechSegment } from '../../protocol/index.js';
import type { Delivery } from '../ws/delivery.js';
import type { Placement } from '../rooms/placement.js';
import { withLock } from '../rooms/redis-lock.js';

const validSegment = compile(SegmentReady);
const validEnd = compile(AnswerEnd);

export interface DirectorOptions {
  prefix: string;
  connection: Redis;
  concurrency?: number;
}

/**
 * Puts synthesized lines on air. Lines of one answer can finish synthesis out of order;
 * the director holds each until the lines before it have gone, then gives it the room's
 * next segment seq and pushes it to the room's render host. A room's lines are handled
 * under a Redis lock, so any instance may run the director and order still holds.
 */
export class Director {
  private readonly worker: Worker<SegmentReady | AnswerEnd>;
  private readonly p: string;

  constructor(
    private readonly redis: Redis,
    private readonly delivery: Delivery,
    private readonly placement: Placement,
    private readonly emit: (room: string, event: RoomEvent) => Promise<void>,
    private readonly log: Logger,
    opts: DirectorOptions,
    /** Told of every line put on air (question status, answers to bots). */
    private readonly onAir: (seg: SegmentReady) => Promise<void> = async () => undefined,
    /** Told once an answer whose last line was not marked final is fully on air. */
    private readonly onAnswerEnd: (room: string, questionId: string | undefined) => Promise<void> = async () => undefined,
  ) {
    this.p = opts.prefix;
    this.worker = new Worker<SegmentReady | AnswerEnd>(QUEUES.segments, (job) => (job.name === ANSWER_END_JOB
      ? this.end(job as Job<AnswerEnd>) : this.process(job as Job<SegmentReady>)), {
      connection: opts.connection, prefix: redisKeys(opts.prefix).bullPrefix, concurrency: opts.concurrency ?? 8,
    });
    this.worker.on('error', (err) => log.warn({ err: err.message }, 'director worker error'));
  }

  private key(room: string, what: string) { return `${this.p}:room:${room}:${what}`; }

  async process(job: Job<SegmentReady>): Promise<void> {
    const check = validSegment.check(job.data);
    if (!check.ok) {
      this.log.error({ jobId: job.id, error: check.error }, 'invalid segment dropped');
      return;
    }
    const seg = check.value;
    await withLock(this.redis, this.key(seg.room, 'lock:director'), async () => {
      const pending = this.key(seg.room, `answer:${seg.answerId}:pending`);
      const nextKey = this.key(seg.room, `answer:${seg.answerId}:next`);
      await this.redis.multi().hset(pending, String(seg.index), JSON.stringify(seg)).expire(pending, 3600).exec();
      let next = Number((await this.redis.get(nextKey)) ?? 0);
      for (;;) {
        const raw = await this.redis.hget(pending, String(next));
        if (!raw) break;
        await this.putOnAir(JSON.parse(raw) as SegmentReady);
        await this.redis.multi().hdel(pending, String(next)).set(nextKey, next + 1, 'EX', 3600).exec();
        next += 1;
      }
      await this.endIfComplete(seg.room, seg.answerId, next);
    }, { ttlMs: 10_000, waitMs: 10_000 });
  }

  /** An answer ended without a final line: complete it once its lines are all on air. */
  async end(job: Job<AnswerEnd>): Promise<void> {
    const check = validEnd.check(job.data);
    if (!check.ok) {
      this.log.error({ jobId: job.id, error: check.error }, 'invalid answer end dropped');
      return;
    }
    const end = check.value;
    await withLock(this.redis, this.key(end.room, 'lock:director'), async () => {
      await this.redis.set(this.key(end.room, `answer:${end.answerId}:end`), JSON.stringify(end), 'EX', 3600);
      const next = Number((await this.redis.get(this.key(end.room, `answer:${end.answerId}:next`))) ?? 0);
      await this.endIfComplete(end.room, end.answerId, next);
    }, { ttlMs: 10_000, waitMs: 10_000 });
  }

  /** Must run under the room's lock. */
  private async endIfComplete(room: string, answerId: string, onAir: number): Promise<void> {
    const raw = await this.redis.get(this.key(room, `answer:${answerId}:end`));
    if (!raw) return;
    const end = JSON.parse(raw) as AnswerEnd;
    if (onAir < end.lines) return;
    await this.redis.del(this.key(room, `answer:${answerId}:end`));
    await this.onAnswerEnd(room, end.questionId).catch((err: Error) => this.log.warn({ err: err.message, answerId }, 'answer end bookkeeping failed'));
  }

  private async putOnAir(seg: SegmentReady): Promise<void> {
    // A segment job retried after it was sent must not be sent twice.
    const first = await this.redis.set(this.key(seg.room, `sent:${seg.segmentId}`), '1', 'EX', 3600, 'NX');
    if (!first) return;
    const segmentSeq = await this.redis.incr(this.key(seg.room, 'segseq'));
    const segment: SpeechSegment = {
      segmentId: seg.segmentId, room: seg.room, segmentSeq, text: seg.text, language: seg.language,
      priority: seg.priority, audio: seg.audio, durationMs: seg.durationMs, timeline: seg.timeline, final: seg.final,
      ...(seg.questionId ? { questionId: seg.questionId } : {}),
    };
    const host = await this.placement.hostFor(seg.room);
    if (host) await this.delivery.deliver(host.sessionId, { type: 'speech.segment', segment });
    else this.log.warn({ room: seg.room, segmentId: seg.segmentId }, 'no render host: segment not played');
    await this.onAir(seg).catch((err: Error) => this.log.warn({ err: err.message, segmentId: seg.segmentId }, 'on-air bookkeeping failed'));
    await this.emit(seg.room, {
      kind: 'answer.sentence', segmentId: seg.segmentId, segmentSeq, text: seg.text, final: seg.final,
      ...(seg.questionId ? { questionId: seg.questionId } : {}),
    });
  }

  async close(): Promise<void> {
    await this.worker.close();
  }
}
