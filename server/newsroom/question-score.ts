import type { QuestionInfo } from '../../protocol/index.js';

/**
 * Where a waiting group stands: more askers and a longer wait raise it, an operator's
 * boosts move it by steps, a pin puts it first. Age counts for at most ten minutes, so an
 * old question never outranks what the audience is asking now in numbers.
 */
export function questionScore(q: Pick<QuestionInfo, 'askedBy' | 'receivedAt' | 'boost' | 'pinned'>, now: number): number {
  const ageMin = Math.min(10, Math.max(0, (now - q.receivedAt) / 60_000));
  return Math.round((10 * q.askedBy + 3 * ageMin + 15 * (q.boost ?? 0) + (q.pinned ? 1000 : 0)) * 10) / 10;
}

/** BullMQ priority from a score: lower runs first; 1..2,000,000 as BullMQ allows. */
export function bullPriority(score: number): number {
  return Math.min(2_000_000, Math.max(1, Math.round(100_000 - score * 10)));
}

/** The states in which a group still waits to be answered (and new askers may join it). */
export const WAITING: ReadonlySet<QuestionInfo['status']> = new Set(['queued', 'review', 'draft', 'answering']);
