import { Type, type Static } from '@sinclair/typebox';
import { EntityId, RoomId } from './common.js';

/**
 * Where a room's show goes besides the local preview: Amazon IVS low-latency channels,
 * IVS real-time stages, and any RTMP(S) URL. Request bodies may carry a stream key or a
 * keyed URL; nothing the API returns ever does (`DestinationView` holds only redacted
 * targets), and the stored form keeps the secret sealed (protocol/secret-box.ts).
 */

/** Slug naming a destination within its room; used in logs and metrics instead of its URL. */
export const DestinationId = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'destination slug' });

const RtmpUrl = Type.String({ pattern: '^rtmps?://[^\\s]+$', maxLength: 2048 });
/** IVS ingest host, e.g. `f99084460c35.global-contribute.live-video.net`. */
const IngestHost = Type.String({ pattern: '^[A-Za-z0-9.-]{1,253}$' });
const Arn = Type.String({ pattern: '^arn:aws[a-z-]*:ivs:[a-z0-9-]+:[0-9]{12}:[a-z-]+/[A-Za-z0-9]+$', maxLength: 256 });

export const IvsLatencyMode = Type.Union([Type.Literal('LOW'), Type.Literal('NORMAL')]);
export const IvsChannelType = Type.Union([
  Type.Literal('BASIC'), Type.Literal('STANDARD'), Type.Literal('ADVANCED_SD'), Type.Literal('ADVANCED_HD'),
]);

/** Any RTMP(S) endpoint (YouTube, Twitch, a customer's CDN): the URL includes the stream key. */
export const AddRtmpDestination = Type.Object({
  id: DestinationId,
  kind: Type.Literal('rtmp'),
  url: RtmpUrl,
}, { additionalProperties: false });

/**
 * An IVS low-latency channel, one of three ways: `create` provisions a new channel
 * (CreateChannel), `channelArn` uses an existing one (GetChannel + its stream key), or
 * `ingestEndpoint` + `streamKey` as shown in the IVS console (no AWS call at all).
 */
export const AddIvsChannelDestination = Type.Object({
  id: DestinationId,
  kind: Type.Literal('ivs-channel'),
  create: Type.Optional(Type.Object({
    name: Type.Optional(Type.String({ pattern: '^[a-zA-Z0-9-_]{1,128}$' })),
    latencyMode: Type.Optional(IvsLatencyMode),
    type: Type.Optional(IvsChannelType),
  }, { additionalProperties: false })),
  channelArn: Type.Optional(Arn),
  ingestEndpoint: Type.Optional(IngestHost),
  streamKey: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,128}$' })),
}, { additionalProperties: false });

/** An IVS real-time stage: an RTMPS ingest configuration is created in it (CreateIngestConfiguration). */
export const AddIvsStageDestination = Type.Object({
  id: DestinationId,
  kind: Type.Literal('ivs-stage'),
  stageArn: Arn,
}, { additionalProperties: false });

export const AddDestinationBody = Type.Union([AddRtmpDestination, AddIvsChannelDestination, AddIvsStageDestination]);
export type AddDestinationBody = Static<typeof AddDestinationBody>;
export type DestinationKind = AddDestinationBody['kind'];

/**
 * A forwarding destination's states (stream-gateway/destinations/destination-state.ts has
 * the transitions): idle (room not on air), connecting, live, retrying, failed.
 */
export const DestinationStateName = Type.Union(['idle', 'connecting', 'live', 'retrying', 'failed'].map((s) => Type.Literal(s)));

/** Live health of one destination, written by the gateway that forwards it. */
export const DestinationHealth = Type.Object({
  state: DestinationStateName,
  bitrateKbps: Type.Number({ minimum: 0 }),
  /** Last error, every URL in it redacted. */
  lastError: Type.Union([Type.String(), Type.Null()]),
  /** Reconnects since the room went on air. */
  reconnects: Type.Integer({ minimum: 0 }),
  /** ms epoch of the last state change. */
  since: Type.Number(),
}, { additionalProperties: false });
export type DestinationHealth = Static<typeof DestinationHealth>;

/** What every form of a destination says about it; none of it is secret. */
const DestinationFacts = {
  id: DestinationId,
  room: RoomId,
  kind: Type.Union([Type.Literal('rtmp'), Type.Literal('ivs-channel'), Type.Literal('ivs-stage')]),
  /** `rtmps://host:443/app/***`: scheme, host, port and path without the key (`redactTarget`). */
  target: Type.String(),
  channelArn: Type.Optional(Type.String()),
  playbackUrl: Type.Optional(Type.String()),
  stageArn: Type.Optional(Type.String()),
  ingestConfigurationArn: Type.Optional(Type.String()),
  /** True when the project created the IVS resource (and so may delete it). */
  provisioned: Type.Boolean(),
  createdAt: Type.Number(),
};

/** What the API shows of a destination: never a stream key, never a keyed URL. */
export const DestinationView = Type.Object({ ...DestinationFacts, health: DestinationHealth }, { additionalProperties: false });
export type DestinationView = Static<typeof DestinationView>;

export const DestinationList = Type.Object({ destinations: Type.Array(DestinationView) }, { additionalProperties: false });
export type DestinationList = Static<typeof DestinationList>;

/** AES-256-GCM sealed text, all parts base64url (protocol/secret-box.ts). */
export const SealedSecret = Type.Object({
  v: Type.Literal(1),
  iv: Type.String(),
  tag: Type.String(),
  data: Type.String(),
}, { additionalProperties: false });
export type SealedSecret = Static<typeof SealedSecret>;

/** A destination as kept in Redis (`redisKeys().destinations(room)`): the push URL sealed. */
export const StoredDestination = Type.Object({
  ...DestinationFacts,
  /** The full rtmp(s) URL with its stream key, sealed with the room and id as associated data. */
  url: SealedSecret,
}, { additionalProperties: false });
export type StoredDestination = Static<typeof StoredDestination>;

/** Published on `redisKeys().destinationEvents` when a room's destinations change. */
export const DestinationsChanged = Type.Object({
  room: RoomId,
  at: Type.Number(),
}, { additionalProperties: false });
export type DestinationsChanged = Static<typeof DestinationsChanged>;

export const IDLE_HEALTH: DestinationHealth = { state: 'idle', bitrateKbps: 0, lastError: null, reconnects: 0, since: 0 };

/** A recorded show, remuxed for on-demand playback. */
export const RecordingView = Type.Object({
  id: Type.String({ pattern: '^[A-Za-z0-9-]{1,64}$' }),
  room: RoomId,
  startedAt: Type.Number(),
  /** ms epoch the show ended (the slate hold included). */
  endedAt: Type.Optional(Type.Number()),
  /** Media duration of show.mp4 (ffprobe). */
  durationMs: Type.Number({ minimum: 0 }),
  mp4: Type.String({ description: 'download path of the MP4' }),
  hls: Type.String({ description: 'path of the HLS VOD playlist' }),
}, { additionalProperties: false });
export type RecordingView = Static<typeof RecordingView>;

export const RecordingList = Type.Object({ recordings: Type.Array(RecordingView) }, { additionalProperties: false });
export type RecordingList = Static<typeof RecordingList>;

/**
 * A short-lived link that downloads one recording file without a bearer header (a plain
 * browser download, streamed to disk): signed for that file alone, expiring at `expiresAt`.
 */
export const RecordingLink = Type.Object({
  url: Type.String(),
  expiresAt: Type.Number(),
}, { additionalProperties: false });
export type RecordingLink = Static<typeof RecordingLink>;

/**
 * A caption or a question card, published on `redisKeys().timedMetadata` when the render
 * host reports the matching segment started; the gateway forwarding the room sends it to
 * IVS viewers (PutMetadata) and to local preview players.
 */
export const TimedMetadataEvent = Type.Object({
  room: RoomId,
  kind: Type.Union([Type.Literal('caption'), Type.Literal('question')]),
  segmentId: EntityId,
  questionId: Type.Optional(EntityId),
  /** The caption line, or the viewer's question. */
  text: Type.String({ maxLength: 2000 }),
  /** Caption: the answer's last line. */
  final: Type.Optional(Type.Boolean()),
  /** The render host's media time of the segment start. */
  mediaTimeMs: Type.Number(),
  /** ms epoch the server published it. */
  at: Type.Number(),
}, { additionalProperties: false });
export type TimedMetadataEvent = Static<typeof TimedMetadataEvent>;

/**
 * A URL as it may be shown or logged: scheme, host and port, and the path without its last
 * segment — where RTMP services put the stream key (`rtmp://a.rtmp.youtube.com/live2/***`).
 * Never shown: `user:password@`, the last segment, the query, the fragment. A backslash
 * separates segments too, so a key pasted after one (`rtmp://host/app\key`) stays hidden.
 */
export function redactTarget(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/\\?#\s]*)([^?#\s]*)/i.exec(url);
  if (!m) return '***';
  const [, scheme = '', authority = '', path = ''] = m;
  // Userinfo ends at the last '@'; whatever is not plainly a host name or address is dropped.
  const host = /^[A-Za-z0-9.:[\]-]*/.exec(authority.slice(authority.lastIndexOf('@') + 1))![0];
  const app = path.split(/[/\\]+/).filter(Boolean).slice(0, -1);
  return `${scheme.toLowerCase()}://${host}/${[...app, '***'].join('/')}`;
}

/** Redacts every URL in a free text (ffmpeg echoes its input and output URLs in errors). */
export function redactUrls(text: string): string {
  return text.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s'"]+/gi, (u) => redactTarget(u));
}
