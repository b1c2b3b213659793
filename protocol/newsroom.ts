import { Type, type Static } from '@sinclair/typebox';
import { EntityId, RoomId } from './common.js';
import { LineSource } from './show.js';
import { SegmentPriority } from './speech.js';

/**
 * The newsroom: what viewers send (chat, questions), how it is triaged (moderation,
 * grouping by meaning, priority, review), and the record of what aired (as-run) and of
 * what operators did (audit). Usable over REST and the operator WebSocket alike.
 */

/** How a room's answers reach air. */
export const REVIEW_MODES = ['auto', 'questions', 'answers', 'tiered'] as const;
export const ReviewMode = Type.Union(REVIEW_MODES.map((m) => Type.Literal(m)), {
  description: 'auto: answered at once · questions: an operator approves each question · answers: each drafted answer waits for approval · tiered: confident knowledge-base answers air at once, the rest wait',
});
export type ReviewMode = Static<typeof ReviewMode>;

export const ChatUser = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 128 }),
  name: Type.String({ minLength: 1, maxLength: 64 }),
}, { additionalProperties: false });

export const ChatMessage = Type.Object({
  messageId: EntityId,
  room: RoomId,
  user: ChatUser,
  text: Type.String(),
  /** Where the bot read it (youtube, twitch, tiktok…), if it says. */
  platform: Type.Union([Type.String({ maxLength: 32 }), Type.Null()]),
  at: Type.Number(),
}, { additionalProperties: false });
export type ChatMessage = Static<typeof ChatMessage>;

/** What the knowledge base or model based a drafted answer on. */
export const AnswerSourceInfo = Type.Object({
  kind: Type.Union([Type.Literal('kb'), Type.Literal('openai'), Type.Literal('fallback')]),
  /** The knowledge-base question or fact the answer came from, when there is one. */
  text: Type.Union([Type.String(), Type.Null()]),
  confidence: Type.Union([Type.Number(), Type.Null()]),
}, { additionalProperties: false });
export type AnswerSourceInfo = Static<typeof AnswerSourceInfo>;

/** A check that asks for a person (or refused a line), as operators see it. */
export const CheckNote = Type.Object({
  reason: Type.String(),
  detail: Type.String(),
  action: Type.Union([Type.Literal('reject'), Type.Literal('flag')]),
  line: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
}, { additionalProperties: false });
export type CheckNote = Static<typeof CheckNote>;

/** An answer drafted in full and waiting for an operator (review modes answers, tiered). */
export const AnswerDraft = Type.Object({
  lines: Type.Array(Type.String()),
  provider: Type.Union([Type.Literal('kb'), Type.Literal('openai')]),
  sources: Type.Array(AnswerSourceInfo),
  notes: Type.Array(CheckNote),
  draftedAt: Type.Number(),
  /** When it airs by itself (autoAir) or expires, if the room has a review timeout. */
  decideBy: Type.Union([Type.Number(), Type.Null()]),
  autoAir: Type.Boolean(),
}, { additionalProperties: false });
export type AnswerDraft = Static<typeof AnswerDraft>;

/* ---------- the as-run log and the audit ---------- */

export const AsRunEntry = Type.Object({
  /** Stream id: the log's order. */
  id: Type.String(),
  room: RoomId,
  /** The show run it belongs to (from its go), or null for a line outside a show. */
  showId: Type.Union([Type.String(), Type.Null()]),
  lineId: EntityId,
  text: Type.String(),
  priority: SegmentPriority,
  source: LineSource,
  questionId: Type.Union([EntityId, Type.Null()]),
  /** Who put it on air: the approving operator's token id, the saying operator's, or null (auto). */
  approvedBy: Type.Union([Type.String(), Type.Null()]),
  askers: Type.Integer({ minimum: 0 }),
  hostId: Type.String(),
  startedAt: Type.Number(),
  endedAt: Type.Number(),
  mediaStartMs: Type.Number(),
  mediaEndMs: Type.Number(),
  interrupted: Type.Boolean(),
  /** Where the line starts in the show's recording, ms (null when nothing was recording). */
  recordingId: Type.Union([Type.String(), Type.Null()]),
  recordingOffsetMs: Type.Union([Type.Number(), Type.Null()]),
}, { additionalProperties: false });
export type AsRunEntry = Static<typeof AsRunEntry>;

export const AsRunPage = Type.Object({
  entries: Type.Array(AsRunEntry),
  /** Pass as `after` for the next page; null at the end. */
  next: Type.Union([Type.String(), Type.Null()]),
}, { additionalProperties: false });

export const AUDIT_ACTIONS = [
  'question.approve', 'question.edit', 'question.reject', 'question.pin', 'question.boost', 'question.merge', 'question.expire',
  'user.ban', 'user.unban', 'chat.promote', 'speech.interrupt', 'speech.stop', 'say', 'transport',
] as const;
export const AuditEntry = Type.Object({
  id: Type.String(),
  room: RoomId,
  at: Type.Number(),
  action: Type.Union(AUDIT_ACTIONS.map((a) => Type.Literal(a))),
  /** The operator's token id (never the token). */
  by: Type.String(),
  target: Type.Union([Type.String(), Type.Null()]),
  detail: Type.Union([Type.String(), Type.Null()]),
}, { additionalProperties: false });
export type AuditEntry = Static<typeof AuditEntry>;

export const BannedUser = Type.Object({
  userId: Type.String({ minLength: 1, maxLength: 128 }),
  name: Type.Union([Type.String(), Type.Null()]),
  reason: Type.Union([Type.String({ maxLength: 200 }), Type.Null()]),
  by: Type.String(),
  at: Type.Number(),
}, { additionalProperties: false });
export type BannedUser = Static<typeof BannedUser>;

/* ---------- operator commands (WebSocket `{type, id, room, ...}` and REST) ---------- */

export const NewsroomCommand = Type.Union([
  Type.Object({ name: Type.Literal('question.pin'), questionId: EntityId, pinned: Type.Boolean() }, { additionalProperties: false }),
  /** Raises (or lowers) a question group's score by steps of the room's boost. */
  Type.Object({ name: Type.Literal('question.boost'), questionId: EntityId, by: Type.Integer({ minimum: -10, maximum: 10 }) }, { additionalProperties: false }),
  /** Folds one group into another: its askers hear the other's answer. */
  Type.Object({ name: Type.Literal('question.merge'), questionId: EntityId, into: EntityId }, { additionalProperties: false }),
  Type.Object({
    name: Type.Literal('user.ban'), userId: Type.String({ minLength: 1, maxLength: 128 }),
    userName: Type.Optional(Type.String({ maxLength: 64 })), reason: Type.Optional(Type.String({ maxLength: 200 })),
  }, { additionalProperties: false }),
  Type.Object({ name: Type.Literal('user.unban'), userId: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false }),
  Type.Object({ name: Type.Literal('chat.promote'), messageId: EntityId }, { additionalProperties: false }),
]);
export type NewsroomCommand = Static<typeof NewsroomCommand>;
export const NEWSROOM_COMMAND_NAMES = NewsroomCommand.anyOf.map((m) => m.properties.name.const) as Array<NewsroomCommand['name']>;

/** The knobs of a room's newsroom (part of RoomSettings). */
export const NewsroomSettings = {
  review: ReviewMode,
  /** Seconds an answer waits for review before it airs by itself (`reviewTimeoutAction` air) or expires; 0: it waits. */
  reviewTimeoutS: Type.Integer({ minimum: 0, maximum: 3600 }),
  reviewTimeoutAction: Type.Union([Type.Literal('air'), Type.Literal('expire')]),
  /** From this similarity (0..1) a new question joins a waiting or recent one; null: the engine's default. */
  groupThreshold: Type.Union([Type.Number({ exclusiveMinimum: 0, maximum: 1 }), Type.Null()]),
  /** Answers credit the askers ("Ana and 3 others asked…"). */
  creditAskers: Type.Boolean(),
  /** Chat messages kept for an operator who subscribes late. */
  chatHistory: Type.Integer({ minimum: 0, maximum: 1000 }),
  /** Days the as-run log keeps lines. */
  asRunRetentionDays: Type.Integer({ minimum: 1, maximum: 3650 }),
};

export const AsRunSourceKind = Type.Union([Type.Literal('rundown'), Type.Literal('answer'), Type.Literal('say'), Type.Literal('filler')]);
