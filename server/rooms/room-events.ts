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
 * Past FRESH, a copy younger than this still serves while one read replaces it: a room's
 * events do not wait for Redis, and the rooms whose copies were taken together at start
 * do not all stall on one expiry. Older than this (a room quiet for long), events wait
 * for the read.
 */
const SUBSCRIBERS_STALE_MS = 2 * SUBSCRIBERS_FRESH_MS;

/**
 * Operators subscribe to rooms; a room event goes to every subscribed operator session.
 * Each instance keeps a copy of a room's subscribers, so an event (one per avatar command,
 * one per line on air) costs no Redis read on the relay's path.
 */
export class RoomEvents {
  private readonly subscribers = new Map<string, { sessions: string[]; at: number }>();
  /**
   * The read under way for a room, one at a time: before this, every event that came while
   * a room's copy was being read sent its own read — at 8,000 acks/s, five for one room in
   * one millisecond, every five seconds for every room at once.
   */
  private readonly reading = new Map<string, Promise<string[]>>();
  /** Set by the app once the bus is up: tells every instance (this one too) whose subscribers changed. */
  announce: (room: string) => void = (room) => this.forget(room);

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly delivery: Delivery,
    private readonly now: () => number = () => performance.now(),
  ) {}

  private key(room: string) { return `${this.prefix}:room:${room}:ops`; }

  async subscribe(room: string, sessionId: string): Promise<void> {
    await this.redis.sadd(this.key(room), sessionId);
    this.changed(room);
  }

  async unsubscribe(room: string, sessionId: string): Promise<void> {
    await this.redis.srem(this.key(room), sessionId);
    this.changed(room);
  }

  /** Drops this instance's copy of a room's subscribers (a change announced on the bus); a read under way no longer counts. */
  forget(room: string): void {
    this.subscribers.delete(room);
    this.reading.delete(room);
  }

  private changed(room: string): void {
    this.forget(room);
    this.announce(room);
  }

  private sessionsOf(room: string): string[] | Promise<string[]> {
    const hit = this.subscribers.get(room);
    const age = hit ? this.now() - hit.at : Infinity;
    if (hit && age < SUBSCRIBERS_FRESH_MS) return hit.sessions;
    const reading = this.reading.get(room) ?? this.read(room);
    if (hit && age < SUBSCRIBERS_STALE_MS) {
      reading.catch(() => undefined);
      return hit.sessions;
    }
    return reading;
  }

  private read(room: string): Promise<string[]> {
    const at = this.now();
    const reading: Promise<string[]> = this.redis.smembers(this.key(room)).then(
      (sessions) => {
        // Forgotten meanwhile: the read may predate the change, so it is not kept.
        if (this.reading.get(room) === reading) {
          this.reading.delete(room);
          this.subscribers.set(room, { sessions, at });
        }
        return sessions;
      },
      (err: unknown) => {
        if (this.reading.get(room) === reading) this.reading.delete(room);
        throw err;
      },
    );
    this.reading.set(room, reading);
    return reading;
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
