import { Type, type Static } from '@sinclair/typebox';
import { EntityId, RoomId } from './common.js';
import { ActionSchema, CameraSchema, CharacterSchema, SceneSchema, VisualCommand } from './avatar.js';
import { SegmentPriority, VoiceSelection, WordTiming } from './speech.js';

/**
 * The show: what an operator prepares (the library of materials, the run of show) and
 * what the room's director reports back (show state, the speech queue). Everything here
 * is usable over REST and the operator WebSocket alike (ARCHITECTURE.md "The show").
 */

/** Ids the operator chooses for library items and rundown segments (letters, digits, . _ -). */
export const ShowItemId = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$', description: 'library or rundown id' });
export type ShowItemId = Static<typeof ShowItemId>;

/* ---------- the library ---------- */

/** A look change a line applies the moment it starts. */
export const LookChange = Type.Object({
  character: Type.Optional(CharacterSchema),
  scene: Type.Optional(SceneSchema),
  camera: Type.Optional(CameraSchema),
  action: Type.Optional(ActionSchema),
}, { additionalProperties: false });
export type LookChange = Static<typeof LookChange>;

export const PanelContent = Type.Object({
  imageUrl: Type.String({ format: 'uri', maxLength: 2048, pattern: '^https?://' }),
  title: Type.Optional(Type.String({ maxLength: 120 })),
}, { additionalProperties: false });
export type PanelContent = Static<typeof PanelContent>;

/** Graphics timed to the words of a line: the host shows/hides them on its own media clock. */
export const WordCue = Type.Object({
  /** Index into the line's word timeline (0 = the first word); past the last word = the line's end. */
  atWord: Type.Integer({ minimum: 0, maximum: 2000 }),
  command: VisualCommand,
}, { additionalProperties: false });
export type WordCue = Static<typeof WordCue>;

export const MATERIAL_STATUSES = ['synthesizing', 'ready', 'failed'] as const;
export const MaterialStatus = Type.Union(MATERIAL_STATUSES.map((s) => Type.Literal(s)));
export type MaterialStatus = Static<typeof MaterialStatus>;

const materialFields = {
  /** Short label for the library list. */
  title: Type.String({ minLength: 1, maxLength: 120 }),
  text: Type.String({ minLength: 1, maxLength: 2000 }),
  voice: VoiceSelection,
  look: LookChange,
  panel: Type.Union([PanelContent, Type.Null()]),
  /** Lower third shown while the line plays; null leaves the caption to the words. */
  caption: Type.Union([Type.String({ maxLength: 200 }), Type.Null()]),
  /** Free tags: `filler`, `intro`, a product name… `filler` makes it a gap filler. */
  tags: Type.Array(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9 ._-]{0,47}$' }), { maxItems: 20 }),
  cues: Type.Array(WordCue, { maxItems: 20 }),
};

/** What an operator sends to create or replace a material. */
export const MaterialInput = Type.Object({
  id: Type.Optional(ShowItemId),
  title: Type.Optional(materialFields.title),
  text: materialFields.text,
  voice: Type.Optional(materialFields.voice),
  look: Type.Optional(materialFields.look),
  panel: Type.Optional(materialFields.panel),
  caption: Type.Optional(materialFields.caption),
  tags: Type.Optional(materialFields.tags),
  cues: Type.Optional(materialFields.cues),
}, { additionalProperties: false });
export type MaterialInput = Static<typeof MaterialInput>;

export const MaterialPatch = Type.Partial(Type.Omit(MaterialInput, ['id']), { additionalProperties: false });
export type MaterialPatch = Static<typeof MaterialPatch>;

export const Material = Type.Object({
  id: ShowItemId,
  room: RoomId,
  ...materialFields,
  /** Bumped on every change of what is said or shown; a queued line plays one version whole. */
  version: Type.Integer({ minimum: 1 }),
  status: MaterialStatus,
  /** Why synthesis failed (status `failed`). */
  error: Type.Union([Type.String(), Type.Null()]),
  durationMs: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
  /** Authenticated URL of the synthesized audio (WAV), to hear it before air. */
  audioUrl: Type.Union([Type.String(), Type.Null()]),
  updatedAt: Type.Number(),
}, { additionalProperties: false });
export type Material = Static<typeof Material>;

export const MaterialList = Type.Object({ materials: Type.Array(Material) });

/** A room's whole library as one document (export, and import with mode replace/merge). */
export const LibraryDocument = Type.Object({
  format: Type.Literal('livehost.library/1'),
  materials: Type.Array(MaterialInput, { maxItems: 2000 }),
}, { additionalProperties: false });
export type LibraryDocument = Static<typeof LibraryDocument>;

/* ---------- the run of show ---------- */

export const StartRule = Type.Union([
  /** Waits for the operator's `show.go`. */
  Type.Object({ rule: Type.Literal('manual') }, { additionalProperties: false }),
  /** Starts right after the previous segment. */
  Type.Object({ rule: Type.Literal('follow') }, { additionalProperties: false }),
  /** A hard cue: starts at this wall-clock time (ISO 8601 with offset, or ms since the epoch). */
  Type.Object({ rule: Type.Literal('at'), at: Type.Union([Type.String({ maxLength: 40 }), Type.Number()]) }, { additionalProperties: false }),
  /** A hard cue in show time: starts this long after the show's go (a closing at 20:00 of a 20-minute show). */
  Type.Object({ rule: Type.Literal('at-show-time'), afterMs: Type.Integer({ minimum: 0, maximum: 24 * 3_600_000 }) }, { additionalProperties: false }),
]);
export type StartRule = Static<typeof StartRule>;

export const RundownItem = Type.Union([
  Type.Object({ kind: Type.Literal('material'), materialId: ShowItemId }, { additionalProperties: false }),
  Type.Object({
    kind: Type.Literal('line'), text: Type.String({ minLength: 1, maxLength: 2000 }), voice: Type.Optional(VoiceSelection),
  }, { additionalProperties: false }),
  /** An avatar command; it takes effect with the next line, or at once when no line follows. */
  Type.Object({ kind: Type.Literal('command'), command: VisualCommand }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('pause'), ms: Type.Integer({ minimum: 0, maximum: 3_600_000 }) }, { additionalProperties: false }),
  /** Answer viewer questions for up to `maxMs`; with `untilEmpty`, end as soon as none wait. */
  Type.Object({
    kind: Type.Literal('qa'), maxMs: Type.Integer({ minimum: 1000, maximum: 4 * 3_600_000 }), untilEmpty: Type.Optional(Type.Boolean()),
  }, { additionalProperties: false }),
]);
export type RundownItem = Static<typeof RundownItem>;

export const RundownSegment = Type.Object({
  id: ShowItemId,
  title: Type.String({ minLength: 1, maxLength: 120 }),
  plannedMs: Type.Integer({ minimum: 0, maximum: 24 * 3_600_000 }),
  start: StartRule,
  /** Repeats its items until the operator moves on (or a hard cue comes). */
  loop: Type.Optional(Type.Boolean()),
  items: Type.Array(RundownItem, { maxItems: 500 }),
}, { additionalProperties: false });
export type RundownSegment = Static<typeof RundownSegment>;

export const Rundown = Type.Object({
  /** Optimistic concurrency: a PUT names the version it edited; a stale one gets 409. */
  version: Type.Integer({ minimum: 0 }),
  segments: Type.Array(RundownSegment, { maxItems: 500 }),
  updatedAt: Type.Number(),
}, { additionalProperties: false });
export type Rundown = Static<typeof Rundown>;

export const PutRundownBody = Type.Object({
  version: Type.Integer({ minimum: 0 }),
  segments: Type.Array(RundownSegment, { maxItems: 500 }),
}, { additionalProperties: false });
export type PutRundownBody = Static<typeof PutRundownBody>;

/* ---------- the director's state ---------- */

/** Show states; transitions live in server/show/show-states.ts. */
export const SHOW_STATES = ['idle', 'running', 'waiting', 'holding', 'ended'] as const;
export const ShowStateName = Type.Union(SHOW_STATES.map((s) => Type.Literal(s)));
export type ShowStateName = Static<typeof ShowStateName>;

/** What a `waiting` show waits for. */
export const WaitingFor = Type.Union([
  Type.Literal('go'), Type.Literal('time'), Type.Literal('host'), Type.Literal('material'), Type.Null(),
]);

export const SEGMENT_RUN_STATES = ['pending', 'running', 'done', 'skipped'] as const;
export const SegmentRunState = Type.Union(SEGMENT_RUN_STATES.map((s) => Type.Literal(s)));
export type SegmentRunState = Static<typeof SegmentRunState>;

export const SegmentTiming = Type.Object({
  id: ShowItemId,
  title: Type.String(),
  plannedMs: Type.Number(),
  /** Planned start (ms since epoch) from the rundown's rules and plans, as of now. */
  plannedStartAt: Type.Union([Type.Number(), Type.Null()]),
  startedAt: Type.Union([Type.Number(), Type.Null()]),
  endedAt: Type.Union([Type.Number(), Type.Null()]),
  state: SegmentRunState,
}, { additionalProperties: false });
export type SegmentTiming = Static<typeof SegmentTiming>;

/** Where a line on the speech queue came from (also what the as-run log records). */
export const LineSource = Type.Union([
  Type.Object({ kind: Type.Literal('rundown'), segmentId: ShowItemId, item: Type.Integer({ minimum: 0 }), materialId: Type.Optional(ShowItemId) }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('answer'), questionId: EntityId }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('say'), by: Type.Union([Type.String(), Type.Null()]), materialId: Type.Optional(ShowItemId) }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('filler'), materialId: ShowItemId }, { additionalProperties: false }),
]);
export type LineSource = Static<typeof LineSource>;

/** Line states on the speech queue; transitions live in server/show/line-states.ts. */
export const LINE_STATES = ['waiting', 'sent', 'playing', 'finished', 'interrupted', 'dropped'] as const;
export const LineState = Type.Union(LINE_STATES.map((s) => Type.Literal(s)));
export type LineState = Static<typeof LineState>;

export const QueueLine = Type.Object({
  lineId: EntityId,
  priority: SegmentPriority,
  state: LineState,
  text: Type.String(),
  durationMs: Type.Number({ minimum: 0 }),
  source: LineSource,
  createdAt: Type.Number(),
}, { additionalProperties: false });
export type QueueLine = Static<typeof QueueLine>;

export const OnAirLine = Type.Object({
  lineId: EntityId,
  text: Type.String(),
  priority: SegmentPriority,
  source: LineSource,
  durationMs: Type.Number(),
  /** Wall clock (server) when the host reported the line started. */
  startedAt: Type.Number(),
  words: Type.Array(WordTiming),
}, { additionalProperties: false });
export type OnAirLine = Static<typeof OnAirLine>;

export const ShowState = Type.Object({
  room: RoomId,
  state: ShowStateName,
  waitingFor: WaitingFor,
  rundownVersion: Type.Integer({ minimum: 0 }),
  segmentId: Type.Union([ShowItemId, Type.Null()]),
  /** Index of the current item in the segment, and how many times a looping segment repeated. */
  itemIndex: Type.Integer({ minimum: 0 }),
  loops: Type.Integer({ minimum: 0 }),
  onAir: Type.Union([OnAirLine, Type.Null()]),
  next: Type.Union([Type.Object({ text: Type.String(), priority: SegmentPriority }, { additionalProperties: false }), Type.Null()]),
  segmentElapsedMs: Type.Union([Type.Number(), Type.Null()]),
  segmentRemainingMs: Type.Union([Type.Number(), Type.Null()]),
  nextHardCue: Type.Union([Type.Object({ segmentId: ShowItemId, at: Type.Number(), inMs: Type.Number() }, { additionalProperties: false }), Type.Null()]),
  /** Actual minus planned, ms: positive = running over. */
  overUnderMs: Type.Number(),
  segments: Type.Array(SegmentTiming),
  /** Lines waiting or handed to the host, not yet on air, by class order. */
  queue: Type.Array(QueueLine),
  /** Seconds of audio waiting to air (answers wait in BullMQ beyond the room's limit). */
  backlogMs: Type.Number(),
  at: Type.Number(),
}, { additionalProperties: false });
export type ShowState = Static<typeof ShowState>;

/* ---------- what operators send ---------- */

/**
 * Transport and queue control, the same over the operator WebSocket (`type` = the name,
 * with `id` and `room`) and REST (`POST /api/rooms/:room/show` with this body).
 */
export const ShowCommand = Type.Union([
  Type.Object({ name: Type.Literal('show.go') }, { additionalProperties: false }),
  Type.Object({ name: Type.Literal('show.hold') }, { additionalProperties: false }),
  Type.Object({ name: Type.Literal('show.resume') }, { additionalProperties: false }),
  Type.Object({ name: Type.Literal('show.skip') }, { additionalProperties: false }),
  Type.Object({ name: Type.Literal('show.back') }, { additionalProperties: false }),
  Type.Object({ name: Type.Literal('show.jump'), segmentId: ShowItemId }, { additionalProperties: false }),
  Type.Object({ name: Type.Literal('show.stop') }, { additionalProperties: false }),
  /** Cut the line on air now; an answer's remaining lines and its generation are cancelled. */
  Type.Object({ name: Type.Literal('speech.interrupt'), lineId: Type.Optional(EntityId) }, { additionalProperties: false }),
  /** Stop speaking: cut the line on air and clear the queue (or only the named lines, by line or segment id). */
  Type.Object({ name: Type.Literal('speech.stop'), lineIds: Type.Optional(Type.Array(EntityId, { maxItems: 100 })) }, { additionalProperties: false }),
  Type.Object({ name: Type.Literal('queue.remove'), lineId: EntityId }, { additionalProperties: false }),
  /** Moves a waiting line before another of its class (null: to the end of its class). */
  Type.Object({ name: Type.Literal('queue.move'), lineId: EntityId, before: Type.Union([EntityId, Type.Null()]) }, { additionalProperties: false }),
  /** Plays a library material: `urgent` cuts what is on air, `script` queues it. */
  Type.Object({
    name: Type.Literal('material.play'), materialId: ShowItemId,
    priority: Type.Optional(Type.Union([Type.Literal('urgent'), Type.Literal('script')])),
  }, { additionalProperties: false }),
]);
export type ShowCommand = Static<typeof ShowCommand>;
export type ShowCommandName = ShowCommand['name'];
export const SHOW_COMMAND_NAMES = ShowCommand.anyOf.map((m) => m.properties.name.const) as ShowCommandName[];
