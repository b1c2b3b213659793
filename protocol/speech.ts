import { Type, type Static } from '@sinclair/typebox';
import { VISEMES } from './visemes.js';
import { EntityId, Language, RoomId, Seq } from './common.js';
import { VisualCommand } from './avatar.js';
import { LineTiming } from './timing.js';

export const VisemeSchema = Type.Union(VISEMES.map((v) => Type.Literal(v)));

/** Speaking rates from the original product, mapped per voice provider. */
export const SPEEDS = ['x-slow', 'slow', 'medium', 'fast', 'x-fast'] as const;
export type Speed = (typeof SPEEDS)[number];
export const SpeedSchema = Type.Union(SPEEDS.map((s) => Type.Literal(s)));

/**
 * The voice catalog is provider-neutral: each provider maps these ids to one of its
 * own voices. The eight voices cover the original product's line-up.
 */
export const VOICE_IDS = [
  'zh-CN-female', 'en-US-male', 'en-US-female', 'en-GB-male', 'en-GB-female',
  'fr-FR-female', 'de-DE-male', 'de-DE-female',
] as const;
export type VoiceId = (typeof VOICE_IDS)[number];
export const VoiceIdSchema = Type.Union(VOICE_IDS.map((v) => Type.Literal(v)));

export const TTS_PROVIDERS = ['flite', 'espeak', 'polly', 'openai'] as const;
export const TtsProviderSchema = Type.Union(TTS_PROVIDERS.map((v) => Type.Literal(v)));

export const Prosody = Type.Object({
  speed: Type.Optional(SpeedSchema),
  /** Relative pitch in percent, -50..+50. */
  pitch: Type.Optional(Type.Integer({ minimum: -50, maximum: 50 })),
  /** Relative volume in dB, -12..+12. */
  volumeDb: Type.Optional(Type.Integer({ minimum: -12, maximum: 12 })),
}, { additionalProperties: false });
export type Prosody = Static<typeof Prosody>;

export const VoiceSelection = Type.Object({
  provider: Type.Optional(TtsProviderSchema),
  voice: Type.Optional(VoiceIdSchema),
  prosody: Type.Optional(Prosody),
}, { additionalProperties: false });
export type VoiceSelection = Static<typeof VoiceSelection>;

// Times are milliseconds from the segment's first audio sample (ARCHITECTURE.md "Timing model").
export const WordTiming = Type.Object({
  text: Type.String(),
  startMs: Type.Number({ minimum: 0 }),
  durationMs: Type.Number({ minimum: 0 }),
}, { additionalProperties: false });
export type WordTiming = Static<typeof WordTiming>;

export const VisemeTiming = Type.Object({
  viseme: VisemeSchema,
  timeMs: Type.Number({ minimum: 0 }),
}, { additionalProperties: false });
export type VisemeTiming = Static<typeof VisemeTiming>;

/** ARKit-52 blendshape curves for engine renderers; frames[i][j] is names[j] at i/fps s. */
export const BlendshapeTrack = Type.Object({
  fps: Type.Integer({ minimum: 1, maximum: 240 }),
  names: Type.Array(Type.String()),
  frames: Type.Array(Type.Array(Type.Number({ minimum: 0, maximum: 1 }))),
}, { additionalProperties: false });
export type BlendshapeTrack = Static<typeof BlendshapeTrack>;

export const SpeechTimeline = Type.Object({
  durationMs: Type.Number({ minimum: 0 }),
  words: Type.Array(WordTiming),
  /** Ordered by time; each viseme holds until the next one. */
  visemes: Type.Array(VisemeTiming),
  blendshapes: Type.Optional(BlendshapeTrack),
}, { additionalProperties: false });
export type SpeechTimeline = Static<typeof SpeechTimeline>;

export const AudioRef = Type.Object({
  /** Asset key in the asset store (content address); resolve with `url`. */
  key: Type.String({ minLength: 1, maxLength: 256 }),
  /** Where a render host fetches the audio (HTTP(S) URL or file:// on one machine). */
  url: Type.String({ minLength: 1, maxLength: 2048 }),
  format: Type.Union([Type.Literal('wav'), Type.Literal('pcm_s16le'), Type.Literal('mp3')]),
  sampleRate: Type.Integer({ minimum: 8000, maximum: 96000 }),
  channels: Type.Integer({ minimum: 1, maximum: 2 }),
}, { additionalProperties: false });
export type AudioRef = Static<typeof AudioRef>;

export const SEGMENT_PRIORITIES = ['urgent', 'answer', 'script', 'filler'] as const;
export const SegmentPriority = Type.Union(SEGMENT_PRIORITIES.map((p) => Type.Literal(p)));
export type SegmentPriority = Static<typeof SegmentPriority>;

export const SegmentCue = Type.Object({
  atMs: Type.Number({ minimum: 0 }),
  command: VisualCommand,
}, { additionalProperties: false });
export type SegmentCue = Static<typeof SegmentCue>;

/** One spoken line, ready to play: what a render host receives. */
export const SpeechSegment = Type.Object({
  segmentId: EntityId,
  room: RoomId,
  /** The room's segment order: a host plays segments in increasing segmentSeq. */
  segmentSeq: Seq,
  questionId: Type.Optional(EntityId),
  text: Type.String({ maxLength: 2000 }),
  language: Language,
  priority: SegmentPriority,
  audio: AudioRef,
  durationMs: Type.Number({ minimum: 0 }),
  timeline: SpeechTimeline,
  /**
   * Marks the last segment of an answer when that is known as it is synthesized. An answer
   * can also end without one (a single streamed line, a rejected tail): the director then
   * completes it from the `answer.end` marker, and operators see the question answered.
   */
  final: Type.Boolean(),
  /**
   * Graphics and look changes timed on the segment's own media clock (ms from its first
   * sample): the host applies each when its audio reaches `atMs`, so a panel lands on its
   * word whatever the network did. A look change of the line itself has atMs 0.
   */
  cues: Type.Optional(Type.Array(SegmentCue, { maxItems: 40 })),
  /**
   * Nothing with a lower seq is still to play in the room when the director sends this: a
   * host that has not played anything yet starts it without waiting for an earlier seq.
   */
  head: Type.Optional(Type.Boolean()),
  /** The line's path so far (protocol/timing.ts); the host adds its stamps and reports it back. */
  timing: Type.Optional(LineTiming),
}, { additionalProperties: false });
export type SpeechSegment = Static<typeof SpeechSegment>;

/** A line an operator asks the avatar to say (goes through the tts pipeline). */
export const SayRequest = Type.Object({
  text: Type.String({ minLength: 1, maxLength: 2000 }),
  voice: Type.Optional(VoiceSelection),
  priority: Type.Optional(Type.Union([Type.Literal('urgent'), Type.Literal('script')])),
}, { additionalProperties: false });
export type SayRequest = Static<typeof SayRequest>;

/** What a line needs to go on air, as the director stores it until it is sent. */
export const SegmentPayload = Type.Object({
  text: Type.String(),
  language: Language,
  audio: AudioRef,
  durationMs: Type.Number({ minimum: 0 }),
  timeline: SpeechTimeline,
  /** The line's path until the director took it (protocol/timing.ts). */
  timing: Type.Optional(LineTiming),
}, { additionalProperties: false });
export type SegmentPayload = Static<typeof SegmentPayload>;
