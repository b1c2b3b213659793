import type { Redis } from 'ioredis';
import type { RoomEvent } from '../../protocol/index.js';
import type { Delivery } from '../ws/delivery.js';

/**
 * A room's subscribers are read from Redis at most this often per instance. Changes made
 * anywhere are announced on the bus and drop the copy at once; this bounds how long a lost
 * announcement can leave it stale.
 */
const SUBSCRIBERS_FRESH_MS = 5000;

/**
 * Operators subscribe to rooms; a room event goes to every subscribed operator session.
 * Each instance keeps a copy of a room's subscribers, so an event (one per avatar command,
 * one per line on air) costs no Redis read on the relay's path.
 */
export class RoomEvents {
  private readonly subscribers = new Map<string, { sessions: string[]; at: number }>();
  /** Set by the app once the bus is up: tells every instance (this one too) whose subscribers changed. */
  announce: (room: string) => void = (room) => this.forget(room);

  constructor(private readonly redis: Redis, private readonly prefix: string, private readonly delivery: Delivery) {}

  private key(room: string) { return `${this.prefix}:room:${room}:ops`; }

  async subscribe(room: string, sessionId: string): Promise<void> {
    await this.redis.sadd(this.key(room), sessionId);
    this.changed(room);
  }

  async unsubscribe(room: string, sessionId: string): Promise<void> {
    await this.redis.srem(this.key(room), sessionId);
    this.changed(room);
  }

  /** Drops this instance's copy of a room's subscribers (a change announced on the bus). */
  forget(room: string): void {
    this.subscribers.delete(room);
  }

  private changed(room: string): void {
    this.forget(room);
    this.announce(room);
  }

  private async sessionsOf(room: string): Promise<string[]> {
    const hit = this.subscribers.get(room);
    if (hit && performance.now() - hit.at < SUBSCRIBERS_FRESH_MS) return hit.sessions;
    const sessions = await this.redis.smembers(this.key(room));
    this.subscribers.set(room, { sessions, at: performance.now() });
    return sessions;
  }

  async emit(room: string, event: RoomEvent): Promise<void> {
    const sessions = await this.sessionsOf(room);
    if (sessions.length === 0) return;
    const frame = { type: 'room.event', room, event };
    await Promise.all(sessions.map(async (sid) => {
      const delivered = await this.delivery.deliver(sid, frame);
      // The session expired without resuming: forget it.
      if (!delivered) {
        await this.redis.srem(this.key(room), sid);
        this.changed(room);
      }
    }));
  }
}
