import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { blocklistMatch, type QuestionInfo, type QuestionStatus, type RoomEvent } from '../../protocol/index.js';
import { ProtocolError } from '../auth/auth-error.js';
import type { RoomStore, StoredRoom } from '../rooms/room-store.js';
import type { SpeechQueues } from './speech-queues.js';

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

export function answerContext(room: StoredRoom) {
  return {
    language: room.language, persona: room.persona, answers: room.answers, fallbackLine: room.fallbackLine,
    blocklist: room.blocklist, maxAnswerChars: room.maxAnswerChars, voice: room.voice,
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
  ) {}

  private questionsKey(room: string) { return `${this.opts.prefix}:room:${room}:questions`; }

  async ask(roomId: string, user: { id: string; name: string }, text: string): Promise<{ questionId: string; status: QuestionStatus }> {
    const room = await this.rooms.get(roomId);
    const clean = text.replace(/[\p{Cc}\p{Cf}]/gu, ' ').replace(/\s+/g, ' ').trim();
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
      return { questionId: originalId, status: 'duplicate' };
    }

    const status: QuestionStatus = room.mode === 'auto' ? 'queued' : 'review';
    const info: QuestionInfo = { questionId, room: roomId, user, text: clean, status, askedBy: 1, receivedAt: Date.now() };
    await this.redis.hset(this.questionsKey(roomId), questionId, JSON.stringify(info));
    await this.redis.expire(this.questionsKey(roomId), 7 * 24 * 3600);
    if (status === 'queued') await this.queues.answer({ room: roomId, questionId, question: clean, context: answerContext(room) });
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
    if (approve) await this.queues.answer({ room: roomId, questionId, question: info.text, context: answerContext(room) });
    await this.emit(roomId, { kind: 'question', question: info });
    return info;
  }

  async list(roomId: string): Promise<QuestionInfo[]> {
    const all = await this.redis.hvals(this.questionsKey(roomId));
    return all.map((r) => JSON.parse(r) as QuestionInfo).sort((a, b) => a.receivedAt - b.receivedAt);
  }
}
