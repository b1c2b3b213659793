import type { Redis } from 'ioredis';
import type { RoomEvent } from '../../protocol/index.js';
import type { Delivery } from '../ws/delivery.js';
import { AnnouncedCache } from '../bus/announced-cache.js';

/**
 * A room's subscribers are read from Redis at most this often per instance (changes are
 * announced on the bus and drop the copy at once; this bounds a lost announcement), and a
 * copy up to twice as old serves while one read replaces it.
 */
const SUBSCRIBERS_FRESH_MS = 5000;

/**
 * Operators subscribe to rooms; a room event goes to every subscribed operator session.
 * Each instance keeps a copy of a room's subscribers, so an event (one per avatar command,
 * one per line on air) costs no Redis read on the relay's path.
 */
export class RoomEvents {
  private readonly subscribers: AnnouncedCache<string, string[]>;
  /** Set by the app once the bus is up: tells every instance (this one too) whose subscribers changed. */
  announce: (room: string) => void = (room) => this.forget(room);

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly delivery: Delivery,
    now: () => number = () => performance.now(),
  ) {
    this.subscribers = new AnnouncedCache((room) => this.redis.smembers(this.key(room)), {
      freshMs: SUBSCRIBERS_FRESH_MS, staleMs: 2 * SUBSCRIBERS_FRESH_MS, now,
    });
  }

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
    this.subscribers.forget(room);
  }

  private changed(room: string): void {
    this.forget(room);
    this.announce(room);
  }

  async emit(room: string, event: RoomEvent): Promise<void> {
    const sessions = await this.subscribers.get(room);
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
