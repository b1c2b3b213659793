import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { blocklistMatch, type AnswerContext, type QuestionInfo, type QuestionStatus, type RoomEvent } from '../../protocol/index.js';
import { sanitizeText } from '../../protocol/text-hygiene.js';
import { ProtocolError } from '../auth/auth-error.js';
import type { RoomStore, StoredRoom } from '../rooms/room-store.js';
import type { SpeechQueues } from '../show/speech-queues.js';

export interface IntakeOptions {
  prefix: string;
  /** One question per viewer per this many ms, per room. */
  perUserIntervalMs: number;
  /** Identical questions within this window are grouped with the first. */
  duplicateWindowS: number;
}

export function newId(kind: string): string {
  return `${kind}-${Date.now().toString(36)}-${randomBytes(5).toString('hex')}`;
}

function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\p{P}\p{S}\s]+/gu, ' ').trim();
}

export type ContextOverrides = Partial<Pick<AnswerContext, 'persona' | 'language' | 'voice' | 'fallbackLine'>>;

export function answerContext(room: StoredRoom) {
  return {
    language: room.language, persona: room.persona, answers: room.answers, fallbackLine: room.fallbackLine,
    blocklist: room.blocklist, maxAnswerChars: room.maxAnswerChars, voice: room.voice,
    backlogLimitMs: room.backlogLimitS * 1000, staleAfterMs: room.answerStaleS * 1000,
  };
}

/**
 * Viewer questions enter here: moderated (per-viewer rate, blocklist, duplicates grouped),
 * recorded, shown to operators, and — in auto mode — sent to the qa queue at once.
 */
export class QuestionIntake {
  constructor(
    private readonly redis: Redis,
    private readonly rooms: RoomStore,
    private readonly queues: SpeechQueues,
    private readonly emit: (room: string, event: RoomEvent) => Promise<void>,
    private readonly opts: IntakeOptions,
    /** Sends a frame to a client session (bots hear back when their question is answered). */
    private readonly deliver: (sessionId: string, frame: object) => Promise<boolean> = async () => false,
    /** Tells the room's director an answer is coming (so it knows what to wait for, and how old it is). */
    private readonly expectAnswer: (room: string, questionId: string, askedAt: number) => Promise<void> = async () => undefined,
  ) {}

  /** Sends a question to be answered: the qa job, and the director's notice of it. */
  private async sendToAnswer(room: StoredRoom, info: QuestionInfo): Promise<void> {
    const raw = await this.redis.get(this.contextKey(room.id, info.questionId));
    const overrides = raw ? JSON.parse(raw) as ContextOverrides : {};
    await this.expectAnswer(room.id, info.questionId, info.receivedAt);
    await this.queues.answer({
      room: room.id, questionId: info.questionId, question: info.text, context: { ...answerContext(room), ...overrides }, askedAt: info.receivedAt,
    });
  }

  private contextKey(room: string, questionId: string) { return `${this.opts.prefix}:room:${room}:q:${questionId}:context`; }

  private questionsKey(room: string) { return `${this.opts.prefix}:room:${room}:questions`; }
  private answerKey(room: string, questionId: string) { return `${this.opts.prefix}:room:${room}:q:${questionId}:answer`; }
  private askersKey(room: string, questionId: string) { return `${this.opts.prefix}:room:${room}:q:${questionId}:askers`; }

  private async remember(roomId: string, questionId: string, replyTo: string | undefined): Promise<void> {
    if (!replyTo) return;
    await this.redis.multi().sadd(this.askersKey(roomId, questionId), replyTo).expire(this.askersKey(roomId, questionId), 3600).exec();
  }

  /** The render host reported the answer's first line on air. */
  async answering(roomId: string, questionId: string): Promise<void> {
    await this.setStatus(roomId, questionId, 'answering');
  }

  /**
   * The render host reported the whole answer spoken: the question is answered and every
   * bot session that asked it gets the answer's text — once, whichever instance says so.
   */
  async answered(roomId: string, questionId: string, text: string): Promise<void> {
    if (!(await this.redis.set(this.answerKey(roomId, questionId), 'answered', 'EX', 3600, 'NX'))) return;
    await this.setStatus(roomId, questionId, 'answered', { answer: text });
    for (const sessionId of await this.redis.smembers(this.askersKey(roomId, questionId))) {
      await this.deliver(sessionId, { type: 'question.answered', questionId, text });
    }
  }

  /** The answer will not air (cut, stale, the show stopped): the askers are told so. */
  async dropped(roomId: string, questionId: string, reason: string): Promise<void> {
    if (!(await this.redis.set(this.answerKey(roomId, questionId), 'dropped', 'EX', 3600, 'NX'))) return;
    await this.setStatus(roomId, questionId, 'dropped', { reason });
    for (const sessionId of await this.redis.smembers(this.askersKey(roomId, questionId))) {
      await this.deliver(sessionId, { type: 'question.unanswered', questionId, reason });
    }
  }

  private async setStatus(roomId: string, questionId: string, status: QuestionStatus, extra: Pick<QuestionInfo, 'answer' | 'reason'> = {}): Promise<void> {
    const raw = await this.redis.hget(this.questionsKey(roomId), questionId);
    if (!raw) return;
    const info = { ...(JSON.parse(raw) as QuestionInfo), ...extra };
    info.status = status;
    await this.redis.hset(this.questionsKey(roomId), questionId, JSON.stringify(info));
    await this.emit(roomId, { kind: 'question', question: info });
  }

  /**
   * `context` answers this one question with another persona, language or voice than the
   * room's (the migration adapter's roles).
   */
  async ask(roomId: string, user: { id: string; name: string }, text: string, replyTo?: string, opts: { context?: ContextOverrides } = {}): Promise<{ questionId: string; status: QuestionStatus }> {
    const room = await this.rooms.get(roomId);
    const clean = sanitizeText(text);
    if (!clean) throw new ProtocolError('invalid_message', 'the question is empty');
    const p = this.opts.prefix;
    const userHash = createHash('sha256').update(user.id).digest('hex').slice(0, 16);
    const allowed = await this.redis.set(`${p}:room:${roomId}:asked:${userHash}`, '1', 'PX', this.opts.perUserIntervalMs, 'NX');
    if (!allowed) throw new ProtocolError('rate_limited', 'one question at a time, please');
    if (blocklistMatch(room.blocklist, clean) !== null) {
      await this.emit(roomId, { kind: 'rejected', text: clean, reason: 'blocklist' });
      throw new ProtocolError('rejected', 'the question was not accepted');
    }

    const dupKey = `${p}:room:${roomId}:dup:${createHash('sha256').update(normalize(clean)).digest('hex').slice(0, 24)}`;
    const questionId = newId('q');
    const first = await this.redis.set(dupKey, questionId, 'EX', this.opts.duplicateWindowS, 'NX');
    if (!first) {
      const originalId = (await this.redis.get(dupKey)) ?? questionId;
      const raw = await this.redis.hget(this.questionsKey(roomId), originalId);
      if (raw) {
        const original = JSON.parse(raw) as QuestionInfo;
        original.askedBy += 1;
        await this.redis.hset(this.questionsKey(roomId), originalId, JSON.stringify(original));
        await this.emit(roomId, { kind: 'question', question: original });
      }
      await this.remember(roomId, originalId, replyTo);
      return { questionId: originalId, status: 'duplicate' };
    }

    const status: QuestionStatus = room.mode === 'auto' ? 'queued' : 'review';
    const info: QuestionInfo = { questionId, room: roomId, user, text: clean, status, askedBy: 1, receivedAt: Date.now() };
    await this.redis.hset(this.questionsKey(roomId), questionId, JSON.stringify(info));
    await this.redis.expire(this.questionsKey(roomId), 7 * 24 * 3600);
    await this.remember(roomId, questionId, replyTo);
    if (opts.context && Object.keys(opts.context).length) await this.redis.set(this.contextKey(roomId, questionId), JSON.stringify(opts.context), 'EX', 24 * 3600);
    if (status === 'queued') await this.sendToAnswer(room, info);
    await this.emit(roomId, { kind: 'question', question: info });
    return { questionId, status };
  }

  async decide(roomId: string, questionId: string, approve: boolean): Promise<QuestionInfo> {
    const room = await this.rooms.get(roomId);
    const raw = await this.redis.hget(this.questionsKey(roomId), questionId);
    if (!raw) throw new ProtocolError('not_found', `no question ${questionId}`);
    const info = JSON.parse(raw) as QuestionInfo;
    if (info.status !== 'review') throw new ProtocolError('conflict', `question is ${info.status}`);
    info.status = approve ? 'queued' : 'rejected';
    await this.redis.hset(this.questionsKey(roomId), questionId, JSON.stringify(info));
    if (approve) await this.sendToAnswer(room, info);
    await this.emit(roomId, { kind: 'question', question: info });
    return info;
  }

  async list(roomId: string): Promise<QuestionInfo[]> {
    const all = await this.redis.hvals(this.questionsKey(roomId));
    return all.map((r) => JSON.parse(r) as QuestionInfo).sort((a, b) => a.receivedAt - b.receivedAt);
  }
}
