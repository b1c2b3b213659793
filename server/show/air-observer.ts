import type { LineSource, SegmentPriority } from '../../protocol/index.js';

/** One airing of a line as the render host reported it. */
export interface AirReport {
  room: string;
  lineId: string;
  airId: string;
  text: string;
  priority: SegmentPriority;
  source: LineSource;
  questionId: string | null;
  hostId: string;
  mediaTimeMs: number;
  /** Server wall clock when the report was handled. */
  at: number;
  durationMs: number;
  /** The show run the line belongs to (its go), or null outside a show. */
  showId: string | null;
  /** Where the line starts in the stream the host publishes (ms), when the host said. */
  streamTimeMs?: number;
}

/**
 * Who hears what went on air. The show decides and the render host reports; the newsroom
 * (question status, bots, the as-run log) listens here — the show never calls it directly,
 * so imports run newsroom → show only.
 */
export interface AirObserver {
  lineStarted(report: AirReport): Promise<void>;
  lineEnded(report: AirReport & { interrupted: boolean }): Promise<void>;
  answerStarted(room: string, questionId: string): Promise<void>;
  answerSpoken(room: string, questionId: string, text: string): Promise<void>;
  answerDropped(room: string, questionId: string, reason: string): Promise<void>;
}

export const nobodyObserves: AirObserver = {
  lineStarted: async () => undefined,
  lineEnded: async () => undefined,
  answerStarted: async () => undefined,
  answerSpoken: async () => undefined,
  answerDropped: async () => undefined,
};
