import type { Redis } from 'ioredis';
import type { RoomEvent } from '../../protocol/index.js';
import type { Delivery } from '../ws/delivery.js';

/** Operators subscribe to rooms; a room event goes to every subscribed operator session. */
export class RoomEvents {
  constructor(private readonly redis: Redis, private readonly prefix: string, private readonly delivery: Delivery) {}

  private key(room: string) { return `${this.prefix}:room:${room}:ops`; }

  async subscribe(room: string, sessionId: string): Promise<void> {
    await this.redis.sadd(this.key(room), sessionId);
  }

  async unsubscribe(room: string, sessionId: string): Promise<void> {
    await this.redis.srem(this.key(room), sessionId);
  }

  async emit(room: string, event: RoomEvent): Promise<void> {
    const sessions = await this.redis.smembers(this.key(room));
    await Promise.all(sessions.map(async (sid) => {
      const delivered = await this.delivery.deliver(sid, { type: 'room.event', room, event });
      // The session expired without resuming: forget it.
      if (!delivered) await this.redis.srem(this.key(room), sid);
    }));
  }
}
