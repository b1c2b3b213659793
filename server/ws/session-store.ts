import { randomInt, randomUUID } from 'node:crypto';
import type { ClientContext, Redis, Result } from 'ioredis';
import type { Role } from '../../protocol/index.js';
import { FrameRecorder } from './frame-recorder.js';

export interface SessionRecord {
  sessionId: string;
  role: Role;
  tokenId: string;
  /** The identity a resumed session must still have: host id, or the token id. */
  subject: string;
  seq: number;
}

/**
 * Sessions are spread over this many hash tags ("buckets"). Each server instance creates
 * its sessions in one bucket of its own, so the frames it records for them go to Redis as
 * one script call per flush, on one Cluster slot (frame-recorder.ts); a session that
 * resumes elsewhere keeps its bucket.
 */
export const SESSION_BUCKETS = 4096;
const SESSION_ID = /^s-(\d{1,4})-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Whether a client-supplied string is a session id this server could have made. */
export function isSessionId(id: string): boolean {
  const m = SESSION_ID.exec(id);
  return m !== null && Number(m[1]) < SESSION_BUCKETS;
}

/**
 * Live sessions are kept from expiring once every this many ticks (seconds), a tenth of
 * them each tick (keepAliveDue): 10,000 sessions in one script every 10 s held the event
 * loop ~60 ms to build it and Redis ~50 ms to run it, the tail of every chat ack in that
 * second.
 */
export const KEEP_ALIVE_TICKS = 10;
/**
 * Sessions in one keep-alive script at most (~0.5 ms of Redis and of the event loop here):
 * the hub spaces a tick's scripts over the second.
 */
export const KEEP_ALIVE_CALL_SESSIONS = 100;

/** Whether a session's keep-alive falls on this tick: each session's on the same one of every KEEP_ALIVE_TICKS. */
export function keepAliveDue(sessionId: string, tick: number): boolean {
  // FNV-1a over the id: a session keeps its share however many come and go.
  let h = 0x811c9dc5;
  for (let i = 0; i < sessionId.length; i++) h = Math.imul(h ^ sessionId.charCodeAt(i), 0x01000193);
  return (h >>> 0) % KEEP_ALIVE_TICKS === tick % KEEP_ALIVE_TICKS;
}

/** The hash tag a session's keys and channel share (its bucket). */
export function sessionTag(id: string): string {
  const m = SESSION_ID.exec(id);
  return m ? `sb${m[1]}` : id;
}

// Seqs are given only by the connection that holds a session (it numbers what it sends).
// A frame for a session held elsewhere: handed to the holder on the session's shard channel
// (SPUBLISH counts exactly the subscribers of that slot, also on a cluster, where PUBLISH
// counts one node's). Held by nobody: parked, unnumbered, in arrival order; the next holder
// numbers it after everything its client has seen (a crashed holder may have sent frames it
// never recorded, so a seq given here could collide with one the client already has). The
// frame arrives without its opening brace so a seq can lead it without re-encoding.
// Returns -1: no such session; 0: handed to the holder; 1: parked.
const DELIVER_REMOTE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('SPUBLISH', ARGV[2], '{"i":"*","d":{"u":{' .. ARGV[1] .. '}}') > 0 then return 0 end
local len = redis.call('RPUSH', KEYS[2], ARGV[1])
if len > tonumber(ARGV[3]) then redis.call('LTRIM', KEYS[2], -tonumber(ARGV[3]), -1) end
redis.call('EXPIRE', KEYS[2], ARGV[4])
return 1
`;

// A closed holder's frames (its socket went, nobody has resumed yet): parked like the above.
const PARK = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local len = redis.call('RPUSH', KEYS[2], ARGV[1])
if len > tonumber(ARGV[2]) then redis.call('LTRIM', KEYS[2], -tonumber(ARGV[2]), -1) end
redis.call('EXPIRE', KEYS[2], ARGV[3])
return 1
`;

// A new socket takes the session: the epoch moves (an earlier holder can no longer record),
// and parked frames are numbered after both what was recorded and what the client says it
// has seen (ARGV[1], -1 for a new session), into the outbox. Returns {epoch, seq}.
const TAKE_OVER = `
local epoch = redis.call('HINCRBY', KEYS[1], 'epoch', 1)
local seq = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
local seen = tonumber(ARGV[1])
if seen > seq then seq = seen end
local parked = redis.call('LRANGE', KEYS[3], 0, -1)
if #parked > 0 then
  for _, rest in ipairs(parked) do
    seq = seq + 1
    redis.call('RPUSH', KEYS[2], '{"seq":' .. seq .. ',' .. rest)
  end
  redis.call('DEL', KEYS[3])
  redis.call('LTRIM', KEYS[2], -tonumber(ARGV[2]), -1)
  redis.call('EXPIRE', KEYS[2], ARGV[3])
end
redis.call('HSET', KEYS[1], 'seq', seq)
return { epoch, seq }
`;

// Keeps live sessions from expiring: every key given (one bucket's, one slot) gets the TTL.
const KEEP_ALIVE = `for i = 1, #KEYS do redis.call('EXPIRE', KEYS[i], ARGV[1]) end return #KEYS`;

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    livehostDeliverRemote(sessKey: string, parkedKey: string, rest: string, channel: string, maxLen: number, ttl: number): Result<number, Context>;
    livehostPark(sessKey: string, parkedKey: string, rest: string, maxLen: number, ttl: number): Result<number, Context>;
    livehostTakeOver(sessKey: string, outKey: string, parkedKey: string, seen: number, maxLen: number, ttl: number): Result<[number, number], Context>;
    livehostKeepAlive(numKeys: number, ...args: Array<string | number>): Result<number, Context>;
  }
}

/**
 * Session records and their outboxes. A session outlives its socket by the resume window,
 * so a client that reconnects with (sessionId, lastSeq) gets exactly what it missed.
 */
export class SessionStore {
  /** This instance's bucket: the sessions it creates share one hash tag. */
  readonly home: number;
  private readonly recorder: FrameRecorder;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly resumeWindowS: number,
    opts: {
      /** Connection for recording sent frames (nothing waits on it). */
      recorder?: Redis;
      outboxMax?: number;
      home?: number;
      /** A batch of frames could not be recorded (the connection watcher reports outages). */
      onRecordError?: (err: Error) => void;
    } = {},
  ) {
    this.home = opts.home ?? randomInt(SESSION_BUCKETS);
    this.outboxMax = opts.outboxMax ?? 2000;
    if (typeof (redis as { livehostDeliverRemote?: unknown }).livehostDeliverRemote !== 'function') {
      redis.defineCommand('livehostDeliverRemote', { numberOfKeys: 2, lua: DELIVER_REMOTE });
      redis.defineCommand('livehostPark', { numberOfKeys: 2, lua: PARK });
      redis.defineCommand('livehostTakeOver', { numberOfKeys: 3, lua: TAKE_OVER });
      redis.defineCommand('livehostKeepAlive', { lua: KEEP_ALIVE });
    }
    this.recorder = new FrameRecorder(opts.recorder ?? redis, {
      keys: (id) => ({ sess: this.sessKey(id), out: this.outKey(id) }),
      tag: sessionTag, outboxMax: this.outboxMax, ttlS: resumeWindowS * 2, onError: opts.onRecordError ?? (() => undefined),
    });
  }

  private readonly outboxMax: number;

  // One hash tag per bucket of sessions: a session's record, outbox and channel share a
  // Redis Cluster slot, so the scripts that touch them stay legal on a cluster.
  private sessKey(id: string) { return `${this.prefix}:sess:{${sessionTag(id)}}:${id}`; }
  private outKey(id: string) { return `${this.prefix}:sess:{${sessionTag(id)}}:${id}:out`; }
  /** Frames that came while nobody held the session, unnumbered (see DELIVER_REMOTE). */
  private parkedKey(id: string) { return `${this.prefix}:sess:{${sessionTag(id)}}:${id}:parked`; }
  /** The session's channel, as the bus names it (a shard channel in the session's slot). */
  busChannel(id: string) { return `s:{${sessionTag(id)}}:${id}`; }
  /** The same channel's full Redis name. */
  channel(id: string) { return `${this.prefix}:bus:${this.busChannel(id)}`; }

  async create(role: Role, tokenId: string, subject: string): Promise<SessionRecord> {
    const sessionId = `s-${this.home}-${randomUUID()}`;
    await this.redis.multi()
      .hset(this.sessKey(sessionId), { role, tokenId, subject, seq: 0, epoch: 0 })
      .expire(this.sessKey(sessionId), this.resumeWindowS * 2)
      .exec();
    return { sessionId, role, tokenId, subject, seq: 0 };
  }

  async get(sessionId: string): Promise<SessionRecord | null> {
    // A client names the session it resumes: only an id of our own shape becomes a key.
    if (!isSessionId(sessionId)) return null;
    const h = await this.redis.hgetall(this.sessKey(sessionId));
    if (!h.role) return null;
    return { sessionId, role: h.role as Role, tokenId: h.tokenId ?? '', subject: h.subject ?? '', seq: Number(h.seq ?? 0) };
  }

  /**
   * Takes a session over for a new socket: later records by the previous holder are
   * refused, and what was parked is numbered after `seen` (the client's lastSeq; null for a
   * new session) and what was recorded. Returns the new epoch and the seq to number on from.
   */
  async takeOver(sessionId: string, seen: number | null = null): Promise<{ epoch: string; seq: number }> {
    const [epoch, seq] = await this.redis.livehostTakeOver(this.sessKey(sessionId), this.outKey(sessionId), this.parkedKey(sessionId), seen ?? -1, this.outboxMax, this.resumeWindowS * 2);
    return { epoch: String(epoch), seq: Number(seq) };
  }

  /** Parks a frame for whoever holds the session next (its holder's socket is gone). */
  async park(sessionId: string, frame: object): Promise<number> {
    return this.redis.livehostPark(this.sessKey(sessionId), this.parkedKey(sessionId), JSON.stringify(frame).slice(1), this.outboxMax, this.resumeWindowS * 2);
  }

  /**
   * Records a frame the holder has numbered and sent. Batched with the other frames of its
   * bucket (one script call per flush); order is the connection's.
   */
  record(sessionId: string, epoch: string, seq: number, raw: string): void {
    this.recorder.record(sessionId, epoch, seq, raw);
  }

  /** Resolves once every frame recorded so far for this session is written (or failed). */
  whenRecorded(sessionId: string): Promise<void> {
    return this.recorder.whenRecorded(sessionId);
  }

  /** -1: no such session; 0: handed to its holder; 1: parked for its next holder. */
  async deliverRemote(sessionId: string, frame: object): Promise<number> {
    if (!isSessionId(sessionId)) return -1;
    const rest = JSON.stringify(frame).slice(1);
    return this.redis.livehostDeliverRemote(this.sessKey(sessionId), this.parkedKey(sessionId), rest, this.channel(sessionId), this.outboxMax, this.resumeWindowS * 2);
  }

  /** Frames with seq > lastSeq, oldest first. */
  async since(sessionId: string, lastSeq: number): Promise<Array<{ seq: number; raw: string }>> {
    const all = await this.redis.lrange(this.outKey(sessionId), 0, -1);
    const out: Array<{ seq: number; raw: string }> = [];
    for (const raw of all) {
      const seq = Number(/^\{"seq":(\d+),/.exec(raw)?.[1] ?? -1);
      if (seq > lastSeq) out.push({ seq, raw });
    }
    return out;
  }

  /**
   * Keeps live sessions from expiring (the hub calls it each tick for the share due then).
   * One script per bucket and at most KEEP_ALIVE_CALL_SESSIONS sessions.
   */
  async keepAlive(sessionIds: string[]): Promise<void> {
    const byTag = new Map<string, string[]>();
    for (const id of sessionIds) {
      const tag = sessionTag(id);
      const ids = byTag.get(tag) ?? [];
      ids.push(id);
      byTag.set(tag, ids);
    }
    const calls: Array<Promise<number>> = [];
    for (const ids of byTag.values()) {
      for (let i = 0; i < ids.length; i += KEEP_ALIVE_CALL_SESSIONS) {
        const keys = ids.slice(i, i + KEEP_ALIVE_CALL_SESSIONS).flatMap((id) => [this.sessKey(id), this.outKey(id), this.parkedKey(id)]);
        calls.push(this.redis.livehostKeepAlive(keys.length, ...keys, this.resumeWindowS * 2));
      }
    }
    await Promise.all(calls);
  }

  /** The socket is gone: the session can be resumed for the resume window, then expires. */
  async detach(sessionId: string): Promise<void> {
    await this.redis.multi()
      .expire(this.sessKey(sessionId), this.resumeWindowS)
      .expire(this.outKey(sessionId), this.resumeWindowS)
      .expire(this.parkedKey(sessionId), this.resumeWindowS)
      .exec();
  }

  async destroy(sessionId: string): Promise<void> {
    await this.redis.del(this.sessKey(sessionId), this.outKey(sessionId), this.parkedKey(sessionId));
  }
}
