import type { Redis } from 'ioredis';
import { showKeys } from './show-keys.js';

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * A room's director runs on one instance at a time: the holder of the room's lease. The
 * holder renews it well inside its time to live; an instance that dies stops renewing,
 * and another takes the room within ttl + one scan (goal: ≤ 5 s). Every state write is
 * checked against the lease in the same script (show-room.ts), so an instance that lost
 * the lease can no longer change the room.
 */
export class DirectorLease {
  constructor(private readonly redis: Redis, private readonly prefix: string, private readonly instanceId: string, readonly ttlMs: number) {}

  async acquire(room: string): Promise<boolean> {
    return (await this.redis.set(showKeys(this.prefix, room).lease, this.instanceId, 'PX', this.ttlMs, 'NX')) === 'OK';
  }

  /** Renews every lease held; returns the rooms whose lease was lost. */
  async renew(rooms: string[]): Promise<string[]> {
    if (rooms.length === 0) return [];
    // One script per lease, sent together (not one pipeline: rooms live in different Cluster slots).
    const results = await Promise.all(rooms.map((room) => this.redis.eval(RENEW, 1, showKeys(this.prefix, room).lease, this.instanceId, this.ttlMs)
      .then((v) => Number(v), () => 0)));
    return rooms.filter((_, i) => results[i] !== 1);
  }

  async release(room: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, showKeys(this.prefix, room).lease, this.instanceId);
  }

  async owner(room: string): Promise<string | null> {
    return this.redis.get(showKeys(this.prefix, room).lease);
  }
}
