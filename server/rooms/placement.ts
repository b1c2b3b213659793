import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { HostCapabilities, RoomEvent } from '../../protocol/index.js';
import { signStreamKey } from '../../protocol/publish-key.js';
import type { Delivery } from '../ws/delivery.js';
import type { RoomStore } from './room-store.js';
import { withLock } from './redis-lock.js';

export interface HostRecord {
  hostId: string;
  sessionId: string;
  instanceId: string;
  capacity: number;
  capabilities: HostCapabilities;
  rooms: string[];
  /** Capacity reserved for failover: only rooms whose host was lost are placed here. */
  standby?: boolean;
}

export interface PlacementOptions {
  prefix: string;
  hostTimeoutMs: number;
  /** A host whose socket closed gets this long to come back (resume) before its rooms move. */
  hostGraceMs?: number;
  publishSecret: string;
  rtmpUrl: string;
  /** Publish keys outlive a show; a host gets a fresh one each time a room is placed. */
  publishKeyTtlS?: number;
}

/**
 * Which render host renders which room. Hosts register with a capacity; every room is
 * placed on the live host with the most free capacity, and rooms of a host that goes
 * silent are placed again elsewhere. All changes happen under one Redis lock, so two
 * instances never place the same room twice.
 */
export class Placement {
  /**
   * room → host, read on every relayed command. Entries drop on a placement change (here,
   * or announced by another instance on the bus) and after a few seconds regardless, so
   * a lost announcement cannot leave a stale route for long.
   */
  private readonly cache = new Map<string, { value: { hostId: string; sessionId: string } | null; at: number }>();
  private static readonly CACHE_MS = 3000;
  /** Set by the app once the bus is up: tells other instances which rooms changed. */
  announce: (rooms: string[]) => void = () => undefined;

  private readonly hostsKey: string;
  private readonly seenKey: string;
  private readonly roomHostKey: string;
  private readonly waitingKey: string;
  private readonly lockKey: string;
  /** Hash hostId → ms since epoch its socket closed without a resume (the suspect hosts). */
  private readonly suspectKey: string;
  /** Rooms waiting because their host was lost: these may go to a standby host. */
  private readonly failoverKey: string;
  /** Hash hostId → its last heartbeat's `{fps, cpu}`. */
  private readonly healthKey: string;

  constructor(
    private readonly redis: Redis,
    private readonly rooms: RoomStore,
    private readonly delivery: Delivery,
    private readonly emit: (room: string, event: RoomEvent) => Promise<void>,
    private readonly log: Logger,
    private readonly opts: PlacementOptions,
  ) {
    const p = opts.prefix;
    this.hostsKey = `${p}:hosts`;
    this.seenKey = `${p}:hosts:seen`;
    this.roomHostKey = `${p}:roomhost`;
    this.waitingKey = `${p}:rooms:waiting`;
    this.lockKey = `${p}:lock:placement`;
    this.suspectKey = `${p}:hosts:suspect`;
    this.failoverKey = `${p}:rooms:failover`;
    this.healthKey = `${p}:hosts:health`;
  }

  /** The host and session serving a room, in one round trip (the relay's hot path). */
  async hostFor(room: string): Promise<{ hostId: string; sessionId: string } | null> {
    const hit = this.cache.get(room);
    if (hit && performance.now() - hit.at < Placement.CACHE_MS) return hit.value;
    const v = await this.redis.hget(this.roomHostKey, room);
    const [hostId = '', sessionId = ''] = v ? v.split(' ') : [];
    const value = v ? { hostId, sessionId } : null;
    // Only placed rooms are cached: a waiting room must see its host the moment it arrives.
    if (value) this.cache.set(room, { value, at: performance.now() });
    return value;
  }

  /** The host serving a room, read from Redis now (the director must not act on a stale route). */
  async lookup(room: string): Promise<{ hostId: string; sessionId: string } | null> {
    this.cache.delete(room);
    return this.hostFor(room);
  }

  /** Drops cached routes for rooms whose placement changed. */
  forget(rooms: string[]): void {
    for (const room of rooms) this.cache.delete(room);
  }

  private changed(rooms: string[]): void {
    if (rooms.length === 0) return;
    this.forget(rooms);
    this.announce(rooms);
  }

  async hosts(): Promise<Array<HostRecord & { lastSeen: number; fps?: number; cpu?: number }>> {
    const [all, seen, health] = await Promise.all([this.redis.hvals(this.hostsKey), this.redis.hgetall(this.seenKey), this.redis.hgetall(this.healthKey)]);
    return all.map((r) => JSON.parse(r) as HostRecord).map((h) => ({
      ...h, lastSeen: Number(seen[h.hostId] ?? 0), ...(health[h.hostId] ? JSON.parse(health[h.hostId]!) as { fps?: number; cpu?: number } : {}),
    }));
  }

  async waitingRooms(): Promise<string[]> {
    return this.redis.smembers(this.waitingKey);
  }

  async register(host: Omit<HostRecord, 'rooms'>): Promise<void> {
    await withLock(this.redis, this.lockKey, async () => {
      const prev = await this.redis.hget(this.hostsKey, host.hostId);
      const rooms = prev ? (JSON.parse(prev) as HostRecord).rooms : [];
      const record: HostRecord = { ...host, rooms };
      const m = this.redis.multi()
        .hset(this.hostsKey, host.hostId, JSON.stringify(record))
        .hset(this.seenKey, host.hostId, Date.now())
        .hdel(this.suspectKey, host.hostId);
      for (const room of rooms) m.hset(this.roomHostKey, room, `${host.hostId} ${host.sessionId}`);
      await m.exec();
      this.changed(rooms);
      // A host that came back on a new session gets its rooms again (and their directors re-send what it lost).
      if (prev && (JSON.parse(prev) as HostRecord).sessionId !== host.sessionId) {
        for (const room of rooms) {
          await this.assign(record, room);
          await this.emit(room, { kind: 'host', hostId: host.hostId, state: 'placed' });
        }
      }
      await this.placeWaiting();
    });
  }

  /** A host's heartbeat: alive (no longer suspect), and how it is doing (fps, cpu) for operators. */
  async heartbeat(hostId: string, health: { fps?: number; cpu?: number } = {}): Promise<void> {
    await this.redis.multi().hset(this.seenKey, hostId, Date.now()).hdel(this.suspectKey, hostId)
      .hset(this.healthKey, hostId, JSON.stringify(health)).exec();
  }

  /**
   * A host's socket closed and it has not resumed: suspect at once, and lost after the
   * grace unless it comes back (its register or heartbeat clears the suspicion). The
   * sweep on any instance acts on it, so it holds even if this instance dies too.
   */
  async suspect(hostId: string, now = Date.now()): Promise<void> {
    await this.redis.hset(this.suspectKey, hostId, now);
    const grace = this.opts.hostGraceMs ?? 3000;
    setTimeout(() => void this.sweep().catch((err: Error) => this.log.warn({ err: err.message }, 'sweep after a host left failed')), grace + 50).unref();
  }

  /** Places a room now if a host has room for it, or leaves it waiting. */
  async place(room: string): Promise<string | null> {
    return withLock(this.redis, this.lockKey, async () => {
      await this.redis.sadd(this.waitingKey, room);
      await this.placeWaiting();
      return (await this.hostFor(room))?.hostId ?? null;
    });
  }

  async release(room: string): Promise<void> {
    await withLock(this.redis, this.lockKey, async () => {
      await this.redis.srem(this.waitingKey, room);
      const placed = await this.hostFor(room);
      if (!placed) return;
      const raw = await this.redis.hget(this.hostsKey, placed.hostId);
      await this.redis.hdel(this.roomHostKey, room);
      this.changed([room]);
      if (raw) {
        const host = JSON.parse(raw) as HostRecord;
        host.rooms = host.rooms.filter((r) => r !== room);
        await this.redis.hset(this.hostsKey, host.hostId, JSON.stringify(host));
        await this.delivery.deliver(host.sessionId, { type: 'room.release', room });
      }
    });
  }

  /** Drops hosts that stopped heartbeating or left without coming back, and re-places their rooms. */
  async sweep(now = Date.now()): Promise<string[]> {
    const lost: string[] = [];
    await withLock(this.redis, this.lockKey, async () => {
      const suspects = await this.redis.hgetall(this.suspectKey);
      const grace = this.opts.hostGraceMs ?? 3000;
      for (const host of await this.hosts()) {
        const left = suspects[host.hostId];
        const gone = now - host.lastSeen > this.opts.hostTimeoutMs || (left !== undefined && now - Number(left) >= grace);
        if (!gone) continue;
        lost.push(host.hostId);
        const m = this.redis.multi().hdel(this.hostsKey, host.hostId).hdel(this.seenKey, host.hostId).hdel(this.suspectKey, host.hostId);
        for (const room of host.rooms) m.hdel(this.roomHostKey, room).sadd(this.waitingKey, room).sadd(this.failoverKey, room);
        await m.exec();
        this.changed(host.rooms);
        this.log.warn({ hostId: host.hostId, rooms: host.rooms }, 'render host lost; re-placing its rooms');
        for (const room of host.rooms) await this.emit(room, { kind: 'host', hostId: host.hostId, state: 'lost' });
      }
      if (lost.length) await this.placeWaiting();
    });
    return lost;
  }

  /** Must run under the lock. */
  private async placeWaiting(): Promise<void> {
    const waiting = await this.redis.smembers(this.waitingKey);
    if (waiting.length === 0) return;
    const now = Date.now();
    const suspects = await this.redis.hgetall(this.suspectKey);
    const hosts = (await this.hosts()).filter((h) => now - h.lastSeen <= this.opts.hostTimeoutMs && suspects[h.hostId] === undefined);
    const failover = new Set(await this.redis.smembers(this.failoverKey));
    for (const room of waiting.sort()) {
      if (!(await this.rooms.exists(room))) {
        await this.redis.multi().srem(this.waitingKey, room).srem(this.failoverKey, room).exec();
        continue;
      }
      // A room that lost its host goes to a standby first (that is what it is kept for);
      // a new room never takes a standby's capacity.
      const rescue = failover.has(room);
      const free = (h: (typeof hosts)[number]) => h.capacity - h.rooms.length;
      const best = hosts
        .filter((h) => free(h) > 0 && (rescue || !h.standby))
        .sort((a, b) => (rescue ? Number(!!b.standby) - Number(!!a.standby) : 0) || free(b) - free(a))[0];
      if (!best) {
        await this.emit(room, { kind: 'host', hostId: null, state: 'waiting' });
        continue;
      }
      best.rooms.push(room);
      const { lastSeen: _seen, ...record } = best;
      await this.redis.multi()
        .hset(this.hostsKey, best.hostId, JSON.stringify(record))
        .hset(this.roomHostKey, room, `${best.hostId} ${best.sessionId}`)
        .srem(this.waitingKey, room)
        .srem(this.failoverKey, room)
        .exec();
      this.changed([room]);
      await this.assign(record, room);
      this.log.info({ room, hostId: best.hostId }, 'room placed');
      await this.emit(room, { kind: 'host', hostId: best.hostId, state: 'placed' });
    }
  }

  private async assign(host: HostRecord, room: string): Promise<void> {
    const settings = await this.rooms.get(room);
    const exp = Math.floor(Date.now() / 1000) + (this.opts.publishKeyTtlS ?? 24 * 3600);
    const key = signStreamKey(this.opts.publishSecret, 'publish', room, exp);
    await this.delivery.deliver(host.sessionId, {
      type: 'room.assign', room, look: settings.look, language: settings.language, voice: settings.voice,
      publish: { url: this.opts.rtmpUrl, streamKey: `${room}?key=${key}` },
    });
  }
}
