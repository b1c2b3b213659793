import type { Redis } from 'ioredis';
import type { QuestionInfo } from '../../protocol/index.js';
import { WAITING } from './question-score.js';

/** A question group as stored: what operators see, plus what only the newsroom needs. */
export interface StoredQuestion extends QuestionInfo {
  /** Operator token id that approved it (question or answer), for the as-run log. */
  approvedBy?: string | null;
  /** How the group's askers put it (up to 20). */
  variants?: string[];
  /** The knowledge-base entry the group confidently asks for: a new question asking for it joins. */
  anchor?: string | null;
}

const TTL_S = 7 * 24 * 3600;

/** A group a new question may still join: waiting, or answered (the intake decides for how long). */
function mayTakeAskers(q: StoredQuestion): boolean {
  return !q.mergedInto && (WAITING.has(q.status) || q.status === 'answered');
}

/**
 * A room's questions in Redis: one hash of records, and a second of copies of the groups
 * that may still take askers, which triage reads instead of every question the room ever
 * had: with 5,000 old groups (a few hours of a busy show, kept 7 days) reading them all
 * cost 26 ms of CPU a question, against 1.8 ms with none (bench:chat's notes).
 */
export class QuestionStore {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  key(room: string) { return `${this.prefix}:room:${room}:questions`; }
  openKey(room: string) { return `${this.prefix}:room:${room}:questions:open`; }
  askersKey(room: string, questionId: string) { return `${this.prefix}:room:${room}:q:${questionId}:askers`; }

  async get(room: string, questionId: string): Promise<StoredQuestion | null> {
    const raw = await this.redis.hget(this.key(room), questionId);
    return raw ? JSON.parse(raw) as StoredQuestion : null;
  }

  // Writes go as plain commands, not MULTI: a write and its EXPIRE need no isolation, and
  // ioredis's MULTI costs about twice the CPU of the commands sent together (bench:chat).
  // Every write goes through here, so the open copies follow the records.
  async put(q: StoredQuestion): Promise<void> {
    const raw = JSON.stringify(q);
    const open = this.openKey(q.room);
    await Promise.all([
      this.redis.hset(this.key(q.room), q.questionId, raw), this.redis.expire(this.key(q.room), TTL_S),
      mayTakeAskers(q) ? this.redis.hset(open, q.questionId, raw) : this.redis.hdel(open, q.questionId), this.redis.expire(open, TTL_S),
    ]);
  }

  async all(room: string): Promise<StoredQuestion[]> {
    return (await this.redis.hvals(this.key(room))).map((r) => JSON.parse(r) as StoredQuestion);
  }

  /** The groups that may still take askers (answered ones however long ago: see `close`). */
  async open(room: string): Promise<StoredQuestion[]> {
    return (await this.redis.hvals(this.openKey(room))).map((r) => JSON.parse(r) as StoredQuestion);
  }

  /** Answered groups that may no longer take askers leave the open copies (their records stay). */
  async close(room: string, questionIds: readonly string[]): Promise<void> {
    if (questionIds.length) await this.redis.hdel(this.openKey(room), ...questionIds);
  }

  /** Bot sessions to tell when the group is answered (or not). */
  /** Adds a bot session to a group's askers; true when it was not one of them yet. */
  async addAsker(room: string, questionId: string, sessionId: string | undefined): Promise<boolean> {
    if (!sessionId) return false;
    const k = this.askersKey(room, questionId);
    const [added] = await Promise.all([this.redis.sadd(k, sessionId), this.redis.expire(k, 3600)]);
    return added === 1;
  }

  async askers(room: string, questionId: string): Promise<string[]> {
    return this.redis.smembers(this.askersKey(room, questionId));
  }

  async moveAskers(room: string, from: string, into: string): Promise<void> {
    const sessions = await this.askers(room, from);
    if (sessions.length) await this.redis.multi().sadd(this.askersKey(room, into), ...sessions).expire(this.askersKey(room, into), 3600).exec();
  }
}

/** The public view (what operators and REST see) of a stored question. */
export function questionView(q: StoredQuestion): QuestionInfo {
  const { approvedBy: _a, variants: _v, anchor: _k, ...view } = q;
  return view;
}
