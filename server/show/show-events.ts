import { Type, type Static } from '@sinclair/typebox';
import { EntityId, HostId, LineSource, SegmentPriority, ShowCommand } from '../../protocol/index.js';

/**
 * What reaches a room's director, through the room's inbox (a Redis stream, so nothing
 * is lost while the room changes owner). Every server instance may write an event; only
 * the owner reads them, in order.
 */
export const ShowEvent = Type.Union([
  /** An operator's transport or queue command (WebSocket or REST); `by` routes the reply. */
  Type.Object({
    type: Type.Literal('op'), cmd: ShowCommand,
    by: Type.Union([Type.Object({
      /** Where the outcome goes: an operator session (ack / error frame on its stream) … */
      sessionId: Type.String(), ref: Type.String(), tokenId: Type.String(),
      /** … or a bus channel a REST request on some instance is waiting on. */
      replyTo: Type.Optional(Type.String()),
      /** An avatar `stop` command is answered as a command.ack, as the operator expects. */
      as: Type.Optional(Type.Union([Type.Literal('ack'), Type.Literal('command.ack')])),
    }, { additionalProperties: false }), Type.Null()]),
  }, { additionalProperties: false }),
  /** A line to air, synthesized: an answer's sentence or an operator's say. Its payload is stored under lineId. */
  Type.Object({
    type: Type.Literal('line.ready'), lineId: EntityId, answerId: EntityId, questionId: Type.Union([EntityId, Type.Null()]),
    index: Type.Integer({ minimum: 0 }), final: Type.Boolean(), priority: SegmentPriority, text: Type.String(),
    durationMs: Type.Number({ minimum: 0 }), source: LineSource,
  }, { additionalProperties: false }),
  /** A line that could not be synthesized: an answer goes on without it. */
  Type.Object({
    type: Type.Literal('line.failed'), answerId: EntityId, questionId: Type.Union([EntityId, Type.Null()]),
    index: Type.Integer({ minimum: 0 }), final: Type.Boolean(), reason: Type.String(),
  }, { additionalProperties: false }),
  /** The newsroom sent a question to be answered: the director expects its lines. */
  Type.Object({
    type: Type.Literal('answer.expected'), answerId: EntityId, questionId: EntityId, askedAt: Type.Number(),
  }, { additionalProperties: false }),
  Type.Object({
    type: Type.Literal('answer.end'), answerId: EntityId, lines: Type.Integer({ minimum: 0 }), reason: Type.Optional(Type.String()),
  }, { additionalProperties: false }),
  /** The newsroom (or an operator) calls an answer off. */
  Type.Object({ type: Type.Literal('answer.cancel'), answerId: EntityId, reason: Type.String() }, { additionalProperties: false }),
  Type.Object({
    type: Type.Literal('host.started'), airId: EntityId, hostId: HostId, mediaTimeMs: Type.Number(),
    streamTimeMs: Type.Optional(Type.Number()),
  }, { additionalProperties: false }),
  Type.Object({
    type: Type.Literal('host.finished'), airId: EntityId, hostId: HostId, mediaTimeMs: Type.Number(), interrupted: Type.Boolean(),
  }, { additionalProperties: false }),
  Type.Object({
    type: Type.Literal('host.changed'),
    host: Type.Union([Type.Object({ hostId: HostId, sessionId: Type.String() }, { additionalProperties: false }), Type.Null()]),
  }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('rundown.changed') }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('library.changed'), materialId: Type.Optional(Type.String()) }, { additionalProperties: false }),
]);
export type ShowEvent = Static<typeof ShowEvent>;
