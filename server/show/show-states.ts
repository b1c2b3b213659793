import type { LineState, SegmentRunState, ShowStateName } from '../../protocol/index.js';

/**
 * Every state a room's show, a rundown segment and a speech line can be in, and the moves
 * between them, written once. The runner and the queue change state only through
 * `move`, so an impossible move is a bug that throws, not a silent corruption.
 */
export const SHOW_MOVES: Record<ShowStateName, readonly ShowStateName[]> = {
  // idle: a rundown exists, nothing started.
  idle: ['running', 'waiting', 'ended'],
  // running: the rundown is playing items.
  running: ['running', 'waiting', 'holding', 'ended'],
  // waiting: for the operator's go (manual segment), a hard cue's time, or a material.
  waiting: ['running', 'waiting', 'holding', 'ended'],
  // holding: the operator held; the line on air finishes, nothing new of the rundown starts.
  holding: ['running', 'waiting', 'holding', 'ended'],
  // ended: show.stop, or the last segment finished; go starts again from the top.
  ended: ['running', 'waiting', 'ended', 'idle'],
};

export const SEGMENT_MOVES: Record<SegmentRunState, readonly SegmentRunState[]> = {
  pending: ['running', 'skipped'],
  running: ['done', 'skipped', 'pending'],
  done: ['running', 'pending'],
  skipped: ['running', 'pending'],
};

/**
 * waiting: on the server's queue · sent: handed to the render host, not yet started ·
 * playing: the host reported it started · finished / interrupted: the host reported its
 * end (interrupted: cut before its end) · dropped: removed before it aired.
 * A sent or playing line goes back to waiting when its host is lost or it is preempted,
 * and airs again under a new air id — unless the host then reports the earlier airing
 * finished whole (the take-back came too late), which makes it finished.
 */
export const LINE_MOVES: Record<LineState, readonly LineState[]> = {
  // waiting → finished: a line taken back too late, which the host had aired whole after all.
  waiting: ['sent', 'dropped', 'finished'],
  sent: ['playing', 'waiting', 'dropped', 'finished', 'interrupted'],
  playing: ['finished', 'interrupted', 'waiting'],
  finished: [],
  interrupted: [],
  dropped: [],
};

export class IllegalMoveError extends Error {
  override readonly name = 'IllegalMoveError';
}

export function move<S extends string>(table: Record<S, readonly S[]>, what: string, from: S, to: S): S {
  if (!table[from].includes(to)) throw new IllegalMoveError(`${what}: ${from} → ${to} is not a legal move`);
  return to;
}

export const isLineDone = (s: LineState): boolean => s === 'finished' || s === 'interrupted' || s === 'dropped';
