import type { Redis } from 'ioredis';
import type { BannedUser } from '../../protocol/index.js';

/** A room's banned viewers: their questions and chat are dropped (and counted), by user id. */
export class Bans {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  private key(room: string) { return `${this.prefix}:room:${room}:bans`; }
  private countKey(room: string) { return `${this.prefix}:room:${room}:moderation`; }

  async ban(room: string, ban: BannedUser): Promise<void> {
    await this.redis.hset(this.key(room), ban.userId, JSON.stringify(ban));
  }

  async unban(room: string, userId: string): Promise<boolean> {
    return (await this.redis.hdel(this.key(room), userId)) === 1;
  }

  async isBanned(room: string, userId: string): Promise<boolean> {
    return (await this.redis.hexists(this.key(room), userId)) === 1;
  }

  async list(room: string): Promise<BannedUser[]> {
    return (await this.redis.hvals(this.key(room))).map((r) => JSON.parse(r) as BannedUser).sort((a, b) => b.at - a.at);
  }

  /** Counts a dropped message by reason (banned, blocklist, link spam…). */
  async count(room: string, reason: string): Promise<void> {
    await this.redis.hincrby(this.countKey(room), reason, 1);
  }

  async counts(room: string): Promise<Record<string, number>> {
    return Object.fromEntries(Object.entries(await this.redis.hgetall(this.countKey(room))).map(([k, v]) => [k, Number(v)]));
  }
}
