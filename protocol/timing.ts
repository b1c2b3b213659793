import { Type, type Static } from '@sinclair/typebox';
import { EntityId, RoomId } from './common.js';

/**
 * A line's path from the question to the viewer's stream, timed (issue 15). Each part
 * stamps the record as the line passes through it and hands it on with the line: the qa
 * worker in the tts job, the tts worker in the ready segment, the server in the stored
 * payload and the segment it sends, the render host in its `speech.timing` report, the
 * gateway in its answer to the server. The server assembles it once per line into the
 * `speech.timing` room event and the stage histograms.
 *
 * A stamp is the wall clock (ms since the epoch) of the machine that made it: durations
 * inside one part are exact; a stage that crosses machines (a queue wait, a hop) also holds
 * their residual clock skew — machines are assumed NTP-synchronised (chrony, or EC2's time
 * sync at well under a millisecond). The host's media clock is reported beside its wall
 * clock: `mediaTimeMs` (the room's media time of the line's first frame) and `streamTimeMs`
 * (that frame's timestamp in the stream the host publishes, which is how the gateway finds it).
 */
const Stamp = Type.Number({ minimum: 0 });
/** A provider's name as a metric label (the server maps unknown ones to `other`). */
const ProviderLabel = Type.String({ pattern: '^[a-z0-9-]{1,24}$' });

/** The stamps in path order; a stage is named by the stamp it ends at. */
export const LINE_STAMPS = [
  'askedAt', 'qaQueuedAt', 'qaStartedAt', 'sentenceAt', 'ttsQueuedAt', 'ttsStartedAt', 'synthesizedAt', 'readyAt', 'sentAt',
  'hostReceivedAt', 'decodedAt', 'onAirAt', 'writtenAt', 'encodedAt', 'ingestAt', 'programAt',
] as const;
export type LineStamp = (typeof LINE_STAMPS)[number];

/** The stage that ends at each stamp (the first stamp starts the path and ends nothing). */
export const STAGE_ENDING_AT = {
  qaQueuedAt: 'intake', // server: moderation, grouping, review mode → the qa job queued
  qaStartedAt: 'qa_wait', // the qa job waiting for a worker
  sentenceAt: 'answer', // the answer provider writing this line's sentence (knowledge base, LLM)
  ttsQueuedAt: 'check', // the output check (and moderation provider) on the sentence
  ttsStartedAt: 'tts_wait', // the line waiting for a tts worker
  synthesizedAt: 'synthesis', // the voice making audio and timeline (or the store finding them)
  readyAt: 'segment_wait', // the ready segment on its way to the room's director
  sentAt: 'director', // the director holding it (order, the line on air, back-pressure)
  hostReceivedAt: 'to_host', // server → render host over its WebSocket
  decodedAt: 'decode', // the host decoding its audio to the media clock's PCM
  onAirAt: 'schedule', // waiting for its frame (the line before it, the next tick)
  writtenAt: 'render', // that frame drawn and written to the encoder
  encodedAt: 'encode', // the encoder's first audio packet of the line out
  ingestAt: 'publish', // RTMP from the host to the gateway
  programAt: 'program', // the gateway's program feed passing it on (to IVS and the recorder)
} as const satisfies Record<Exclude<LineStamp, 'askedAt'>, string>;
export type LineStage = (typeof STAGE_ENDING_AT)[keyof typeof STAGE_ENDING_AT];
export const LINE_STAGES = Object.values(STAGE_ENDING_AT) as LineStage[];

export const LineTiming = Type.Object({
  /** server: the question was received (answers only). */
  askedAt: Type.Optional(Stamp),
  /** server: its qa job queued. */
  qaQueuedAt: Type.Optional(Stamp),
  /** qa worker: it took the job. */
  qaStartedAt: Type.Optional(Stamp),
  /** qa worker: this line's sentence came out of the answer provider. */
  sentenceAt: Type.Optional(Stamp),
  /** The tts job queued (qa worker, or the server for a say line). */
  ttsQueuedAt: Type.Optional(Stamp),
  /** tts worker: it took the line. */
  ttsStartedAt: Type.Optional(Stamp),
  /** tts worker: audio and timeline stored. */
  synthesizedAt: Type.Optional(Stamp),
  /** server: the segment reached the room's director. */
  readyAt: Type.Optional(Stamp),
  /** server: the director handed it to the render host. */
  sentAt: Type.Optional(Stamp),
  /** render host: the segment arrived. */
  hostReceivedAt: Type.Optional(Stamp),
  /** render host: its audio decoded. */
  decodedAt: Type.Optional(Stamp),
  /** render host: the media-clock tick of the frame carrying its first sample. */
  onAirAt: Type.Optional(Stamp),
  /** render host: that frame written to the encoder. */
  writtenAt: Type.Optional(Stamp),
  /** render host: the encoder's first audio packet at or after the line's stream time, out to the publisher. */
  encodedAt: Type.Optional(Stamp),
  /** gateway: that packet arrived (RTMP ingest). */
  ingestAt: Type.Optional(Stamp),
  /** gateway: the program feed sent it on. */
  programAt: Type.Optional(Stamp),
  /** The answer provider (kb, openai). */
  answers: Type.Optional(ProviderLabel),
  /** The voice provider that made the audio (flite, espeak, polly, openai). */
  voice: Type.Optional(ProviderLabel),
  /** The audio came from the asset store (the same line said before): no synthesis. */
  cached: Type.Optional(Type.Boolean()),
  /** The line's place in its answer: 0 is the first, whose timing is the answer's. */
  index: Type.Optional(Type.Integer({ minimum: 0 })),
  /** render host: the room's media time of the line's first frame (ms). */
  mediaTimeMs: Type.Optional(Type.Number({ minimum: 0 })),
  /** render host: that frame's timestamp in the stream it publishes (ms). */
  streamTimeMs: Type.Optional(Type.Number({ minimum: 0 })),
}, { additionalProperties: false });
export type LineTiming = Static<typeof LineTiming>;

/**
 * An AAC-LC packet's length at 48 kHz (1,024 samples), as the host encodes. The packet that
 * carries a line's first sample is the one reaching past its stream time: host and gateway
 * find the same packet by the same rule.
 */
export const AUDIO_PACKET_MS = (1024 * 1000) / 48_000;
export const packetCarries = (packetTs: number, streamTimeMs: number): boolean => packetTs + AUDIO_PACKET_MS > streamTimeMs;

export const StageDuration = Type.Object({
  stage: Type.Union(LINE_STAGES.map((s) => Type.Literal(s))),
  ms: Type.Number(),
}, { additionalProperties: false });
export type StageDuration = Static<typeof StageDuration>;

/**
 * The stages of a timing record, in path order: each present stamp minus the present
 * stamp before it. A missing stamp folds its stage into the next one (a host that does
 * not publish RTMP itself reports no `encodedAt`: `publish` then holds the encoding too).
 */
export function lineStages(t: LineTiming): StageDuration[] {
  const out: StageDuration[] = [];
  let prev: number | undefined;
  for (const stamp of LINE_STAMPS) {
    const at = t[stamp];
    if (at === undefined) continue;
    if (prev !== undefined && stamp !== 'askedAt') out.push({ stage: STAGE_ENDING_AT[stamp], ms: at - prev });
    prev = at;
  }
  return out;
}

/** First and last stamp present, or null when there are fewer than two. */
export function lineSpan(t: LineTiming): { from: LineStamp; to: LineStamp; ms: number } | null {
  const present = LINE_STAMPS.filter((s) => t[s] !== undefined);
  if (present.length < 2) return null;
  const from = present[0]!;
  const to = present[present.length - 1]!;
  return { from, to, ms: t[to]! - t[from]! };
}

/**
 * Server → gateways (pub/sub, in a bus envelope): when did the packet at `streamTimeMs` of
 * the room's published stream arrive, and when did the program pass it on? The gateway
 * that has the room answers on `replyTo` as soon as it has seen the packet, or gives up.
 */
export const StreamStampRequest = Type.Object({
  ref: EntityId,
  room: RoomId,
  streamTimeMs: Type.Number({ minimum: 0 }),
  replyTo: Type.String({ minLength: 1, maxLength: 200 }),
}, { additionalProperties: false });
export type StreamStampRequest = Static<typeof StreamStampRequest>;

export const StreamStampReply = Type.Object({
  ref: EntityId,
  room: RoomId,
  ingestAt: Type.Optional(Stamp),
  programAt: Type.Optional(Stamp),
}, { additionalProperties: false });
export type StreamStampReply = Static<typeof StreamStampReply>;
