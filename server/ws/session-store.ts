import { randomUUID } from 'node:crypto';
import type { ClientContext, Redis, Result } from 'ioredis';
import type { Role } from '../../protocol/index.js';

export interface SessionRecord {
  sessionId: string;
  role: Role;
  tokenId: string;
  /** The identity a resumed session must still have: host id, or the token id. */
  subject: string;
  seq: number;
}

// The instance holding a session's socket numbers its frames itself (no round trip before
// a frame goes out) and records them here in order, after the fact. `epoch` is bumped by
// each new holder, so frames from a replaced holder can no longer be recorded.
const PERSIST = `
if redis.call('HGET', KEYS[1], 'epoch') ~= ARGV[1] then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[3])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[4]), -1)
redis.call('EXPIRE', KEYS[2], ARGV[5])
if tonumber(redis.call('HGET', KEYS[1], 'seq')) < tonumber(ARGV[2]) then redis.call('HSET', KEYS[1], 'seq', ARGV[2]) end
return 1
`;

// A frame for a session held elsewhere (or nowhere). Atomically: publish it to the holder;
// if nobody holds the session, number it here and keep it in the outbox for its resume.
// The frame arrives without its opening brace so the seq can lead it without re-encoding.
const DELIVER_REMOTE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('PUBLISH', ARGV[2], '{"i":"*","d":{"u":{' .. ARGV[1] .. '}}') > 0 then return 0 end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('RPUSH', KEYS[2], '{"seq":' .. seq .. ',' .. ARGV[1])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[3]), -1)
redis.call('EXPIRE', KEYS[2], ARGV[4])
return seq
`;

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    livehostPersist(sessKey: string, outKey: string, epoch: string, seq: number, raw: string, maxLen: number, ttl: number): Result<number, Context>;
    livehostDeliverRemote(sessKey: string, outKey: string, rest: string, channel: string, maxLen: number, ttl: number): Result<number, Context>;
  }
}

/**
 * Session records and their outboxes. A session outlives its socket by the resume window,
 * so a client that reconnects with (sessionId, lastSeq) gets exactly what it missed.
 */
export class SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly resumeWindowS: number,
    /** Connection for recording sent frames; may batch (auto-pipelining), since nothing waits on it. */
    private readonly recorder: Redis = redis,
    private readonly outboxMax = 2000,
  ) {
    for (const conn of new Set([redis, recorder])) {
      if (typeof (conn as { livehostPersist?: unknown }).livehostPersist === 'function') continue;
      conn.defineCommand('livehostPersist', { numberOfKeys: 2, lua: PERSIST });
      conn.defineCommand('livehostDeliverRemote', { numberOfKeys: 2, lua: DELIVER_REMOTE });
    }
  }

  // One hash tag per session: its record and outbox share a Redis Cluster slot, so the
  // scripts that touch both stay legal on a cluster.
  private sessKey(id: string) { return `${this.prefix}:sess:{${id}}`; }
  private outKey(id: string) { return `${this.prefix}:sess:{${id}}:out`; }
  /** The bus channel the instance holding a session's socket listens on. */
  channel(id: string) { return `${this.prefix}:bus:s:${id}`; }

  async create(role: Role, tokenId: string, subject: string): Promise<SessionRecord> {
    const sessionId = `s-${randomUUID()}`;
    await this.redis.multi()
      .hset(this.sessKey(sessionId), { role, tokenId, subject, seq: 0, epoch: 0 })
      .expire(this.sessKey(sessionId), this.resumeWindowS * 2)
      .exec();
    return { sessionId, role, tokenId, subject, seq: 0 };
  }

  async get(sessionId: string): Promise<SessionRecord | null> {
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

  /** Records a frame the holder has numbered and sent. Fire-and-forget: order is the connection's. */
  persist(sessionId: string, epoch: string, seq: number, raw: string): Promise<number> {
    return this.recorder.livehostPersist(this.sessKey(sessionId), this.outKey(sessionId), epoch, seq, raw, this.outboxMax, this.resumeWindowS * 2);
  }

  /** -1: no such session; 0: handed to its holder; otherwise the seq it was stored under. */
  async deliverRemote(sessionId: string, frame: object): Promise<number> {
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

  /** Keeps live sessions from expiring; called periodically for every local socket. */
  async keepAlive(sessionIds: string[]): Promise<void> {
    if (sessionIds.length === 0) return;
    const m = this.redis.multi();
    for (const id of sessionIds) {
      m.expire(this.sessKey(id), this.resumeWindowS * 2);
      m.expire(this.outKey(id), this.resumeWindowS * 2);
    }
    await m.exec();
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
