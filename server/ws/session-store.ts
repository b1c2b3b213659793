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

/** The hash tag a session's keys and channel share (its bucket). */
export function sessionTag(id: string): string {
  const m = SESSION_ID.exec(id);
  return m ? `sb${m[1]}` : id;
}

// A frame for a session held elsewhere (or nowhere). Atomically: hand it to the holder on
// the session's shard channel (SPUBLISH counts exactly the subscribers of that slot, also
// on a cluster, where PUBLISH counts only one node's); if nobody holds the session, number
// it here and keep it in the outbox for its resume. The frame arrives without its opening
// brace so the seq can lead it without re-encoding.
const DELIVER_REMOTE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('SPUBLISH', ARGV[2], '{"i":"*","d":{"u":{' .. ARGV[1] .. '}}') > 0 then return 0 end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
local len = redis.call('RPUSH', KEYS[2], '{"seq":' .. seq .. ',' .. ARGV[1])
if len > tonumber(ARGV[3]) then redis.call('LTRIM', KEYS[2], -tonumber(ARGV[3]), -1) end
redis.call('EXPIRE', KEYS[2], ARGV[4])
return seq
`;

// Keeps live sessions from expiring: every key given (one bucket's, one slot) gets the TTL.
const KEEP_ALIVE = `for i = 1, #KEYS do redis.call('EXPIRE', KEYS[i], ARGV[1]) end return #KEYS`;

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    livehostDeliverRemote(sessKey: string, outKey: string, rest: string, channel: string, maxLen: number, ttl: number): Result<number, Context>;
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
   * refused. Returns the new epoch and the last seq recorded.
   */
  async takeOver(sessionId: string): Promise<{ epoch: string; seq: number }> {
    const [[, epoch], [, seq]] = (await this.redis.multi()
      .hincrby(this.sessKey(sessionId), 'epoch', 1)
      .hget(this.sessKey(sessionId), 'seq')
      .exec()) as [[null, number], [null, string | null]];
    return { epoch: String(epoch), seq: Number(seq ?? 0) };
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

  /** -1: no such session; 0: handed to its holder; otherwise the seq it was stored under. */
  async deliverRemote(sessionId: string, frame: object): Promise<number> {
    if (!isSessionId(sessionId)) return -1;
    const rest = JSON.stringify(frame).slice(1);
    return this.redis.livehostDeliverRemote(this.sessKey(sessionId), this.outKey(sessionId), rest, this.channel(sessionId), this.outboxMax, this.resumeWindowS * 2);
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

  /** Keeps live sessions from expiring; called periodically for every local socket. One script per bucket. */
  async keepAlive(sessionIds: string[]): Promise<void> {
    const byTag = new Map<string, string[]>();
    for (const id of sessionIds) {
      const tag = sessionTag(id);
      const keys = byTag.get(tag) ?? [];
      keys.push(this.sessKey(id), this.outKey(id));
      byTag.set(tag, keys);
    }
    await Promise.all([...byTag.values()].map((keys) => this.redis.livehostKeepAlive(keys.length, ...keys, this.resumeWindowS * 2)));
  }

  /** The socket is gone: the session can be resumed for the resume window, then expires. */
  async detach(sessionId: string): Promise<void> {
    await this.redis.multi()
      .expire(this.sessKey(sessionId), this.resumeWindowS)
      .expire(this.outKey(sessionId), this.resumeWindowS)
      .exec();
  }

  async destroy(sessionId: string): Promise<void> {
    await this.redis.del(this.sessKey(sessionId), this.outKey(sessionId));
  }
}
