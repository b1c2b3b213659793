import { Type, type Static } from '@sinclair/typebox';
import { EntityId, Language, RoomId } from './common.js';
import { AudioRef, SegmentPriority, SpeechTimeline, VoiceSelection } from './speech.js';
import { AnswerProvider } from './rest.js';
import { AnswerSourceInfo, CheckNote } from './newsroom.js';
import { LineTiming } from './timing.js';

/**
 * What crosses process boundaries besides WebSocket frames: BullMQ queue names and job
 * payloads, and the Redis keys and channels that parts share. Every key is built here,
 * from validated ids, so no part invents a key another part has to guess.
 */
export const QUEUES = { qa: 'qa', tts: 'tts', segments: 'segments' } as const;

export function redisKeys(prefix: string) {
  const p = `${prefix}:`;
  return {
    /** JSON KnowledgeBase of a room (written by the server's REST, read by qa workers). */
    kb: (room: string) => `${p}room:${room}:kb`,
    /** Content-addressed audio asset index (asset store: key → metadata JSON). */
    asset: (key: string) => `${p}asset:${key}`,
    /** Pub/sub channel where the stream gateway reports publish / unpublish. */
    streamEvents: `${p}bus:stream`,
    /** Hash room → StreamEvent JSON of the rooms the gateway has live now (a late server reads it). */
    liveStreams: `${p}stream:live`,
    /** Hash destination id → StoredDestination JSON of a room (server REST writes, gateway reads). */
    destinations: (room: string) => `${p}room:${room}:destinations`,
    /** Pub/sub channel: DestinationsChanged, so gateways reload a room's destinations. */
    destinationEvents: `${p}bus:destinations`,
    /** Hash `<room>/<destination>` → DestinationHealth JSON, written by the forwarding gateway. */
    destinationHealth: `${p}stream:destination-health`,
    /** Pub/sub channel: TimedMetadataEvent, a caption or card to show when its segment starts (gateways → IVS PutMetadata, preview). */
    timedMetadata: `${p}bus:timed-metadata`,
    /** Hash `seg:<segmentId>` / `q:<questionId>` → what a timed-metadata event will need once the segment starts (server only). */
    timedMetadataStash: (room: string) => `${p}room:${room}:timed-metadata`,
    /**
     * Hash room → `{id, startedAt, firstTs}` of the recording the gateway is making now: its
     * wall-clock start and the program timestamp of its first frame (the as-run log's offsets).
     */
    recordingsLive: `${p}stream:recording`,
    /** Hash room → `{offset}`: program timestamp − the publisher's timestamp, for the live input now. */
    programLive: `${p}stream:program`,
    /**
     * BullMQ prefix. Hash-tagged, so each queue's keys (and its scripts) share one Redis
     * Cluster slot; keys still start with the prefix. A prefix already wrapped in {} is its own tag.
     */
    bullPrefix: `${p}{bull}`,
    /**
     * Milliseconds of audio a room has waiting to air (written by the room's director); a
     * qa worker holds a new answer in BullMQ while it is over the room's limit.
     */
    backlog: (room: string) => `${p}show:{${room}}:backlog-ms`,
    /** Set when an answer is cancelled (interrupted, stale, show stopped): workers stop making it. */
    answerCancelled: (answerId: string) => `${p}answer:${answerId}:cancelled`,
    /** Set of the tts job ids a qa worker queued for an answer, so a cancel can remove the waiting ones. */
    answerTtsJobs: (answerId: string) => `${p}answer:${answerId}:tts-jobs`,
    /** Pub/sub channel: the answer id of a cancelled answer, so the qa worker making it aborts its LLM stream. */
    answerCancelEvents: `${p}bus:answer-cancel`,
    /** Stream of RejectionRecord: answer lines the output check held back or flagged (qa workers write, MAXLEN ~ REJECTION_LOG_MAX). */
    rejections: (room: string) => `${p}room:${room}:rejections`,
    /** Pub/sub channel: StreamStampRequest, in a bus envelope; the gateway with the room answers (protocol/timing.ts). */
    streamStampRequests: `${p}bus:stream-stamps`,
    /** Pub/sub channel a server instance hears StreamStampReply on (in a bus envelope). */
    streamStampReplies: (instanceId: string) => `${p}bus:stream-stamps:${instanceId}`,
  };
}

/** The per-room settings a qa job needs, snapshotted when the job is enqueued. */
export const AnswerContext = Type.Object({
  language: Language,
  persona: Type.String(),
  answers: AnswerProvider,
  fallbackLine: Type.String(),
  blocklist: Type.Array(Type.String()),
  maxAnswerChars: Type.Integer(),
  /** Whether answers may speak URLs and e-mail addresses (absent: no). */
  allowLinks: Type.Optional(Type.Boolean()),
  voice: VoiceSelection,
  /** Hold a new answer while the room has more than this much audio waiting to air. */
  backlogLimitMs: Type.Optional(Type.Integer({ minimum: 0 })),
  /** An answer not started this long after its question was asked is dropped, not played late. */
  staleAfterMs: Type.Optional(Type.Integer({ minimum: 0 })),
  /**
   * none: the answer airs as it is written · draft: it is written in full and sent to the
   * newsroom for an operator (answer.draft) · tiered: a confident knowledge-base answer
   * airs at once, anything else is drafted.
   */
  review: Type.Optional(Type.Union([Type.Literal('none'), Type.Literal('draft'), Type.Literal('tiered')])),
  /** Spoken before the answer: "Ana and 3 others asked about the price." */
  credit: Type.Optional(Type.String({ maxLength: 300 })),
}, { additionalProperties: false });
export type AnswerContext = Static<typeof AnswerContext>;

export const QaJobData = Type.Object({
  room: RoomId,
  questionId: EntityId,
  question: Type.String(),
  context: AnswerContext,
  /** When the question was asked (ms since epoch): how stale a resumed answer is. */
  askedAt: Type.Optional(Type.Number()),
}, { additionalProperties: false });
export type QaJobData = Static<typeof QaJobData>;

export const TtsJobData = Type.Object({
  room: RoomId,
  /** Deterministic: `${answerId}.${index}`, also the BullMQ job id, so a retry never doubles a line. */
  segmentId: EntityId,
  /** The answer (question id, or a say-request id) this line belongs to. */
  answerId: EntityId,
  questionId: Type.Optional(EntityId),
  index: Type.Integer({ minimum: 0 }),
  final: Type.Boolean(),
  text: Type.String(),
  language: Language,
  voice: VoiceSelection,
  priority: SegmentPriority,
  blendshapes: Type.Optional(Type.Boolean()),
  /** The operator's token id behind a say line, for the as-run log. */
  requestedBy: Type.Optional(Type.String({ maxLength: 96 })),
  /** A library line synthesized ahead of air (materials, rundown lines): stored, not played. */
  prepare: Type.Optional(Type.Object({ key: Type.String({ pattern: '^[a-f0-9]{16,64}$' }) }, { additionalProperties: false })),
  /** The line's path so far (protocol/timing.ts): the qa worker's stamps; the tts worker adds its own. */
  timing: Type.Optional(LineTiming),
}, { additionalProperties: false });
export type TtsJobData = Static<typeof TtsJobData>;

/** A synthesized line, queued on `segments` for the room's director. */
export const SegmentReady = Type.Object({
  ...TtsJobData.properties,
  audio: AudioRef,
  durationMs: Type.Number({ minimum: 0 }),
  timeline: SpeechTimeline,
}, { additionalProperties: false });
export type SegmentReady = Static<typeof SegmentReady>;

/**
 * Queued on `segments` as job `answer.end` when an answer stopped without a line marked
 * final (a rejected or cut-off tail, or a splitter that emitted the last line before the
 * stream ended): once `lines` lines are on air, the answer is complete.
 */
export const ANSWER_END_JOB = 'answer.end';
export const AnswerEnd = Type.Object({
  room: RoomId,
  answerId: EntityId,
  questionId: Type.Optional(EntityId),
  /** 0 when nothing could be said at all (the director then tells the askers it was not answered). */
  lines: Type.Integer({ minimum: 0 }),
  /** Why nothing is said (a stale answer, say), for the askers. */
  reason: Type.Optional(Type.String({ maxLength: 200 })),
}, { additionalProperties: false });
export type AnswerEnd = Static<typeof AnswerEnd>;

/** Queued on `segments` as job `answer.draft`: an answer written in full, for review before air. */
export const ANSWER_DRAFT_JOB = 'answer.draft';
export const AnswerDraftJob = Type.Object({
  room: RoomId,
  questionId: EntityId,
  lines: Type.Array(Type.String(), { maxItems: 100 }),
  provider: Type.Union([Type.Literal('kb'), Type.Literal('openai')]),
  sources: Type.Array(AnswerSourceInfo, { maxItems: 20 }),
  notes: Type.Array(CheckNote, { maxItems: 100 }),
}, { additionalProperties: false });
export type AnswerDraftJob = Static<typeof AnswerDraftJob>;

/** Queued (delayed) on `segments` as job `review.deadline`: a draft's review time is up. */
export const REVIEW_DEADLINE_JOB = 'review.deadline';
export const ReviewDeadline = Type.Object({ room: RoomId, questionId: EntityId, draftedAt: Type.Number() }, { additionalProperties: false });
export type ReviewDeadline = Static<typeof ReviewDeadline>;

/**
 * Queued on `segments` as job `line.failed` when a tts job gave up for good: the director
 * skips the line (an answer goes on without it) and a material shows `failed` with the reason.
 */
export const LINE_FAILED_JOB = 'line.failed';
export const LineFailed = Type.Object({
  room: RoomId,
  segmentId: EntityId,
  answerId: EntityId,
  questionId: Type.Optional(EntityId),
  index: Type.Integer({ minimum: 0 }),
  final: Type.Boolean(),
  prepare: Type.Optional(Type.Object({ key: Type.String() }, { additionalProperties: false })),
  reason: Type.String({ maxLength: 500 }),
}, { additionalProperties: false });
export type LineFailed = Static<typeof LineFailed>;

export const StreamEvent = Type.Object({
  room: RoomId,
  state: Type.Union([Type.Literal('live'), Type.Literal('offline')]),
  at: Type.Number(),
}, { additionalProperties: false });
export type StreamEvent = Static<typeof StreamEvent>;
