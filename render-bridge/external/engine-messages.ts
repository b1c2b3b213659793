import { Type, type Static } from '@sinclair/typebox';
import { CommandId, EntityId, RoomId } from '../../protocol/index.js';

/** Version of the bridge ↔ engine link (EXTERNAL-RENDERER.md). */
export const ENGINE_PROTOCOL_VERSION = 1;

const msg = <T extends string, P extends Record<string, import('@sinclair/typebox').TSchema>>(type: T, props: P) =>
  Type.Object({ type: Type.Literal(type), ...props }, { additionalProperties: false });

/** What the engine may send the bridge. */
export const EngineToBridge = Type.Union([
  msg('command.ack', { commandId: CommandId, ok: Type.Boolean(), error: Type.Optional(Type.String({ maxLength: 500 })) }),
  msg('speech.started', { room: RoomId, segmentId: EntityId, mediaTimeMs: Type.Number({ minimum: 0 }) }),
  msg('speech.finished', {
    room: RoomId, segmentId: EntityId, mediaTimeMs: Type.Number({ minimum: 0 }), interrupted: Type.Boolean(),
  }),
  msg('stats', { room: RoomId, fps: Type.Number({ minimum: 0, maximum: 240 }) }),
]);
export type EngineToBridge = Static<typeof EngineToBridge>;
