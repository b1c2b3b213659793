import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { CommandId, EntityId, HostId, MessageId, RoleSchema, RoomId, Seq } from './common.js';
import { AvatarCommand, AvatarLook, VisualCommand } from './avatar.js';
import { SayRequest, SpeechSegment, VoiceSelection } from './speech.js';
import { ErrorCodeSchema, ErrorFrame } from './errors.js';
import { Language } from './common.js';
import { LineSource, Material, ShowCommand, ShowState } from './show.js';
import { AnswerDraft, ChatMessage, NewsroomCommand } from './newsroom.js';
import { SegmentPriority, WordTiming } from './speech.js';
import { LineTiming, StageDuration } from './timing.js';

/** Bumped on any incompatible change to a message below. */
export const PROTOCOL_VERSION = 1;

const msg = <T extends string, P extends Record<string, TSchema>>(type: T, props: P) =>
  Type.Object({ type: Type.Literal(type), ...props }, { additionalProperties: false });

// Client → server messages carry a client-chosen `id`; the server's reply carries it as `ref`.
const clientMsg = <T extends string, P extends Record<string, TSchema>>(type: T, props: P) =>
  msg(type, { id: MessageId, ...props });

// Server → client messages that are part of the session's ordered stream carry `seq`,
// which a reconnecting client sends back as `lastSeq` to get what it missed.
const serverMsg = <T extends string, P extends Record<string, TSchema>>(type: T, props: P) =>
  msg(type, { seq: Seq, ...props });

/* ---------- shared ---------- */

export const Ping = clientMsg('ping', {});
export const Pong = msg('pong', { ref: MessageId, serverTime: Type.Number() });

export const Welcome = msg('welcome', {
  protocol: Type.Integer(),
  sessionId: EntityId,
  instanceId: Type.String(),
  role: RoleSchema,
  /** True when this socket resumed an earlier session and missed messages follow. */
  resumed: Type.Boolean(),
  /** Seq of the last message already sent on this session (the next is lastSeq+1). */
  lastSeq: Seq,
});
export type Welcome = Static<typeof Welcome>;

/** Generic acceptance of a client message. */
export const Ack = serverMsg('ack', { ref: MessageId });

/** Sent before the server closes a socket on shutdown: reconnect, with the same session. */
export const Reconnect = msg('reconnect', { reason: Type.String(), afterMs: Type.Integer({ minimum: 0 }) });

/* ---------- room events (to operators) ---------- */

/**
 * review: waiting for an operator to approve the question · draft: its answer is drafted
 * and waits for approval · answered: the render host reported the whole answer spoken ·
 * dropped: it will not air (cut, stale, the show stopped) · expired: its draft was never
 * approved in time · duplicate: grouped with an earlier question (only in acks).
 */
export const QuestionStatus = Type.Union([
  Type.Literal('queued'), Type.Literal('review'), Type.Literal('duplicate'), Type.Literal('draft'),
  Type.Literal('answering'), Type.Literal('answered'), Type.Literal('rejected'), Type.Literal('dropped'), Type.Literal('expired'),
]);
export type QuestionStatus = Static<typeof QuestionStatus>;

export const ViewerUser = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 128 }),
  name: Type.String({ minLength: 1, maxLength: 64 }),
}, { additionalProperties: false });

export const QuestionInfo = Type.Object({
  questionId: EntityId,
  room: RoomId,
  user: ViewerUser,
  text: Type.String(),
  status: QuestionStatus,
  /** How many viewers asked the same question (duplicates are grouped). */
  askedBy: Type.Integer({ minimum: 1 }),
  receivedAt: Type.Number(),
  /** The answer as the render host reported it spoken (status answered). */
  answer: Type.Optional(Type.String()),
  /** Why it will not be answered on air (status dropped, rejected, expired). */
  reason: Type.Optional(Type.String()),
  /** Where it stands in the waiting queue: askers, age, the operator's pin and boosts. */
  score: Type.Optional(Type.Number()),
  pinned: Type.Optional(Type.Boolean()),
  boost: Type.Optional(Type.Integer()),
  /** The first few askers' names, for the operator and the answer's credit. */
  askers: Type.Optional(Type.Array(Type.String(), { maxItems: 5 })),
  /** The drafted answer waiting for review (status draft). */
  draft: Type.Optional(AnswerDraft),
  /** Folded into another group by an operator. */
  mergedInto: Type.Optional(EntityId),
}, { additionalProperties: false });
export type QuestionInfo = Static<typeof QuestionInfo>;

export const RoomEvent = Type.Union([
  Type.Object({ kind: Type.Literal('question'), question: QuestionInfo }, { additionalProperties: false }),
  Type.Object({
    kind: Type.Literal('answer.sentence'), questionId: Type.Optional(EntityId),
    segmentId: EntityId, segmentSeq: Seq, text: Type.String(), final: Type.Boolean(),
  }, { additionalProperties: false }),
  // A line the render host reported on air: the line's words let a console follow along.
  Type.Object({
    kind: Type.Literal('speech.started'), segmentId: EntityId, mediaTimeMs: Type.Number(), hostId: HostId,
    lineId: Type.Optional(EntityId), text: Type.Optional(Type.String()), words: Type.Optional(Type.Array(WordTiming)),
    priority: Type.Optional(SegmentPriority), source: Type.Optional(LineSource), durationMs: Type.Optional(Type.Number()),
    questionId: Type.Optional(EntityId),
  }, { additionalProperties: false }),
  Type.Object({
    kind: Type.Literal('speech.finished'), segmentId: EntityId, mediaTimeMs: Type.Number(),
    interrupted: Type.Boolean(), hostId: HostId, lineId: Type.Optional(EntityId),
  }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('show.state'), show: ShowState }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('chat'), message: ChatMessage }, { additionalProperties: false }),
  /** The room's recent chat, sent to an operator when it subscribes. */
  Type.Object({ kind: Type.Literal('chat.history'), messages: Type.Array(ChatMessage) }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('material'), material: Material }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('material.deleted'), materialId: Type.String() }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('rundown'), version: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
  /** Something the director could not do (a material that failed, a cue it could not meet). */
  Type.Object({
    kind: Type.Literal('notice'), level: Type.Union([Type.Literal('info'), Type.Literal('warn')]), message: Type.String(),
  }, { additionalProperties: false }),
  Type.Object({
    kind: Type.Literal('host'), hostId: Type.Union([HostId, Type.Null()]),
    state: Type.Union([Type.Literal('placed'), Type.Literal('waiting'), Type.Literal('lost')]),
  }, { additionalProperties: false }),
  Type.Object({
    kind: Type.Literal('stream'), state: Type.Union([Type.Literal('live'), Type.Literal('offline')]),
  }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('rejected'), text: Type.String(), reason: Type.String() }, { additionalProperties: false }),
  /**
   * Where a line that went on air spent its time, once per line (issue 15): its stamps from
   * the question (or the say) to the gateway's program feed, and the stages between them.
   */
  Type.Object({
    kind: Type.Literal('speech.timing'), segmentId: EntityId, hostId: HostId,
    timing: LineTiming, stages: Type.Array(StageDuration, { maxItems: 20 }),
    /** From the first stamp to the last. */
    totalMs: Type.Number(),
  }, { additionalProperties: false }),
  /**
   * A render host acknowledged an operator's avatar command: what the avatar shows now, for
   * every operator of the room (the sender also gets its command.ack). `by` is the sender's token id.
   */
  Type.Object({
    kind: Type.Literal('avatar'), command: VisualCommand, by: EntityId, hostId: HostId,
  }, { additionalProperties: false }),
]);
export type RoomEvent = Static<typeof RoomEvent>;

/* ---------- operator ---------- */

export const OperatorSubscribe = clientMsg('room.subscribe', { room: RoomId });
export const OperatorUnsubscribe = clientMsg('room.unsubscribe', { room: RoomId });
export const OperatorCommand = clientMsg('command', { room: RoomId, command: AvatarCommand });
export const OperatorSay = clientMsg('say', { room: RoomId, ...SayRequest.properties });
export const OperatorApprove = clientMsg('question.approve', {
  room: RoomId, questionId: EntityId,
  /** An edited answer (review mode answers/tiered): it airs instead of the draft, after the output check. */
  text: Type.Optional(Type.String({ minLength: 1, maxLength: 4000 })),
});
export const OperatorReject = clientMsg('question.reject', {
  room: RoomId, questionId: EntityId, reason: Type.Optional(Type.String({ maxLength: 200 })),
});

/** Show transport and queue control: `{type: <command name>, id, room, ...its fields}`. */
export const OperatorShowMessages = ShowCommand.anyOf.map((member) => {
  const { name, ...fields } = member.properties;
  return clientMsg(name.const, { room: RoomId, ...fields });
});

/** Newsroom commands the same way: pin, boost, merge, ban, unban, promote a chat message. */
export const OperatorNewsroomMessages = NewsroomCommand.anyOf.map((member) => {
  const { name, ...fields } = member.properties;
  return clientMsg(name.const, { room: RoomId, ...fields });
});

export const OperatorToServer = Type.Union([
  Ping, OperatorSubscribe, OperatorUnsubscribe, OperatorCommand, OperatorSay, OperatorApprove, OperatorReject,
  ...OperatorShowMessages, ...OperatorNewsroomMessages,
]);
export type OperatorToServer = Static<typeof OperatorToServer>;

/** The render host's acknowledgement of an operator command, relayed end to end. */
export const CommandAckToOperator = serverMsg('command.ack', {
  ref: MessageId, room: RoomId, hostId: HostId, ok: Type.Boolean(),
  error: Type.Optional(Type.String()),
  /** Set when the server answers for a host that did not: `host_timeout`. */
  code: Type.Optional(ErrorCodeSchema),
});
export const RoomEventFrame = serverMsg('room.event', { room: RoomId, event: RoomEvent });

export const ServerToOperator = Type.Union([
  Welcome, Pong, Ack, Reconnect, ErrorFrame, CommandAckToOperator, RoomEventFrame,
]);
export type ServerToOperator = Static<typeof ServerToOperator>;

/* ---------- render host ---------- */

export const HostCapabilities = Type.Object({
  renderer: Type.Union([Type.Literal('reference'), Type.Literal('external')]),
  resolutions: Type.Array(Type.Union([Type.Literal('720p'), Type.Literal('1080p')]), { minItems: 1 }),
  encoders: Type.Array(Type.String({ maxLength: 32 }), { minItems: 1, maxItems: 8 }),
  version: Type.Optional(Type.String({ maxLength: 32 })),
}, { additionalProperties: false });
export type HostCapabilities = Static<typeof HostCapabilities>;

export const HostRegister = clientMsg('host.register', {
  /** How many rooms this host can render at once. */
  capacity: Type.Integer({ minimum: 0, maximum: 64 }),
  capabilities: HostCapabilities,
  /** Capacity kept for failover: rooms move here when their host is lost, never placed here first. */
  standby: Type.Optional(Type.Boolean()),
});
export const HostHeartbeat = clientMsg('host.heartbeat', {
  rooms: Type.Array(RoomId, { maxItems: 64 }),
  cpu: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  fps: Type.Optional(Type.Number({ minimum: 0, maximum: 240 })),
});
export const HostCommandAck = clientMsg('command.ack', {
  /** The `commandId` of the relayed command. */
  ref: CommandId, room: RoomId, ok: Type.Boolean(), error: Type.Optional(Type.String({ maxLength: 500 })),
});
export const HostSpeechStarted = clientMsg('speech.started', {
  room: RoomId, segmentId: EntityId, mediaTimeMs: Type.Number({ minimum: 0 }),
  /** The line's first frame's timestamp in the stream the host publishes (ms), when it knows. */
  streamTimeMs: Type.Optional(Type.Number({ minimum: 0 })),
});
/**
 * The line's timing record as the host got it, with its own stamps added: sent once its
 * first audio packet has left the encoder (or that was not seen in time).
 */
export const HostSpeechTiming = clientMsg('speech.timing', {
  room: RoomId, segmentId: EntityId, timing: LineTiming,
});
export const HostSpeechFinished = clientMsg('speech.finished', {
  room: RoomId, segmentId: EntityId, mediaTimeMs: Type.Number({ minimum: 0 }), interrupted: Type.Boolean(),
});

export const RenderHostToServer = Type.Union([
  Ping, HostRegister, HostHeartbeat, HostCommandAck, HostSpeechStarted, HostSpeechFinished, HostSpeechTiming,
]);
export type RenderHostToServer = Static<typeof RenderHostToServer>;

export const PublishTarget = Type.Object({
  /** RTMP URL without the key, e.g. rtmp://127.0.0.1:1935/live */
  url: Type.String(),
  /** Stream name carrying the room's signed publish key; a secret. */
  streamKey: Type.String(),
}, { additionalProperties: false });
export type PublishTarget = Static<typeof PublishTarget>;

export const RoomAssign = serverMsg('room.assign', {
  room: RoomId, look: AvatarLook, language: Language, voice: VoiceSelection, publish: PublishTarget,
});
export const RoomRelease = serverMsg('room.release', { room: RoomId });
export const CommandToHost = serverMsg('command', { commandId: CommandId, room: RoomId, command: AvatarCommand });
export const SpeechSegmentFrame = serverMsg('speech.segment', { segment: SpeechSegment });
/**
 * The director takes segments back: the playing one (if named) is cut on the next frame,
 * queued ones are dropped, unknown ones are refused when they arrive. No ack: the host's
 * speech reports say what happened.
 */
export const SpeechStopFrame = serverMsg('speech.stop', { room: RoomId, segmentIds: Type.Array(EntityId, { minItems: 1, maxItems: 100 }) });

export const ServerToRenderHost = Type.Union([
  Welcome, Pong, Ack, Reconnect, ErrorFrame, RoomAssign, RoomRelease, CommandToHost, SpeechSegmentFrame, SpeechStopFrame,
]);
export type ServerToRenderHost = Static<typeof ServerToRenderHost>;

/* ---------- bot ---------- */

export const BotQuestion = clientMsg('question', {
  /** Optional: a bot token is scoped to one room; if given it must match. */
  room: Type.Optional(RoomId),
  user: ViewerUser,
  text: Type.String({ minLength: 1, maxLength: 500 }),
});
export const BotChat = clientMsg('chat', {
  room: Type.Optional(RoomId),
  user: ViewerUser,
  text: Type.String({ minLength: 1, maxLength: 500 }),
  /** Where the bot read it (youtube, twitch, tiktok…). */
  platform: Type.Optional(Type.String({ minLength: 1, maxLength: 32, pattern: '^[A-Za-z0-9._-]+$' })),
});
export const BotToServer = Type.Union([Ping, BotQuestion, BotChat]);
export type BotToServer = Static<typeof BotToServer>;

export const QuestionAck = serverMsg('question.ack', {
  ref: MessageId, questionId: EntityId, status: QuestionStatus,
});
/** Sent once the render host reported the whole answer spoken. */
export const QuestionAnswered = serverMsg('question.answered', {
  questionId: EntityId, text: Type.String(),
});
/** The question will not be answered on air (interrupted, dropped as stale, the show stopped…). */
export const QuestionUnanswered = serverMsg('question.unanswered', {
  questionId: EntityId, reason: Type.String(),
});
export const ServerToBot = Type.Union([Welcome, Pong, Ack, Reconnect, ErrorFrame, QuestionAck, QuestionAnswered, QuestionUnanswered]);
export type ServerToBot = Static<typeof ServerToBot>;

/* ---------- the per-role directions ---------- */

export const CLIENT_ROLES = ['operator', 'render-host', 'bot'] as const;
export type ClientRole = (typeof CLIENT_ROLES)[number];

export const INBOUND: Record<ClientRole, TSchema> = {
  operator: OperatorToServer,
  'render-host': RenderHostToServer,
  bot: BotToServer,
};
export const OUTBOUND: Record<ClientRole, TSchema> = {
  operator: ServerToOperator,
  'render-host': ServerToRenderHost,
  bot: ServerToBot,
};

export type InboundFor<R extends ClientRole> = R extends 'operator' ? OperatorToServer
  : R extends 'render-host' ? RenderHostToServer : BotToServer;
export type OutboundFor<R extends ClientRole> = R extends 'operator' ? ServerToOperator
  : R extends 'render-host' ? ServerToRenderHost : ServerToBot;
