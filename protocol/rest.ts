import { Type, type Static } from '@sinclair/typebox';
import { EntityId, HostId, Language, RoleSchema, RoomId } from './common.js';
import { AvatarLook } from './avatar.js';
import { NewsroomSettings } from './newsroom.js';
import { VoiceSelection } from './speech.js';
import { HostCapabilities } from './messages.js';

export const AnswerProvider = Type.Union([Type.Literal('kb'), Type.Literal('openai')]);

export const RoomSettings = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 120 }),
  ...NewsroomSettings,
  language: Language,
  /** The avatar's persona; the LLM's system prompt. */
  persona: Type.String({ maxLength: 4000 }),
  look: AvatarLook,
  voice: VoiceSelection,
  answers: AnswerProvider,
  /** Spoken when no confident answer exists. */
  fallbackLine: Type.String({ minLength: 1, maxLength: 500 }),
  /** Output check: lines matching any of these (case-insensitive regex sources) are never spoken. */
  blocklist: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 200 }),
  maxAnswerChars: Type.Integer({ minimum: 20, maximum: 4000 }),
  /** Output check: answers may speak URLs and e-mail addresses (off: such a line never airs). */
  allowLinks: Type.Boolean(),
  /** Seconds of audio the room may have waiting to air before new answers wait in the queue. */
  backlogLimitS: Type.Integer({ minimum: 5, maximum: 3600 }),
  /** An answer that has not started this many seconds after its question is dropped, not aired late. */
  answerStaleS: Type.Integer({ minimum: 5, maximum: 3600 }),
  /** A filler is not repeated within this many seconds. */
  fillerRepeatS: Type.Integer({ minimum: 0, maximum: 24 * 3600 }),
}, { additionalProperties: false });
export type RoomSettings = Static<typeof RoomSettings>;

// One flat object, not an intersection: Fastify's Ajv strips properties unknown to each
// member of an allOf, which would drop `id`.
export const CreateRoomBody = Type.Object(
  { id: RoomId, ...Type.Partial(RoomSettings).properties },
  { additionalProperties: false },
);
export type CreateRoomBody = Static<typeof CreateRoomBody>;

export const UpdateRoomBody = Type.Partial(RoomSettings);
export type UpdateRoomBody = Static<typeof UpdateRoomBody>;

export const RoomView = Type.Object({
  id: RoomId,
  ...RoomSettings.properties,
  createdAt: Type.Number(),
  hostId: Type.Union([HostId, Type.Null()]),
  live: Type.Boolean(),
});
export type RoomView = Static<typeof RoomView>;

export const RoomList = Type.Object({ rooms: Type.Array(RoomView) });

export const IssueTokenBody = Type.Object({
  role: RoleSchema,
  /** Rooms an operator, bot (exactly one) or viewer may act on; ['*'] for all (operators only). */
  rooms: Type.Optional(Type.Array(Type.Union([RoomId, Type.Literal('*')]), { maxItems: 100 })),
  /** Required for render-host tokens. */
  hostId: Type.Optional(HostId),
  ttlSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 365 * 24 * 3600 })),
  label: Type.Optional(Type.String({ maxLength: 120 })),
}, { additionalProperties: false });
export type IssueTokenBody = Static<typeof IssueTokenBody>;

export const TokenInfo = Type.Object({
  tokenId: EntityId,
  role: RoleSchema,
  rooms: Type.Array(Type.String()),
  hostId: Type.Union([HostId, Type.Null()]),
  label: Type.Union([Type.String(), Type.Null()]),
  expiresAt: Type.Number(),
  revoked: Type.Boolean(),
});
export type TokenInfo = Static<typeof TokenInfo>;

/** The only response that ever contains a token; it is not stored and cannot be read back. */
export const IssuedToken = Type.Object({ token: Type.String(), info: TokenInfo });

export const KbEntry = Type.Object({
  question: Type.String({ minLength: 1, maxLength: 500 }),
  answer: Type.String({ minLength: 1, maxLength: 2000 }),
}, { additionalProperties: false });
export type KbEntry = Static<typeof KbEntry>;

/**
 * Groups of terms or phrases that mean the same in this room: `[["shipping", "delivery"],
 * ["ANC", "active noise cancellation"]]`. Answers and question grouping treat any member
 * of a group as any other (matched on stems, so "delivered" finds "delivery").
 */
export const KbSynonyms = Type.Array(
  Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 2, maxItems: 20 }),
  { maxItems: 500 },
);
export type KbSynonyms = Static<typeof KbSynonyms>;

export const KnowledgeBase = Type.Object({
  qa: Type.Array(KbEntry, { maxItems: 5000 }),
  facts: Type.Array(Type.String({ minLength: 1, maxLength: 2000 }), { maxItems: 5000 }),
  synonyms: Type.Optional(KbSynonyms),
}, { additionalProperties: false });
export type KnowledgeBase = Static<typeof KnowledgeBase>;

export const AskBody = Type.Object({
  user: Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }), name: Type.String({ minLength: 1, maxLength: 64 }) }),
  text: Type.String({ minLength: 1, maxLength: 500 }),
}, { additionalProperties: false });
export type AskBody = Static<typeof AskBody>;

export const Accepted = Type.Object({ id: EntityId, status: Type.String() });

export const HostView = Type.Object({
  hostId: HostId,
  capacity: Type.Integer(),
  rooms: Type.Array(RoomId),
  capabilities: Type.Unknown(),
  lastSeen: Type.Number(),
  instanceId: Type.String(),
  /** From the host's last heartbeat: frames per second it renders, and its CPU load (0..1). */
  fps: Type.Optional(Type.Number()),
  cpu: Type.Optional(Type.Number()),
});
export const HostList = Type.Object({ hosts: Type.Array(HostView) });

/**
 * The render host of one room, as that room's operators see it (GET /api/rooms/:room/host):
 * its health and load, not the fleet and not the names of the other rooms it renders.
 */
export const RoomHostView = Type.Object({
  hostId: HostId,
  capabilities: HostCapabilities,
  capacity: Type.Integer(),
  roomCount: Type.Integer({ minimum: 0 }),
  lastSeen: Type.Number(),
  /** Its socket closed and it has not come back yet: its rooms move if it does not within the grace. */
  suspect: Type.Boolean(),
  fps: Type.Optional(Type.Number()),
  cpu: Type.Optional(Type.Number()),
});
/** `serverTime` dates `lastSeen` on the server's clock, so a console with a skewed clock still reads "seen 2 s ago". */
export const RoomHost = Type.Object({ host: Type.Union([RoomHostView, Type.Null()]), serverTime: Type.Number() });
export type RoomHost = Static<typeof RoomHost>;
