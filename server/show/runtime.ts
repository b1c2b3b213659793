import type {
  LineSource, LineState, SegmentPriority, SegmentRunState, ShowStateName, VisualCommand,
} from '../../protocol/index.js';

/**
 * A room's director state as it is stored in Redis after every event: small (line
 * payloads — audio refs and timelines — live in their own hashes), plain JSON, and
 * complete: a new owner continues from it exactly.
 */

export interface LineRecord {
  lineId: string;
  priority: SegmentPriority;
  state: LineState;
  text: string;
  durationMs: number;
  source: LineSource;
  createdAt: number;
  /** Lines of one answer or say request share it; the answer's lines air in `index` order. */
  answerId: string | null;
  questionId: string | null;
  index: number;
  /** Where the audio is: a prepared library line (by content key) or the line's own payload. */
  prepareKey: string | null;
  /** A material line airs the material's version current when it is sent, whole, or not at all. */
  material: { id: string; version: number } | null;
  /** Commands that take effect as the line starts (rundown command items before it). */
  startCommands: VisualCommand[];
  /** How many times the line went to a host; the air id (the host's segment id) changes each time. */
  airs: number;
  airId: string | null;
  seq: number | null;
  sentAt: number | null;
  startedAt: number | null;
  hostId: string | null;
}

export interface AnswerProgress {
  answerId: string;
  questionId: string | null;
  /** Lines that arrived before an earlier one of the answer (synthesis finishes out of order). */
  early: LineRecord[];
  /** The next index that may join the queue. */
  nextIndex: number;
  /** How many lines the answer has, once known (its final line, or answer.end). */
  total: number | null;
  /** Indexes given up on (synthesis failed): counted as done. */
  skipped: number[];
  finished: number;
  started: boolean;
  askedAt: number | null;
  /** When its last line ended: an answer whose next line never comes is let go after a while. */
  lastEndAt: number | null;
  text: string[];
  outcome: 'open' | 'spoken' | 'dropped';
}

export interface ItemProgress {
  kind: 'lines' | 'pause' | 'qa' | 'command';
  /** The rundown items this step covers: [from, to). */
  from: number;
  to: number;
  startedAt: number;
  /** pause and qa: when the step ends (qa: maybe sooner, for a hard cue or untilEmpty). */
  deadline: number | null;
  untilEmpty: boolean;
  /** What was left of a timed step when the show was held. */
  heldRemainingMs: number | null;
}

export interface SegmentRun {
  state: SegmentRunState;
  startedAt: number | null;
  endedAt: number | null;
}

export interface ShowRuntime {
  state: ShowStateName;
  waitingFor: 'go' | 'time' | 'host' | 'material' | null;
  rundownVersion: number;
  segmentId: string | null;
  itemIndex: number;
  loops: number;
  step: ItemProgress | null;
  runs: Record<string, SegmentRun>;
  /** A transport (go, jump, back) that waits for the line on air to end. */
  pendingMove: { to: string; reason: 'go' | 'jump' | 'back' | 'cue' } | null;
  /** Sum of (actual − planned) of finished segments, ms. */
  overUnderMs: number;
  /** When the show went on (its first go): show-time cues count from here. */
  startedAt: number | null;
  /** What a held show returns to on resume. */
  heldFrom: { state: 'running' | 'waiting'; waitingFor: ShowRuntime['waitingFor'] } | null;
}

export interface Runtime {
  v: 1;
  lastEventId: string;
  show: ShowRuntime;
  /** Waiting, sent and playing lines, in air order within each class. */
  lines: LineRecord[];
  answers: Record<string, AnswerProgress>;
  /** The room's segment seq: the host plays in increasing seq. */
  seq: number;
  host: { hostId: string; sessionId: string } | null;
  fillerLastAired: Record<string, number>;
  /** Air ids taken back from a host (cut, preempted, host lost), so late reports still reach the as-run log. */
  retired: Record<string, AirSummary>;
}

/** What the as-run log needs of a line that went to a host. */
export type AirSummary = Pick<LineRecord, 'lineId' | 'text' | 'priority' | 'source' | 'questionId' | 'durationMs'>;

export function summary(line: LineRecord): AirSummary {
  const { lineId, text, priority, source, questionId, durationMs } = line;
  return { lineId, text, priority, source, questionId, durationMs };
}

export function emptyRuntime(): Runtime {
  return {
    v: 1, lastEventId: '0-0', lines: [], answers: {}, seq: 0, host: null, fillerLastAired: {}, retired: {},
    show: {
      state: 'idle', waitingFor: null, rundownVersion: 0, segmentId: null, itemIndex: 0, loops: 0, step: null,
      runs: {}, pendingMove: null, overUnderMs: 0, heldFrom: null, startedAt: null,
    },
  };
}
