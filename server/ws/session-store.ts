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

// Appends one frame to a session's outbox and stamps it with the session's next seq, in
// one round trip; when asked, also publishes it for the instance that holds the socket.
// The frame arrives without its opening brace so the seq can lead it without re-encoding.
const APPEND = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
local frame = '{"seq":' .. seq .. ',' .. ARGV[1]
redis.call('RPUSH', KEYS[2], frame)
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[2]), -1)
redis.call('EXPIRE', KEYS[2], ARGV[3])
if ARGV[4] ~= '' then redis.call('PUBLISH', ARGV[4], '{"i":"' .. ARGV[5] .. '","d":' .. frame .. '}') end
return seq
`;

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    livehostAppend(sessKey: string, outKey: string, rest: string, maxLen: number, ttl: number, channel: string, instance: string): Result<number, Context>;
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
    private readonly outboxMax = 2000,
  ) {
    if (typeof (redis as { livehostAppend?: unknown }).livehostAppend !== 'function') redis.defineCommand('livehostAppend', { numberOfKeys: 2, lua: APPEND });
  }

  private sessKey(id: string) { return `${this.prefix}:sess:${id}`; }
  private outKey(id: string) { return `${this.prefix}:sess:${id}:out`; }
  /** The bus channel the instance holding a session's socket listens on. */
  channel(id: string) { return `${this.prefix}:bus:s:${id}`; }

  async create(role: Role, tokenId: string, subject: string): Promise<SessionRecord> {
    const sessionId = `s-${randomUUID()}`;
    await this.redis.multi()
      .hset(this.sessKey(sessionId), { role, tokenId, subject, seq: 0 })
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
   * Stamps and stores a frame; returns it as sent on the wire (with seq), or null when
   * the session is gone. `publishAs` publishes it to the socket's instance.
   */
  async append(sessionId: string, frame: object, publishAs: string | null): Promise<string | null> {
    const json = JSON.stringify(frame);
    const rest = json.slice(1);
    const seq = await this.redis.livehostAppend(
      this.sessKey(sessionId), this.outKey(sessionId), rest, this.outboxMax, this.resumeWindowS * 2,
      publishAs ? this.channel(sessionId) : '', publishAs ?? '',
    );
    if (seq < 0) return null;
    return `{"seq":${seq},${rest}`;
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
