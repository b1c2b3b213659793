import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { blocklistMatch, type AnswerContext, type QuestionInfo, type QuestionStatus, type RoomEvent } from '../../protocol/index.js';
import { sanitizeText } from '../../protocol/text-hygiene.js';
import { moderateViewerText, QUESTION_TEXT } from '../../moderation/index.js';
import { ProtocolError } from '../auth/auth-error.js';
import { withLock } from '../rooms/redis-lock.js';
import type { RoomStore, StoredRoom } from '../rooms/room-store.js';
import type { SpeechQueues } from '../show/speech-queues.js';
import type { AuditLog } from './audit-log.js';
import type { Bans } from './bans.js';
import { newId } from './ids.js';
import { bullPriority, questionScore, WAITING } from './question-score.js';
import { QuestionStore, questionView, type StoredQuestion } from './question-store.js';
import type { RoomSimilarity } from './room-similarity.js';

export { newId };

export interface IntakeOptions {
  prefix: string;
  /** One question per viewer per this many ms, per room. */
  perUserIntervalMs: number;
  /** An answered group still takes new askers (they hear its answer at once) for this long. */
  recentWindowMs?: number;
}

export interface IntakeDeps {
  redis: Redis;
  rooms: RoomStore;
  queues: SpeechQueues;
  store: QuestionStore;
  bans: Bans;
  similarity: RoomSimilarity;
  audit: AuditLog;
  emit: (room: string, event: RoomEvent) => Promise<void>;
  /** Sends a frame to a client session (bots hear back when their question is answered). */
  deliver: (sessionId: string, frame: object) => Promise<boolean>;
  /** Tells the room's director an answer is coming (so it knows what to wait for, and how old it is). */
  expectAnswer: (room: string, questionId: string, askedAt: number) => Promise<void>;
  /** Calls an answer off at the director and the workers. */
  cancelAnswer: (room: string, questionId: string, reason: string) => Promise<void>;
  log?: Pick<Logger, 'warn'>;
}

export type ContextOverrides = Partial<Pick<AnswerContext, 'persona' | 'language' | 'voice' | 'fallbackLine'>>;

function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\p{P}\p{S}\s]+/gu, ' ').trim();
}

export function answerContext(room: StoredRoom) {
  return {
    language: room.language, persona: room.persona, answers: room.answers, fallbackLine: room.fallbackLine,
    blocklist: room.blocklist, maxAnswerChars: room.maxAnswerChars, allowLinks: room.allowLinks, voice: room.voice,
    backlogLimitMs: room.backlogLimitS * 1000, staleAfterMs: room.answerStaleS * 1000,
  };
}

/** The group heard only the room's fallback line (after the credit, if any): no answer a new asker should share. */
function answeredWithFallback(q: StoredQuestion, room: StoredRoom): boolean {
  return q.answer !== undefined && q.answer.trim().endsWith(room.fallbackLine.trim());
}

/** "Ana and 3 others asked" — what a crediting room says before the answer. */
export function creditLine(q: Pick<QuestionInfo, 'askedBy' | 'askers' | 'user'>): string {
  const first = q.askers?.[0] ?? q.user.name;
  const others = q.askedBy - 1;
  return others <= 0 ? `${first} asked.` : `${first} and ${others} ${others === 1 ? 'other' : 'others'} asked.`;
}

/**
 * Viewer questions: moderated (per-viewer rate, bans, blocklist), grouped by meaning with
 * what is waiting or was just answered (one group, many askers), scored for the waiting
 * queue, and sent to be answered the way the room reviews: at once (auto), after an
 * operator approves the question (questions), drafted in full for approval (answers), or
 * at once when a confident knowledge-base answer and drafted otherwise (tiered).
 */
export class QuestionIntake {
  private readonly recentWindowMs: number;

  constructor(private readonly d: IntakeDeps, private readonly opts: IntakeOptions) {
    this.recentWindowMs = opts.recentWindowMs ?? 10 * 60_000;
  }

  private contextKey(room: string, questionId: string) { return `${this.opts.prefix}:room:${room}:q:${questionId}:context`; }
  private outcomeKey(room: string, questionId: string) { return `${this.opts.prefix}:room:${room}:q:${questionId}:answer`; }

  private async save(q: StoredQuestion, now = Date.now()): Promise<StoredQuestion> {
    q.score = questionScore(q, now);
    await this.d.store.put(q);
    await this.d.emit(q.room, { kind: 'question', question: questionView(q) });
    return q;
  }

  async get(room: string, questionId: string): Promise<StoredQuestion> {
    const q = await this.d.store.get(room, questionId);
    if (!q) throw new ProtocolError('not_found', `no question ${questionId} in room ${room}`);
    return q;
  }

  /**
   * `context` answers this one question with another persona, language or voice than the
   * room's (the migration adapter's roles).
   */
  async ask(roomId: string, user: { id: string; name: string }, text: string, replyTo?: string, opts: { context?: ContextOverrides } = {}): Promise<{ questionId: string; status: QuestionStatus }> {
    const clean = sanitizeText(text);
    if (!clean) throw new ProtocolError('invalid_message', 'the question is empty');
    const who = { id: user.id, name: sanitizeText(user.name) || 'viewer' };
    const userHash = createHash('sha256').update(user.id).digest('hex').slice(0, 16);
    // One round trip, not three; a banned viewer's question also takes the rate slot (it is dropped either way).
    const [room, banned, allowed] = await Promise.all([
      this.d.rooms.get(roomId), this.d.bans.isBanned(roomId, user.id),
      this.d.redis.set(`${this.opts.prefix}:room:${roomId}:asked:${userHash}`, '1', 'PX', this.opts.perUserIntervalMs, 'NX'),
    ]);
    if (banned) {
      await this.d.bans.count(roomId, 'banned');
      return { questionId: newId('q'), status: 'rejected' };
    }
    if (!allowed) {
      await this.d.bans.count(roomId, 'rate');
      throw new ProtocolError('rate_limited', 'one question at a time, please');
    }
    if (blocklistMatch(room.blocklist, clean) !== null) {
      await this.d.bans.count(roomId, 'blocklist');
      await this.d.emit(roomId, { kind: 'rejected', text: clean, reason: 'blocklist' });
      throw new ProtocolError('rejected', 'the question was not accepted');
    }
    // Length, repeated characters, link spam, shouting (moderation/): counted, shown to operators, refused.
    const verdict = moderateViewerText(clean, QUESTION_TEXT);
    if (!verdict.ok) {
      await this.d.bans.count(roomId, verdict.reason);
      await this.d.emit(roomId, { kind: 'rejected', text: clean.slice(0, 500), reason: verdict.reason });
      throw new ProtocolError('rejected', `the question was not accepted (${verdict.detail})`);
    }
    return this.triage(room, who, verdict.text, replyTo, opts);
  }

  private async triage(room: StoredRoom, who: { id: string; name: string }, clean: string, replyTo: string | undefined, opts: { context?: ContextOverrides }) {
    const roomId = room.id;
    // One decision at a time per room: two viewers asking the same thing at once make one group.
    return withLock(this.d.redis, `${this.opts.prefix}:room:${roomId}:lock:triage`, async () => {
      const now = Date.now();
      const candidates = opts.context ? [] : await this.d.store.open(roomId);
      const open = candidates.filter((q) => q.status !== 'answered' || (now - q.receivedAt < this.recentWindowMs && !answeredWithFallback(q, room)));
      // Answered too long ago, or with only the fallback line (the knowledge base may know
      // better by now, and a new asker deserves a real try): out of the open groups for good.
      if (open.length < candidates.length) await this.d.store.close(roomId, candidates.filter((q) => !open.includes(q)).map((q) => q.questionId));
      const { group, anchor } = opts.context ? { group: null, anchor: null } : await this.groupFor(room, open, clean);
      if (group) return this.join(group, who, clean, replyTo, now);
      const status: QuestionStatus = room.review === 'questions' ? 'review' : 'queued';
      const q: StoredQuestion = {
        questionId: newId('q'), room: roomId, user: who, text: clean, status, askedBy: 1, receivedAt: now, askers: [who.name], pinned: false, boost: 0,
        anchor,
      };
      if (opts.context && Object.keys(opts.context).length) {
        await this.d.redis.set(this.contextKey(roomId, q.questionId), JSON.stringify(opts.context), 'EX', 24 * 3600);
      }
      await Promise.all([this.d.store.addAsker(roomId, q.questionId, replyTo), this.save(q, now)]);
      if (status === 'queued') await this.dispatch(room, q);
      return { questionId: q.questionId, status };
    }, { ttlMs: 5000, waitMs: 5000 });
  }

  /**
   * A waiting group that asks the same, or one answered a moment ago: the same words, or
   * (the room's matcher) the same knowledge-base entry asked for or a close enough meaning.
   * Returns the question's anchor too, for a new group; the matcher is asked only when no
   * group has the same words. A matcher that fails groups nothing: the question still
   * comes in, as a group of its own.
   */
  private async groupFor(room: StoredRoom, open: StoredQuestion[], text: string): Promise<{ group: StoredQuestion | null; anchor: string | null }> {
    const exact = normalize(text);
    const same = open.find((q) => (q.variants ?? [q.text]).some((v) => normalize(v) === exact));
    if (same) return { group: same, anchor: null };
    try {
      const candidates = open.map((q) => ({ text: q.text, anchor: q.anchor ?? null }));
      const { anchor, match } = await this.d.similarity.match(room.id, room.language, text, candidates, room.groupThreshold ?? undefined);
      return { group: match ? open[match.index]! : null, anchor };
    } catch (err) {
      this.d.log?.warn({ room: room.id, err: (err as Error).message }, 'question not grouped');
      return { group: null, anchor: null };
    }
  }

  private async join(q: StoredQuestion, who: { id: string; name: string }, text: string, replyTo: string | undefined, now: number) {
    q.askedBy += 1;
    const variants = q.variants ?? [q.text];
    if (variants.length < 20 && !variants.includes(text)) q.variants = [...variants, text];
    if ((q.askers ?? []).length < 5 && !q.askers?.includes(who.name)) q.askers = [...(q.askers ?? []), who.name];
    const saved = this.save(q, now); // scores the group at once, before its first await
    // Already spoken: the new asker's session hears the answer now — unless it was told
    // already (one bot relays many viewers; it gets each group's answer once, as its ack
    // for this question names the group). Still waiting: the group moves up the queue. These
    // go out beside the writes (still under the triage lock): a duplicate is most of a busy
    // room's questions, and each step in turn cost a round trip (bench:chat).
    const asker = this.d.store.addAsker(q.room, q.questionId, replyTo);
    const answer = q.answer;
    const follow = q.status === 'answered' && replyTo && answer
      ? asker.then((added) => added ? this.d.deliver(replyTo, { type: 'question.answered', questionId: q.questionId, text: answer }) : undefined)
      : q.status === 'queued' ? this.d.queues.reprioritize(q.questionId, bullPriority(q.score ?? 0)) : null;
    await Promise.all([asker, saved, follow]);
    return { questionId: q.questionId, status: 'duplicate' as const };
  }

  /** Sends a question to be answered, reviewed the room's way. */
  private async dispatch(room: StoredRoom, q: StoredQuestion, approvedBy: string | null = null): Promise<void> {
    const raw = await this.d.redis.get(this.contextKey(room.id, q.questionId));
    const overrides = raw ? JSON.parse(raw) as ContextOverrides : {};
    const review = room.review === 'answers' ? 'draft' : room.review === 'tiered' ? 'tiered' : 'none';
    // Only an answer that goes straight to air is announced to the director now; a draft is announced when approved.
    if (review === 'none') await this.d.expectAnswer(room.id, q.questionId, q.receivedAt);
    if (approvedBy) q.approvedBy = approvedBy;
    await this.d.queues.answer({
      room: room.id, questionId: q.questionId, question: q.text, askedAt: q.receivedAt,
      context: { ...answerContext(room), ...overrides, review, ...(room.creditAskers && q.askedBy > 1 ? { credit: creditLine(q) } : {}) },
    }, bullPriority(q.score ?? 0));
  }

  /** Question review: approve (send to be answered) or reject a question waiting for an operator. */
  async decideQuestion(roomId: string, questionId: string, approve: boolean, by: string, reason?: string): Promise<QuestionInfo> {
    const room = await this.d.rooms.get(roomId);
    const q = await this.get(roomId, questionId);
    if (q.status !== 'review' && q.status !== 'queued') throw new ProtocolError('conflict', `question is ${q.status}`);
    if (approve) {
      if (q.status !== 'review') throw new ProtocolError('conflict', 'the question is already on its way to an answer');
      q.status = 'queued';
      await this.save(q);
      await this.dispatch(room, q, by);
      await this.d.audit.record(roomId, 'question.approve', by, questionId);
    } else {
      await this.reject(q, by, reason ?? 'rejected by an operator');
    }
    return questionView(q);
  }

  /** Dismisses a group: it will not be answered; a waiting answer is called off. */
  async reject(q: StoredQuestion, by: string, reason: string): Promise<void> {
    const wasWaiting = q.status === 'queued' || q.status === 'draft' || q.status === 'answering';
    q.status = 'rejected';
    q.reason = reason;
    delete q.draft;
    await this.save(q);
    if (wasWaiting) await this.d.cancelAnswer(q.room, q.questionId, reason);
    await this.tellAskers(q.room, q.questionId, { type: 'question.unanswered', questionId: q.questionId, reason });
    await this.d.audit.record(q.room, 'question.reject', by, q.questionId, reason);
  }

  async pin(roomId: string, questionId: string, pinned: boolean, by: string): Promise<QuestionInfo> {
    const q = await this.get(roomId, questionId);
    q.pinned = pinned;
    await this.save(q);
    if (q.status === 'queued') await this.d.queues.reprioritize(q.questionId, bullPriority(q.score ?? 0));
    await this.d.audit.record(roomId, 'question.pin', by, questionId, String(pinned));
    return questionView(q);
  }

  async boost(roomId: string, questionId: string, steps: number, by: string): Promise<QuestionInfo> {
    const q = await this.get(roomId, questionId);
    q.boost = (q.boost ?? 0) + steps;
    await this.save(q);
    if (q.status === 'queued') await this.d.queues.reprioritize(q.questionId, bullPriority(q.score ?? 0));
    await this.d.audit.record(roomId, 'question.boost', by, questionId, String(steps));
    return questionView(q);
  }

  /** Folds group `from` into `into`: its askers join, and hear `into`'s answer. */
  async merge(roomId: string, from: string, into: string, by: string): Promise<QuestionInfo> {
    if (from === into) throw new ProtocolError('conflict', 'a question cannot be merged into itself');
    const a = await this.get(roomId, from);
    const b = await this.get(roomId, into);
    if (a.mergedInto || a.status === 'answered') throw new ProtocolError('conflict', `question ${from} is ${a.mergedInto ? 'already merged' : a.status}`);
    b.askedBy += a.askedBy;
    b.askers = [...new Set([...(b.askers ?? []), ...(a.askers ?? [])])].slice(0, 5);
    await this.d.store.moveAskers(roomId, from, into);
    const wasWaiting = a.status === 'queued' || a.status === 'draft' || a.status === 'answering';
    a.mergedInto = into;
    a.status = 'rejected';
    a.reason = `merged into ${into}`;
    delete a.draft;
    await this.save(a);
    await this.save(b);
    if (wasWaiting) await this.d.cancelAnswer(roomId, from, a.reason);
    if (b.status === 'answered' && b.answer) await this.tellAskers(roomId, into, { type: 'question.answered', questionId: into, text: b.answer });
    await this.d.audit.record(roomId, 'question.merge', by, from, into);
    return questionView(b);
  }

  /** The render host reported the answer's first line on air. */
  async answering(roomId: string, questionId: string): Promise<void> {
    const q = await this.d.store.get(roomId, questionId);
    if (!q || q.status === 'answering') return;
    q.status = 'answering';
    await this.save(q);
  }

  /**
   * The render host reported the whole answer spoken: the group is answered and every bot
   * session that asked it gets the answer's text — once, whichever instance says so.
   */
  async answered(roomId: string, questionId: string, text: string): Promise<void> {
    if (!(await this.d.redis.set(this.outcomeKey(roomId, questionId), 'answered', 'EX', 3600, 'NX'))) return;
    const q = await this.d.store.get(roomId, questionId);
    if (q) {
      q.status = 'answered';
      q.answer = text;
      await this.save(q);
    }
    await this.tellAskers(roomId, questionId, { type: 'question.answered', questionId, text });
  }

  /** The answer will not air (cut, stale, the show stopped): the askers are told so. */
  async dropped(roomId: string, questionId: string, reason: string): Promise<void> {
    const q = await this.d.store.get(roomId, questionId);
    // A rejected or merged group already told its askers.
    if (q?.status === 'rejected') return;
    if (!(await this.d.redis.set(this.outcomeKey(roomId, questionId), 'dropped', 'EX', 3600, 'NX'))) return;
    if (q) {
      q.status = 'dropped';
      q.reason = reason;
      await this.save(q);
    }
    await this.tellAskers(roomId, questionId, { type: 'question.unanswered', questionId, reason });
  }

  async tellAskers(room: string, questionId: string, frame: object): Promise<void> {
    for (const sessionId of await this.d.store.askers(room, questionId)) await this.d.deliver(sessionId, frame);
  }

  /** The waiting queue first, by score (what is answered next), then the rest, newest first. */
  async list(roomId: string): Promise<QuestionInfo[]> {
    const now = Date.now();
    const all = (await this.d.store.all(roomId)).map((q) => ({ ...questionView(q), score: questionScore(q, now) }));
    const waiting = all.filter((q) => WAITING.has(q.status) && q.status !== 'answering').sort((a, b) => b.score - a.score || a.receivedAt - b.receivedAt);
    const rest = all.filter((q) => !waiting.includes(q)).sort((a, b) => b.receivedAt - a.receivedAt);
    return [...waiting, ...rest];
  }

  /** Who approved an answer and how many asked it, for the as-run log. */
  async provenance(room: string, questionId: string): Promise<{ approvedBy: string | null; askers: number } | null> {
    const q = await this.d.store.get(room, questionId);
    return q ? { approvedBy: q.approvedBy ?? null, askers: q.askedBy } : null;
  }
}
