import type { Redis } from 'ioredis';
import type { CreateRoomBody, KnowledgeBase, RoomSettings, RoomView, UpdateRoomBody } from '../../protocol/index.js';
import { redisKeys } from '../../protocol/index.js';
import { ProtocolError } from '../auth/auth-error.js';
import { AnnouncedCache } from '../bus/announced-cache.js';

/**
 * A room's settings are read from Redis at most this often per instance: every chat line
 * and question needs them, and a read + parse per line was a Redis round trip and ~1 MB/s
 * of garbage that lived long enough to reach the old generation at 10,000 sessions
 * (bench:connections). Edits are announced on the bus and drop every copy at once.
 */
const SETTINGS_FRESH_MS = 5000;

export const DEFAULT_ROOM: RoomSettings = {
  name: 'Untitled room',
  review: 'auto',
  reviewTimeoutS: 0,
  reviewTimeoutAction: 'expire',
  groupThreshold: null,
  creditAskers: false,
  chatHistory: 100,
  asRunRetentionDays: 30,
  language: 'en-US',
  persona: 'You are Ava, a friendly live-stream host. Answer viewers briefly and warmly in spoken sentences.',
  look: { character: 'ava', scene: 'background-screen', camera: 'front' },
  voice: { voice: 'en-US-female', prosody: { speed: 'medium' } },
  answers: 'kb',
  fallbackLine: "That's a great question. Let me come back to it in a moment.",
  blocklist: [],
  maxAnswerChars: 600,
  allowLinks: false,
  backlogLimitS: 45,
  answerStaleS: 90,
  fillerRepeatS: 600,
};

type StoredRoom = RoomSettings & { id: string; createdAt: number };

/** Settings added after a room was stored take their defaults; the old `mode` became `review`. */
function withDefaults(raw: Partial<StoredRoom> & { mode?: string }): StoredRoom {
  const { mode, ...rest } = raw;
  const review = rest.review ?? (mode === 'review' ? 'questions' : 'auto');
  return { ...DEFAULT_ROOM, ...rest, review } as StoredRoom;
}

/** A copy shared by every caller on this instance must not be changed by one of them. */
function frozen<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) frozen(v);
  }
  return value;
}

/** Rooms and their knowledge bases, in Redis (one hash of room JSON, one key per KB). */
export class RoomStore {
  private readonly roomsKey: string;
  private readonly keys: ReturnType<typeof redisKeys>;
  private readonly settings: AnnouncedCache<string, StoredRoom>;
  /** The KB text, for the newsroom's matchers (one read per question was up to a MB for a large KB). */
  private readonly kbText: AnnouncedCache<string, string>;
  /** Set by the app once the bus is up: tells every instance (this one too) that a room changed. */
  announce: (room: string) => void = (room) => this.forget(room);

  constructor(private readonly redis: Redis, prefix: string) {
    this.roomsKey = `${prefix}:rooms`;
    this.keys = redisKeys(prefix);
    this.settings = new AnnouncedCache(async (id) => frozen(await this.read(id)), { freshMs: SETTINGS_FRESH_MS, staleMs: 2 * SETTINGS_FRESH_MS });
    this.kbText = new AnnouncedCache(async (id) => (await this.redis.get(this.keys.kb(id))) ?? '{"qa":[],"facts":[]}', {
      freshMs: SETTINGS_FRESH_MS, staleMs: 2 * SETTINGS_FRESH_MS,
    });
  }

  /** Drops this instance's copies of a room's settings and KB (a change announced on the bus). */
  forget(room: string): void {
    this.settings.forget(room);
    this.kbText.forget(room);
  }

  async create(body: CreateRoomBody): Promise<StoredRoom> {
    const { id, ...settings } = body;
    const room: StoredRoom = { ...DEFAULT_ROOM, ...settings, id, createdAt: Date.now() };
    const created = await this.redis.hsetnx(this.roomsKey, id, JSON.stringify(room));
    if (!created) throw new ProtocolError('conflict', `room ${id} already exists`);
    // A room deleted and made again under its id: no instance may keep the old one.
    this.changed(id);
    await this.redis.set(this.keys.kb(id), JSON.stringify({ qa: [], facts: [] } satisfies KnowledgeBase), 'NX');
    return room;
  }

  /** A room's settings, as this instance last read them (shared and frozen: copy to change). */
  async get(id: string): Promise<StoredRoom> {
    return this.settings.get(id);
  }

  private async read(id: string): Promise<StoredRoom> {
    const raw = await this.redis.hget(this.roomsKey, id);
    if (!raw) throw new ProtocolError('not_found', `no room ${id}`);
    return withDefaults(JSON.parse(raw));
  }

  async ids(): Promise<string[]> {
    return this.redis.hkeys(this.roomsKey);
  }

  async exists(id: string): Promise<boolean> {
    return (await this.redis.hexists(this.roomsKey, id)) === 1;
  }

  /** Which of these rooms exist, in one round trip (placement checks its waiting rooms so). */
  async existing(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const found = new Set<string>();
    for (let i = 0; i < ids.length; i += 1000) {
      const batch = ids.slice(i, i + 1000);
      // HEXISTS per id would be a round trip each; HMGET returns the (JSON) values, used only for presence.
      (await this.redis.hmget(this.roomsKey, ...batch)).forEach((v, k) => { if (v !== null) found.add(batch[k]!); });
    }
    return found;
  }

  async list(): Promise<StoredRoom[]> {
    const all = await this.redis.hvals(this.roomsKey);
    return all.map((r) => withDefaults(JSON.parse(r))).sort((a, b) => a.createdAt - b.createdAt);
  }

  async update(id: string, patch: UpdateRoomBody): Promise<StoredRoom> {
    const room = await this.read(id);
    const next: StoredRoom = { ...room, ...patch, id, createdAt: room.createdAt };
    await this.redis.hset(this.roomsKey, id, JSON.stringify(next));
    this.changed(id);
    return next;
  }

  async delete(id: string): Promise<void> {
    const removed = await this.redis.hdel(this.roomsKey, id);
    this.changed(id);
    if (!removed) throw new ProtocolError('not_found', `no room ${id}`);
    await this.redis.del(this.keys.kb(id));
  }

  private changed(id: string): void {
    this.forget(id);
    this.announce(id);
  }

  async getKb(id: string): Promise<KnowledgeBase> {
    await this.get(id);
    const raw = await this.redis.get(this.keys.kb(id));
    return raw ? (JSON.parse(raw) as KnowledgeBase) : { qa: [], facts: [] };
  }

  /** The stored KB text as is, as this instance last read it, for caches that key on it. */
  async getKbRaw(id: string): Promise<string> {
    return this.kbText.get(id);
  }

  async putKb(id: string, kb: KnowledgeBase): Promise<void> {
    await this.read(id);
    await this.redis.set(this.keys.kb(id), JSON.stringify(kb));
    this.changed(id);
  }
}

export type { StoredRoom };
export function toView(room: StoredRoom, hostId: string | null, live: boolean): RoomView {
  return { ...room, hostId, live };
}
