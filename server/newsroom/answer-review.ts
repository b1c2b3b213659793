import type { AnswerDraft, AnswerDraftJob, QuestionInfo, RoomEvent, TtsJobData } from '../../protocol/index.js';
import { createOutputCheck } from '../../moderation/index.js';
import { answerContext } from './question-intake.js';
import { lineToSay } from '../text-intake.js';
import { ProtocolError } from '../auth/auth-error.js';
import type { RoomStore, StoredRoom } from '../rooms/room-store.js';
import type { SpeechQueues } from '../show/speech-queues.js';
import type { AuditLog } from './audit-log.js';
import type { QuestionIntake } from './question-intake.js';
import { questionView, type QuestionStore } from './question-store.js';

export interface ReviewDeps {
  rooms: RoomStore;
  store: QuestionStore;
  intake: QuestionIntake;
  queues: SpeechQueues;
  audit: AuditLog;
  emit: (room: string, event: RoomEvent) => Promise<void>;
  expectAnswer: (room: string, questionId: string, askedAt: number) => Promise<void>;
  /** Schedules the review deadline of a draft (a delayed job that comes back as `deadline`). */
  scheduleDeadline: (room: string, questionId: string, draftedAt: number, delayMs: number) => Promise<void>;
}

/** Sentences of an operator's edited answer, in the room's language. */
export function sentencesOf(text: string, language: string): string[] {
  const seg = new Intl.Segmenter(language, { granularity: 'sentence' });
  return [...seg.segment(text)].map((s) => s.segment.trim()).filter(Boolean);
}

/**
 * Answer review: a drafted answer waits for an operator with its text, sources and the
 * checks' notes; approval (possibly after an edit, which is checked again) puts it on air
 * one TTS line away; a room's timeout airs it by itself or lets it expire.
 */
export class AnswerReview {
  constructor(private readonly d: ReviewDeps) {}

  /** A qa worker drafted an answer in full. */
  async drafted(job: AnswerDraftJob): Promise<void> {
    const q = await this.d.store.get(job.room, job.questionId);
    if (!q || (q.status !== 'queued' && q.status !== 'draft')) return; // dismissed or merged meanwhile
    const room = await this.d.rooms.get(job.room);
    const now = Date.now();
    const timeout = room.reviewTimeoutS * 1000;
    const draft: AnswerDraft = {
      lines: job.lines, provider: job.provider, sources: job.sources, notes: job.notes, draftedAt: now,
      decideBy: timeout > 0 ? now + timeout : null,
      // An answer a check refused never airs by itself.
      autoAir: timeout > 0 && room.reviewTimeoutAction === 'air' && !job.notes.some((n) => n.action === 'reject') && job.lines.length > 0,
    };
    q.status = 'draft';
    q.draft = draft;
    await this.d.store.put(q);
    await this.d.emit(job.room, { kind: 'question', question: questionView(q) });
    if (timeout > 0) await this.d.scheduleDeadline(job.room, job.questionId, now, timeout);
  }

  /** An operator approves a draft, as drafted or with `text` instead. */
  async approve(roomId: string, questionId: string, by: string, text?: string): Promise<QuestionInfo> {
    const room = await this.d.rooms.get(roomId);
    const q = await this.d.intake.get(roomId, questionId);
    if (q.status !== 'draft' || !q.draft) throw new ProtocolError('conflict', `question ${questionId} has no draft waiting (it is ${q.status})`);
    const lines = text !== undefined ? sentencesOf(lineToSay(text), room.language) : q.draft.lines;
    const notes = text !== undefined ? await this.check(room, lines) : [];
    if (lines.length === 0) throw new ProtocolError('rejected', 'the answer is empty');
    await this.air(room, q, lines, by);
    await this.d.audit.record(roomId, text !== undefined ? 'question.edit' : 'question.approve', by, questionId,
      text !== undefined ? `${text}${notes.length ? ` [approved with: ${notes.join('; ')}]` : ''}` : null);
    return questionView(q);
  }

  /** The review time of a draft is up: it airs by itself or expires, as the room says. */
  async deadline(roomId: string, questionId: string, draftedAt: number): Promise<void> {
    const q = await this.d.store.get(roomId, questionId);
    if (!q || q.status !== 'draft' || q.draft?.draftedAt !== draftedAt) return;
    const room = await this.d.rooms.get(roomId);
    if (q.draft.autoAir) {
      await this.air(room, q, q.draft.lines, null);
      return;
    }
    q.status = 'expired';
    q.reason = 'nobody approved the answer in time';
    delete q.draft;
    await this.d.store.put(q);
    await this.d.emit(roomId, { kind: 'question', question: questionView(q) });
    await this.d.intake.tellAskers(roomId, questionId, { type: 'question.unanswered', questionId, reason: q.reason });
    await this.d.audit.record(roomId, 'question.expire', 'review-timeout', questionId);
  }

  /**
   * An edited answer passes the same output check as a written one before it can air
   * (moderation/): what it rejects never airs; what it flags the approving operator has seen,
   * and is noted in the audit log.
   */
  private async check(room: StoredRoom, lines: string[]): Promise<string[]> {
    const check = createOutputCheck(answerContext(room), { kb: await this.d.rooms.getKb(room.id) });
    const notes: string[] = [];
    for (const line of lines) {
      const v = await check.check(line);
      if (v.ok) continue;
      if (v.action === 'reject') throw new ProtocolError('rejected', `the edited answer was refused (${v.reason}: ${v.detail})`);
      notes.push(`${v.reason}: ${v.detail}`);
    }
    return notes;
  }

  /** Puts approved lines on their way to air: the director expects them, tts voices them. */
  private async air(room: StoredRoom, q: NonNullable<Awaited<ReturnType<QuestionStore['get']>>>, lines: string[], by: string | null): Promise<void> {
    q.status = 'queued';
    q.approvedBy = by;
    delete q.draft;
    await this.d.store.put(q);
    await this.d.emit(room.id, { kind: 'question', question: questionView(q) });
    // Its age counts from the approval: a reviewed answer is not stale for having waited for review.
    await this.d.expectAnswer(room.id, q.questionId, Date.now());
    for (let index = 0; index < lines.length; index++) {
      const job: TtsJobData = {
        room: room.id, segmentId: `${q.questionId}.${index}`, answerId: q.questionId, questionId: q.questionId, index,
        final: index === lines.length - 1, text: lines[index]!, language: room.language, voice: room.voice, priority: 'answer',
        ...(by ? { requestedBy: by } : {}),
      };
      await this.d.queues.say(job);
    }
  }
}
