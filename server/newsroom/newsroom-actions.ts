import type { NewsroomCommand, QuestionInfo } from '../../protocol/index.js';
import { ProtocolError } from '../auth/auth-error.js';
import type { ServerCore } from '../core.js';
import { viewerText, viewerUser } from '../text-intake.js';

/**
 * What an operator does to the newsroom, the same over the WebSocket and REST: approve
 * (a question, or a drafted answer, possibly edited), reject, pin, boost, merge, ban,
 * unban, promote a chat message. Every action is in the room's audit log.
 */
export async function approve(core: ServerCore, room: string, questionId: string, by: string, text?: string): Promise<QuestionInfo> {
  const q = await core.questions.get(room, questionId);
  if (q.status === 'draft') return core.review.approve(room, questionId, by, text);
  if (text !== undefined) throw new ProtocolError('conflict', `question ${questionId} has no drafted answer to edit (it is ${q.status})`);
  return core.questions.decideQuestion(room, questionId, true, by);
}

export async function reject(core: ServerCore, room: string, questionId: string, by: string, reason?: string): Promise<void> {
  const q = await core.questions.get(room, questionId);
  if (!['review', 'queued', 'draft'].includes(q.status)) throw new ProtocolError('conflict', `question ${questionId} is ${q.status}`);
  await core.questions.reject(q, by, reason ?? 'rejected by an operator');
}

export async function runNewsroomCommand(core: ServerCore, room: string, cmd: NewsroomCommand, by: string): Promise<unknown> {
  switch (cmd.name) {
    case 'question.pin':
      return core.questions.pin(room, cmd.questionId, cmd.pinned, by);
    case 'question.boost':
      return core.questions.boost(room, cmd.questionId, cmd.by, by);
    case 'question.merge':
      return core.questions.merge(room, cmd.questionId, cmd.into, by);
    case 'user.ban':
      await core.bans.ban(room, { userId: cmd.userId, name: cmd.userName ?? null, reason: cmd.reason ?? null, by, at: Date.now() });
      await core.audit.record(room, 'user.ban', by, cmd.userId, cmd.reason ?? null);
      return { banned: cmd.userId };
    case 'user.unban':
      if (!(await core.bans.unban(room, cmd.userId))) throw new ProtocolError('not_found', `${cmd.userId} is not banned in ${room}`);
      await core.audit.record(room, 'user.unban', by, cmd.userId);
      return { unbanned: cmd.userId };
    case 'chat.promote': {
      const m = await core.chat.find(room, cmd.messageId);
      const result = await core.questions.ask(room, viewerUser(m.user), viewerText(m.text), m.via ?? undefined);
      await core.audit.record(room, 'chat.promote', by, cmd.messageId, result.questionId);
      return result;
    }
  }
}
