import type { Static } from '@sinclair/typebox';
import type { AvatarCommand, AvatarLook, VisualCommand } from '../../../protocol/avatar.js';
import type { QuestionInfo, QuestionStatus, RoomEvent } from '../../../protocol/messages.js';
import type { RoomView } from '../../../protocol/rest.js';
import type { Material, ShowState } from '../../../protocol/show.js';
import type { ChatMessage } from '../../../protocol/newsroom.js';
import type { WordTiming } from '../../../protocol/speech.js';

/**
 * What the console knows about one room, folded from REST snapshots and room events.
 * Every list is bounded: a console left open through a long show holds the recent past,
 * not all of it.
 */
export const LIMITS = { questions: 300, lines: 150, rejected: 50, notices: 50, chat: 300 } as const;

export type LineState = 'sent' | 'playing' | 'done' | 'interrupted';

export interface SpokenLine {
  segmentId: string;
  /** The director's line id (a line can air under another segment id than the one it was queued with). */
  lineId?: string;
  text: string;
  questionId?: string;
  state: LineState;
  /** Client clock (ms epoch) of each step, for the log. */
  sentAt: number;
  startedAt?: number;
  finishedAt?: number;
}

export interface OnAir {
  segmentId: string;
  text: string;
  words: WordTiming[];
  durationMs: number | null;
  /** performance.now() when the host's report arrived: the words are followed from here. */
  startedLocal: number;
}

/** What the render host confirmed it shows: this console's acknowledged commands and every operator's (room event `avatar`). */
export interface AvatarShown {
  look: AvatarLook | null;
  action: string | null;
  panel: { imageUrl: string; title?: string } | null;
  card: { title: string; price?: string } | null;
  caption: string;
  /** The latest change the host confirmed, whoever made it (token id; null: this console, before the room event came). */
  last: { command: VisualCommand; by: string | null; at: number } | null;
}

export interface RoomState {
  id: string;
  view: Static<typeof RoomView> | null;
  live: boolean;
  host: { hostId: string | null; state: 'placed' | 'waiting' | 'lost' } | null;
  questions: QuestionInfo[];
  lines: SpokenLine[];
  onAir: OnAir | null;
  rejected: Array<{ text: string; reason: string; at: number }>;
  show: ShowState | null;
  /** Client clock when `show` arrived: elapsed and countdowns run on from here (no clock skew). */
  showAt: number;
  materials: Record<string, Material>;
  materialsLoaded: boolean;
  rundownVersion: number | null;
  notices: Array<{ level: 'info' | 'warn'; message: string; at: number }>;
  /** The room's chat, bounded: what viewers say (after moderation). */
  chat: ChatMessage[];
  avatar: AvatarShown;
}

export function emptyRoom(id: string): RoomState {
  return {
    id, view: null, live: false, host: null, questions: [], lines: [], onAir: null, rejected: [], show: null, showAt: 0,
    materials: {}, materialsLoaded: false, rundownVersion: null, notices: [], chat: [],
    avatar: { look: null, action: null, panel: null, card: null, caption: '', last: null },
  };
}

/**
 * Questions only move forward; a snapshot read before an event can never undo it. A status
 * this console does not know yet counts as final.
 */
const RANK: Partial<Record<QuestionStatus, number>> = { review: 0, queued: 1, duplicate: 1, draft: 1.5, answering: 2 };
const rank = (s: QuestionStatus): number => RANK[s] ?? 3;

export function mergeQuestion(list: QuestionInfo[], q: QuestionInfo): QuestionInfo[] {
  const i = list.findIndex((x) => x.questionId === q.questionId);
  if (i < 0) return boundQuestions([...list, q].sort((a, b) => a.receivedAt - b.receivedAt));
  const old = list[i]!;
  const merged: QuestionInfo = rank(q.status) >= rank(old.status)
    ? { ...q, askedBy: Math.max(q.askedBy, old.askedBy) }
    : { ...old, askedBy: Math.max(q.askedBy, old.askedBy) };
  const next = list.slice();
  next[i] = merged;
  return next;
}

/** Waiting for an operator or for its turn: a question to approve, one queued, a drafted answer to review. */
export const isWaiting = (q: QuestionInfo): boolean => q.status === 'review' || q.status === 'queued' || q.status === 'draft';

/** Drops the oldest settled questions first; waiting ones go only when nothing else can. */
function boundQuestions(list: QuestionInfo[]): QuestionInfo[] {
  let excess = list.length - LIMITS.questions;
  if (excess <= 0) return list;
  const keep = list.filter((q) => {
    if (excess > 0 && !isWaiting(q)) {
      excess -= 1;
      return false;
    }
    return true;
  });
  return keep.slice(Math.max(0, keep.length - LIMITS.questions));
}

const tail = <T>(list: T[], max: number): T[] => (list.length > max ? list.slice(list.length - max) : list);

function upsertLine(lines: SpokenLine[], segmentId: string, patch: Partial<SpokenLine>, make: () => SpokenLine): SpokenLine[] {
  const i = lines.findIndex((l) => l.segmentId === segmentId);
  if (i < 0) return tail([...lines, { ...make(), ...patch }], LIMITS.lines);
  const next = lines.slice();
  next[i] = { ...next[i]!, ...patch };
  return next;
}

/** Folds one room event into the room's state (pure: returns a new state). */
export function applyEvent(room: RoomState, event: RoomEvent, now: number, perfNow: number): RoomState {
  switch (event.kind) {
    case 'question':
      return { ...room, questions: mergeQuestion(room.questions, event.question) };
    case 'answer.sentence':
      return {
        ...room,
        lines: upsertLine(room.lines, event.segmentId, { text: event.text }, () => ({
          segmentId: event.segmentId, text: event.text, state: 'sent', sentAt: now,
          ...(event.questionId ? { questionId: event.questionId } : {}),
        })),
      };
    case 'speech.started': {
      const known = room.lines.find((l) => l.segmentId === event.segmentId);
      const text = event.text ?? known?.text ?? '';
      return {
        ...room,
        lines: upsertLine(room.lines, event.segmentId, { state: 'playing', startedAt: now, ...(text ? { text } : {}), ...(event.lineId ? { lineId: event.lineId } : {}) }, () => ({
          segmentId: event.segmentId, text, state: 'playing', sentAt: now,
          ...(event.questionId ? { questionId: event.questionId } : {}),
        })),
        onAir: { segmentId: event.segmentId, text, words: event.words ?? [], durationMs: event.durationMs ?? null, startedLocal: perfNow },
      };
    }
    case 'speech.finished':
      return {
        ...room,
        lines: upsertLine(room.lines, event.segmentId, { state: event.interrupted ? 'interrupted' : 'done', finishedAt: now }, () => ({
          segmentId: event.segmentId, text: '', state: event.interrupted ? 'interrupted' : 'done', sentAt: now,
        })),
        onAir: room.onAir?.segmentId === event.segmentId ? null : room.onAir,
      };
    case 'host':
      return { ...room, host: { hostId: event.hostId, state: event.state } };
    case 'stream':
      return { ...room, live: event.state === 'live' };
    case 'rejected':
      return { ...room, rejected: tail([...room.rejected, { text: event.text, reason: event.reason, at: now }], LIMITS.rejected) };
    case 'show.state':
      return { ...room, show: event.show, showAt: now };
    case 'material':
      return { ...room, materials: { ...room.materials, [event.material.id]: event.material } };
    case 'material.deleted': {
      const { [event.materialId]: _gone, ...rest } = room.materials;
      return { ...room, materials: rest };
    }
    case 'rundown':
      return { ...room, rundownVersion: event.version };
    case 'notice':
      return { ...room, notices: tail([...room.notices, { level: event.level, message: event.message, at: now }], LIMITS.notices) };
    case 'chat':
      return room.chat.some((m) => m.messageId === event.message.messageId) ? room : { ...room, chat: tail([...room.chat, event.message], LIMITS.chat) };
    case 'avatar':
      return { ...room, avatar: { ...applyCommand(room.avatar, room.view?.look ?? null, event.command), last: { command: event.command, by: event.by, at: now } } };
    case 'chat.history': {
      const known = new Set(room.chat.map((m) => m.messageId));
      const merged = [...event.messages.filter((m) => !known.has(m.messageId)), ...room.chat].sort((a, b) => a.at - b.at);
      return { ...room, chat: tail(merged, LIMITS.chat) };
    }
    default:
      // An event this console does not show (a newer server's): nothing to fold.
      return room;
  }
}

/** A command the render host acknowledged: the console now knows the avatar shows it. */
export function applyCommand(avatar: AvatarShown, fallback: AvatarLook | null, command: AvatarCommand): AvatarShown {
  const look = avatar.look ?? fallback;
  switch (command.name) {
    case 'character':
      return look ? { ...avatar, look: { ...look, character: command.character } } : avatar;
    case 'scene':
      return look ? { ...avatar, look: { ...look, scene: command.scene } } : avatar;
    case 'camera':
      return look ? { ...avatar, look: { ...look, camera: command.camera } } : avatar;
    case 'action':
      return { ...avatar, action: command.action };
    case 'panel.show':
      return { ...avatar, panel: { imageUrl: command.imageUrl, ...(command.title ? { title: command.title } : {}) } };
    case 'panel.hide':
      return { ...avatar, panel: null };
    case 'card.show':
      return { ...avatar, card: { title: command.title, ...(command.price ? { price: command.price } : {}) } };
    case 'card.hide':
      return { ...avatar, card: null };
    case 'caption':
      return { ...avatar, caption: command.text };
    default:
      return avatar;
  }
}
