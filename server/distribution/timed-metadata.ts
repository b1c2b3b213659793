import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { redisKeys, type RoomEvent, type TimedMetadataEvent } from '../../protocol/index.js';

/** A stashed line waits at most this long for its segment to start (s). */
const STASH_TTL_SEC = 3600;

interface StashedLine { text: string; final: boolean; questionId?: string }

/**
 * Turns room events into timed metadata. A caption must reach viewers when its line is
 * heard, not when it was written: the director's `answer.sentence` (which has the text)
 * comes seconds before the render host's `speech.started` (which has only the segment id).
 * So the text waits in a per-room Redis hash, shared by every server instance (the host's
 * report may arrive at another instance than the director's), and is published on
 * `redisKeys().timedMetadata` when the segment starts. A question's card goes out once,
 * just before the first line of its answer.
 */
export class TimedMetadataPublisher {
  private readonly keys;

  constructor(private readonly redis: Redis, prefix: string, private readonly log?: Logger) {
    this.keys = redisKeys(prefix);
  }

  /** Feed every room event here; the kinds that matter are stashed or published, the rest ignored. */
  async onRoomEvent(room: string, event: RoomEvent): Promise<void> {
    const stash = this.keys.timedMetadataStash(room);
    switch (event.kind) {
      case 'question':
        await this.redis.multi().hset(stash, `q:${event.question.questionId}`, event.question.text).expire(stash, STASH_TTL_SEC).exec();
        return;
      case 'answer.sentence': {
        const line: StashedLine = { text: event.text, final: event.final, ...(event.questionId ? { questionId: event.questionId } : {}) };
        await this.redis.multi().hset(stash, `seg:${event.segmentId}`, JSON.stringify(line)).expire(stash, STASH_TTL_SEC).exec();
        return;
      }
      case 'speech.started':
        await this.started(room, event.segmentId, event.mediaTimeMs);
        return;
      default:
    }
  }

  private async started(room: string, segmentId: string, mediaTimeMs: number): Promise<void> {
    const stash = this.keys.timedMetadataStash(room);
    // HGET + HDEL in one step: a host reporting the same start twice publishes it once.
    const raw = await this.take(stash, `seg:${segmentId}`);
    if (!raw) return; // a line the director never announced (or expired): nothing to show
    const line = JSON.parse(raw) as StashedLine;
    const at = Date.now();
    const out: TimedMetadataEvent[] = [];
    if (line.questionId) {
      const question = await this.take(stash, `q:${line.questionId}`);
      if (question) out.push({ room, kind: 'question', segmentId, questionId: line.questionId, text: question, mediaTimeMs, at });
    }
    out.push({
      room, kind: 'caption', segmentId, text: line.text, final: line.final, mediaTimeMs, at,
      ...(line.questionId ? { questionId: line.questionId } : {}),
    });
    for (const event of out) await this.redis.publish(this.keys.timedMetadata, JSON.stringify(event));
  }

  private async take(hash: string, field: string): Promise<string | null> {
    const replies = await this.redis.multi().hget(hash, field).hdel(hash, field).exec();
    const value = replies?.[0]?.[1];
    return typeof value === 'string' ? value : null;
  }

  /** For callers that must never fail because of metadata (the event path to operators). */
  async safely(room: string, event: RoomEvent): Promise<void> {
    try {
      await this.onRoomEvent(room, event);
    } catch (err) {
      this.log?.warn({ room, kind: event.kind, err: (err as Error).message }, 'timed metadata not published');
    }
  }
}

/**
 * Wires a publisher in front of a room-event emitter (the server's RoomEvents), so every
 * path that emits (director, render-host handler, question intake) feeds it without each
 * knowing about metadata. Returns the same emitter.
 */
export function tapTimedMetadata<T extends { emit(room: string, event: RoomEvent): Promise<void> }>(events: T, publisher: TimedMetadataPublisher): T {
  const emit = events.emit.bind(events);
  events.emit = async (room: string, event: RoomEvent) => {
    await publisher.safely(room, event);
    await emit(room, event);
  };
  return events;
}
