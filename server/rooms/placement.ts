import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { HostCapabilities, RoomEvent } from '../../protocol/index.js';
import { signStreamKey } from '../../protocol/publish-key.js';
import type { Delivery } from '../ws/delivery.js';
import type { RoomStore } from './room-store.js';
import { PLACE, PLACEMENT_KEY_COUNT, REGISTER, RELEASE, SWEEP } from './placement-scripts.js';

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

/** Placement's keys: one hash tag, so every script below runs on one Cluster slot. */
export function placementKeys(prefix: string) {
  const base = `${prefix}:{placement}`;
  return {
    hosts: `${base}:hosts`, seen: `${base}:seen`, suspect: `${base}:suspect`, load: `${base}:load`,
    route: `${base}:route`, waiting: `${base}:waiting`, failover: `${base}:failover`, health: `${base}:health`,
  };
}

/** At most this many rooms in one placement script (it holds the slot while it runs). */
const PLACE_BATCH = 500;

/**
 * Which render host renders which room. Hosts register with a capacity; every room is
 * placed on the live host with the most free capacity, and rooms of a host that goes
 * silent are placed again elsewhere. Each change is one Lua script over placement's own
 * keys (placement-scripts.ts), so two instances never place the same room twice — without
 * a lock, and without a transaction across Cluster slots. What follows a change (the
 * room.assign to the host, the events to operators) is done by the instance that made it.
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

  readonly keys: ReturnType<typeof placementKeys>;
  private readonly keyList: [string, string, string, string, string, string, string, string];

  constructor(
    private readonly redis: Redis,
    private readonly rooms: RoomStore,
    private readonly delivery: Delivery,
    private readonly emit: (room: string, event: RoomEvent) => Promise<void>,
    private readonly log: Logger,
    private readonly opts: PlacementOptions,
  ) {
    this.keys = placementKeys(opts.prefix);
    const k = this.keys;
    this.keyList = [k.hosts, k.seen, k.suspect, k.load, k.route, k.waiting, k.failover, k.health];
    if (typeof (redis as { livehostPlace?: unknown }).livehostPlace !== 'function') {
      redis.defineCommand('livehostPlace', { numberOfKeys: PLACEMENT_KEY_COUNT, lua: PLACE });
      redis.defineCommand('livehostRegisterHost', { numberOfKeys: PLACEMENT_KEY_COUNT, lua: REGISTER });
      redis.defineCommand('livehostSweepHosts', { numberOfKeys: PLACEMENT_KEY_COUNT, lua: SWEEP });
      redis.defineCommand('livehostReleaseRoom', { numberOfKeys: PLACEMENT_KEY_COUNT, lua: RELEASE });
    }
  }

  /** The cached route of a placed room, without waiting (undefined: ask hostFor). */
  cachedHost(room: string): { hostId: string; sessionId: string } | undefined {
    const hit = this.cache.get(room);
    return hit && performance.now() - hit.at < Placement.CACHE_MS && hit.value ? hit.value : undefined;
  }

  /** The host and session serving a room, in one round trip (the relay's hot path). */
  async hostFor(room: string): Promise<{ hostId: string; sessionId: string } | null> {
    const hit = this.cache.get(room);
    if (hit && performance.now() - hit.at < Placement.CACHE_MS) return hit.value;
    const v = await this.redis.hget(this.keys.route, room);
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
    const k = this.keys;
    // One slot: a transaction, so hosts and their rooms are read at one instant.
    const [[, all], [, seen], [, health], [, routes]] = (await this.redis.multi()
      .hvals(k.hosts).hgetall(k.seen).hgetall(k.health).hgetall(k.route)
      .exec()) as [[null, string[]], [null, Record<string, string>], [null, Record<string, string>], [null, Record<string, string>]];
    const roomsOf = new Map<string, string[]>();
    for (const [room, v] of Object.entries(routes)) {
      const hostId = v.slice(0, v.indexOf(' '));
      roomsOf.set(hostId, [...(roomsOf.get(hostId) ?? []), room]);
    }
    return all.map((r) => JSON.parse(r) as Omit<HostRecord, 'rooms'>).map((h) => ({
      ...h, rooms: (roomsOf.get(h.hostId) ?? []).sort(), lastSeen: Number(seen[h.hostId] ?? 0),
      ...(health[h.hostId] ? JSON.parse(health[h.hostId]!) as { fps?: number; cpu?: number } : {}),
    }));
  }

  /**
   * One host as an operator of one of its rooms sees it: its record, health and load read at
   * one instant (one slot), without the fleet or the other rooms' names.
   */
  async host(hostId: string): Promise<(Omit<HostRecord, 'rooms'> & { lastSeen: number; roomCount: number; suspect: boolean; fps?: number; cpu?: number }) | null> {
    const k = this.keys;
    const [[, record], [, seen], [, health], [, load], [, suspect]] = (await this.redis.multi()
      .hget(k.hosts, hostId).hget(k.seen, hostId).hget(k.health, hostId).hget(k.load, hostId).hexists(k.suspect, hostId)
      .exec()) as [[null, string | null], [null, string | null], [null, string | null], [null, string | null], [null, number]];
    if (!record) return null;
    return {
      ...JSON.parse(record) as Omit<HostRecord, 'rooms'>, lastSeen: Number(seen ?? 0), roomCount: Number(load ?? 0), suspect: suspect === 1,
      ...(health ? JSON.parse(health) as { fps?: number; cpu?: number } : {}),
    };
  }

  async waitingRooms(): Promise<string[]> {
    return this.redis.smembers(this.keys.waiting);
  }

  async register(host: Omit<HostRecord, 'rooms'>): Promise<void> {
    const record = { ...host };
    const [changed, ...rooms] = (await this.redis.livehostRegisterHost(...this.keyList, host.hostId, JSON.stringify(record), host.sessionId, Date.now())).map(String);
    this.changed(rooms);
    // A host that came back on a new session gets its rooms again (and their directors re-send what it lost).
    if (changed === '1') {
      for (const room of rooms) {
        await this.assign(host.sessionId, room);
        await this.emit(room, { kind: 'host', hostId: host.hostId, state: 'placed' });
      }
    }
    await this.placeWaiting();
  }

  /** A host's heartbeat: alive (no longer suspect), and how it is doing (fps, cpu) for operators. */
  async heartbeat(hostId: string, health: { fps?: number; cpu?: number } = {}): Promise<void> {
    const k = this.keys;
    await this.redis.multi().hset(k.seen, hostId, Date.now()).hdel(k.suspect, hostId).hset(k.health, hostId, JSON.stringify(health)).exec();
  }

  /**
   * A host's socket closed and it has not resumed: suspect at once, and lost after the
   * grace unless it comes back (its register or heartbeat clears the suspicion). The
   * sweep on any instance acts on it, so it holds even if this instance dies too.
   */
  async suspect(hostId: string, now = Date.now()): Promise<void> {
    // Only a host that is still registered: a host already swept must not come back as a suspect.
    if (!(await this.redis.hexists(this.keys.hosts, hostId))) return;
    await this.redis.hset(this.keys.suspect, hostId, now);
    const grace = this.opts.hostGraceMs ?? 3000;
    setTimeout(() => void this.sweep().catch((err: Error) => this.log.warn({ err: err.message }, 'sweep after a host left failed')), grace + 50).unref();
  }

  /** Places a room now if a host has room for it, or leaves it waiting (in the same script). */
  async place(room: string): Promise<string | null> {
    const placed = await this.placeWaiting([room], true, new Set(), true);
    return placed.get(room) ?? null;
  }

  async release(room: string): Promise<void> {
    const route = await this.redis.livehostReleaseRoom(...this.keyList, room);
    this.changed([room]);
    if (!route) return;
    const [, sessionId = ''] = route.split(' ');
    await this.delivery.deliver(sessionId, { type: 'room.release', room });
  }

  /** Drops hosts that stopped heartbeating or left without coming back, and re-places their rooms. */
  async sweep(now = Date.now()): Promise<string[]> {
    const out = (await this.redis.livehostSweepHosts(...this.keyList, now, this.opts.hostTimeoutMs, this.opts.hostGraceMs ?? 3000)).map(String);
    const lost: string[] = [];
    const moved: string[] = [];
    for (let i = 0; i < out.length;) {
      const hostId = out[i]!;
      const n = Number(out[i + 1]);
      const rooms = out.slice(i + 2, i + 2 + n);
      i += 2 + n;
      lost.push(hostId);
      moved.push(...rooms);
      this.changed(rooms);
      this.log.warn({ hostId, rooms }, 'render host lost; re-placing its rooms');
      // At once, not one after another: the rooms wait for these before they are placed again.
      await Promise.all(rooms.map((room) => this.emit(room, { kind: 'host', hostId, state: 'lost' })));
    }
    if (lost.length) await this.placeWaiting(undefined, false, new Set(moved));
    return lost;
  }

  /**
   * Places waiting rooms (the given ones, or all): in name order, in batches. Rooms that
   * no longer exist stop waiting. Operators hear `placed` for each room placed, and
   * `waiting` for a room that just started waiting (`place`, or its host lost) and stays so.
   */
  private async placeWaiting(only?: string[], tellWaiting = false, justLost = new Set<string>(), fresh = false): Promise<Map<string, string>> {
    const candidates = only ?? await this.redis.smembers(this.keys.waiting);
    const placed = new Map<string, string>();
    if (candidates.length === 0) return placed;
    const exists = await this.rooms.existing(candidates);
    const gone = candidates.filter((r) => !exists.has(r));
    if (gone.length) await this.redis.multi().srem(this.keys.waiting, ...gone).srem(this.keys.failover, ...gone).exec();
    const rooms = candidates.filter((r) => exists.has(r)).sort();
    for (let i = 0; i < rooms.length; i += PLACE_BATCH) {
      const out = await this.redis.livehostPlace(...this.keyList, Date.now(), this.opts.hostTimeoutMs, fresh ? '1' : '', ...rooms.slice(i, i + PLACE_BATCH));
      const told: Array<Promise<void>> = [];
      for (let j = 0; j < out.length; j += 3) {
        const [room = '', hostId = '', sessionId = ''] = out.slice(j, j + 3);
        if (!hostId) {
          if (tellWaiting || justLost.has(room)) told.push(this.emit(room, { kind: 'host', hostId: null, state: 'waiting' }));
          continue;
        }
        placed.set(room, hostId);
        this.changed([room]);
        // Rooms are told at once: one after another, a lost host's hundredth room heard of
        // its new host 0.3 s after its first (bench:fleet). Each room's own order stays.
        told.push(this.assign(sessionId, room).then(() => {
          this.log.info({ room, hostId }, 'room placed');
          return this.emit(room, { kind: 'host', hostId, state: 'placed' });
        }));
      }
      await Promise.all(told);
    }
    return placed;
  }

  private async assign(hostSessionId: string, room: string): Promise<void> {
    const settings = await this.rooms.get(room);
    const exp = Math.floor(Date.now() / 1000) + (this.opts.publishKeyTtlS ?? 24 * 3600);
    const key = signStreamKey(this.opts.publishSecret, 'publish', room, exp);
    await this.delivery.deliver(hostSessionId, {
      type: 'room.assign', room, look: settings.look, language: settings.language, voice: settings.voice,
      publish: { url: this.opts.rtmpUrl, streamKey: `${room}?key=${key}` },
    });
  }

  /**
   * Keys of the placement before it moved under one hash tag: their rooms wait to be
   * placed again (hosts register again when they reconnect), and the old keys go.
   */
  async adoptLegacyKeys(): Promise<number> {
    const p = this.opts.prefix;
    const [routes, waiting] = await Promise.all([this.redis.hkeys(`${p}:roomhost`), this.redis.smembers(`${p}:rooms:waiting`)]);
    const rooms = [...new Set([...routes, ...waiting])];
    if (rooms.length) await this.redis.sadd(this.keys.waiting, ...rooms);
    for (const key of ['roomhost', 'rooms:waiting', 'rooms:failover', 'hosts', 'hosts:seen', 'hosts:suspect', 'hosts:health', 'lock:placement']) {
      await this.redis.unlink(`${p}:${key}`);
    }
    return rooms.length;
  }
}
