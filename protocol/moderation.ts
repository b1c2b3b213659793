import { Type, type Static } from '@sinclair/typebox';
import { EntityId, RoomId } from './common.js';

/**
 * Verdicts of the moderation library (`moderation/`): the output check on answer lines and
 * viewer-text moderation on questions and chat. They are here so the newsroom's events,
 * the qa job's result and the rejection log can carry them as they are.
 */

/** Why an answer line was held back (output check, or the moderation provider). */
export const OUTPUT_REASONS = ['blocklist', 'length', 'link', 'email', 'markup', 'price', 'moderation'] as const;
export const OutputReason = Type.Union(OUTPUT_REASONS.map((r) => Type.Literal(r)));
export type OutputReason = Static<typeof OutputReason>;

/**
 * reject: never airs. flag: for a human — in the review modes the newsroom holds the answer
 * for an operator; in `auto` a flag counts as a reject.
 */
export const ModerationAction = Type.Union([Type.Literal('reject'), Type.Literal('flag')]);
export type ModerationAction = Static<typeof ModerationAction>;

export const OutputVerdict = Type.Union([
  Type.Object({ ok: Type.Literal(true) }, { additionalProperties: false }),
  Type.Object({
    ok: Type.Literal(false),
    reason: OutputReason,
    /** For the operator and the logs: what was found ("states $59; the knowledge base has 79"). */
    detail: Type.String({ maxLength: 500 }),
    action: ModerationAction,
  }, { additionalProperties: false }),
]);
export type OutputVerdict = Static<typeof OutputVerdict>;
export type OutputRefusal = Extract<OutputVerdict, { ok: false }>;

/** Why a viewer's question or chat message was refused; the newsroom counts these per room. */
export const VIEWER_TEXT_REASONS = ['too_short', 'too_long', 'repeated', 'links', 'caps', 'emoji'] as const;
export const ViewerTextReason = Type.Union(VIEWER_TEXT_REASONS.map((r) => Type.Literal(r)));
export type ViewerTextReason = Static<typeof ViewerTextReason>;

export const ViewerTextVerdict = Type.Union([
  /** `text`: the message as it should be used from here on (sanitized, repeats collapsed). */
  Type.Object({ ok: Type.Literal(true), text: Type.String() }, { additionalProperties: false }),
  Type.Object({ ok: Type.Literal(false), reason: ViewerTextReason, detail: Type.String({ maxLength: 200 }) }, { additionalProperties: false }),
]);
export type ViewerTextVerdict = Static<typeof ViewerTextVerdict>;

/**
 * One entry of a room's rejection log (`redisKeys(prefix).rejections(room)`, a Redis stream
 * capped at about REJECTION_LOG_MAX entries): every answer line the output check or the
 * moderation provider held back or flagged. Stream fields are these, as strings.
 */
export const RejectionRecord = Type.Object({
  room: RoomId,
  questionId: EntityId,
  /** The line's place in the answer (0 = first); the fallback line is 0. */
  index: Type.Integer({ minimum: 0 }),
  reason: OutputReason,
  action: ModerationAction,
  detail: Type.String({ maxLength: 500 }),
  text: Type.String({ maxLength: 4000 }),
  /** ms since epoch. */
  at: Type.Number(),
}, { additionalProperties: false });
export type RejectionRecord = Static<typeof RejectionRecord>;

/** Redis streams are capped approximately (MAXLEN ~): a few more entries may be kept. */
export const REJECTION_LOG_MAX = 1000;

/** A RejectionRecord as stream fields (`XADD … field value …`): every value a string. */
export function rejectionFields(record: RejectionRecord): string[] {
  return Object.entries(record).flatMap(([field, value]) => [field, String(value)]);
}

/**
 * A stream entry's fields back as a RejectionRecord (numbers parsed). Readers validate the
 * result against `RejectionRecord` before they trust it.
 */
export function rejectionFromFields(fields: readonly string[]): RejectionRecord {
  const o: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) o[fields[i]!] = fields[i + 1]!;
  return {
    room: o.room ?? '', questionId: o.questionId ?? '', index: Number(o.index), reason: o.reason as OutputReason,
    action: o.action as ModerationAction, detail: o.detail ?? '', text: o.text ?? '', at: Number(o.at),
  };
}
