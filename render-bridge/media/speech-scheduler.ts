import type { LineTiming, SegmentCue, SpeechSegment, VisemeTiming, VisualCommand } from '../../protocol/index.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import type { AudioDecoder } from './audio-decoder.js';
import { AUDIO_CHANNELS, FPS, SAMPLES_PER_FRAME, frameTimeMs, samplesToMs } from './media-timing.js';
import { CLOSED_MOUTH, captionAt, mouthAt, visemeKeys, type MouthPose } from './mouth-timeline.js';

/** A segment's life on the host, written in one place. */
export type SegmentState = 'decoding' | 'ready' | 'playing' | 'finished' | 'dropped' | 'failed';

interface Entry {
  segment: SpeechSegment;
  state: SegmentState;
  pcm: Int16Array | null;
  keys: VisemeTiming[];
  queuedAtFrame: number;
  startFrame: number;
  /** The segment's cues by time, and how many have fired. */
  cues: SegmentCue[];
  cuesFired: number;
  /** Wall clock when its audio was decoded (its timing's decodedAt). */
  decodedAt: number | null;
}

export type SpeechEvent =
  /** `timing`: the segment's timing record with decodedAt and onAirAt (this tick's wall clock), when it came with one. */
  | { type: 'started'; segmentId: string; segmentSeq: number; mediaTimeMs: number; timing?: LineTiming }
  | { type: 'finished'; segmentId: string; segmentSeq: number; mediaTimeMs: number; interrupted: boolean }
  /** A cue of the playing segment reached its time (on this frame): apply its command now. */
  | { type: 'cue'; segmentId: string; command: VisualCommand; mediaTimeMs: number };

/** What the speech track contributes to one video frame. */
export interface FrameSpeech {
  mouth: MouthPose;
  speaking: boolean;
  caption: string | null;
  /** SAMPLES_PER_FRAME × channels s16le samples: this frame's audio, silence when idle. */
  audio: Int16Array;
}

export type EnqueueResult = 'queued' | 'duplicate' | 'stale' | 'dropped';

export interface SpeechSchedulerOptions {
  decoder: AudioDecoder;
  onEvent?: (event: SpeechEvent) => void;
  log?: Logger;
  /**
   * Before anything has played the host does not know the room's next seq; the first
   * arrival waits this long for an earlier one that may be right behind it.
   */
  settleFrames?: number;
  /** A missing seq (lost while the room had no host) is skipped after this long. */
  gapTimeoutFrames?: number;
  /** Wall clock for the timing stamps (tests). */
  now?: () => number;
}

const SILENCE = new Int16Array(SAMPLES_PER_FRAME * AUDIO_CHANNELS);
const MAX_REMEMBERED_IDS = 2000;

/** Keeps a remembered-id set bounded, forgetting the oldest first. */
function trim(set: Set<string>, max: number): void {
  for (const id of set) {
    if (set.size <= max) return;
    set.delete(id);
  }
}

/**
 * One room's speech track on the media clock. Segments play in segmentSeq order, each
 * starting at a frame boundary; `tick(frame)` yields the frame's mouth, caption and the
 * exact audio samples that frame covers, so A/V cannot drift.
 */
export class SpeechScheduler {
  private readonly entries = new Map<number, Entry>();
  private readonly seenIds = new Set<string>();
  private readonly droppedIds = new Set<string>();
  private readonly consumed = new Set<number>();
  private nextSeq: number | null = null;
  private playing: Entry | null = null;
  private cutPending = false;
  private resumeAtFrame = 0;
  private readonly decoding = new Set<Promise<void>>();
  private frame = 0;
  private idleSinceFrame = 0;
  private readonly settleFrames: number;
  private readonly gapTimeoutFrames: number;
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(private readonly opts: SpeechSchedulerOptions) {
    this.now = opts.now ?? Date.now;
    this.settleFrames = opts.settleFrames ?? Math.round(FPS * 0.2);
    this.gapTimeoutFrames = opts.gapTimeoutFrames ?? FPS * 3;
    if (this.settleFrames < 0) throw new RangeError('settleFrames must be >= 0');
    if (this.gapTimeoutFrames < 1) throw new RangeError('gapTimeoutFrames must be >= 1');
    this.log = opts.log ?? silentLogger;
  }

  get playingSegmentId(): string | null {
    return this.playing?.segment.segmentId ?? null;
  }

  /** Segments waiting (decoding or ready), in play order. */
  get queuedSegmentIds(): string[] {
    return [...this.entries.values()]
      .filter((e) => e.state === 'decoding' || e.state === 'ready')
      .sort((a, b) => a.segment.segmentSeq - b.segment.segmentSeq)
      .map((e) => e.segment.segmentId);
  }

  /** Resolves once every segment queued so far has decoded (or failed to). */
  async decoded(): Promise<void> {
    while (this.decoding.size > 0) await Promise.allSettled([...this.decoding]);
  }

  enqueue(segment: SpeechSegment): EnqueueResult {
    const seq = segment.segmentSeq;
    if (this.seenIds.has(segment.segmentId) || this.entries.has(seq) || this.consumed.has(seq)) return 'duplicate';
    if (this.nextSeq !== null && seq < this.nextSeq) return 'stale';
    this.seenIds.add(segment.segmentId);
    trim(this.seenIds, MAX_REMEMBERED_IDS);
    if (this.droppedIds.delete(segment.segmentId)) {
      this.consume(seq);
      return 'dropped';
    }
    const entry: Entry = {
      segment, state: 'decoding', pcm: null, keys: visemeKeys(segment.timeline), queuedAtFrame: this.frame, startFrame: 0,
      cues: [...(segment.cues ?? [])].sort((a, b) => a.atMs - b.atMs), cuesFired: 0, decodedAt: null,
    };
    this.entries.set(seq, entry);
    const decoding = this.opts.decoder.decode(segment.audio).then(
      (pcm) => {
        if (entry.state !== 'decoding') return;
        entry.pcm = pcm;
        entry.state = 'ready';
        entry.decodedAt = this.now();
      },
      (err: unknown) => {
        if (entry.state !== 'decoding') return;
        entry.state = 'failed';
        this.entries.delete(seq);
        this.consume(seq);
        this.log.warn({ segmentId: segment.segmentId, err: (err as Error).message }, 'segment audio failed; skipped');
      },
    );
    this.decoding.add(decoding);
    void decoding.finally(() => this.decoding.delete(decoding));
    return 'queued';
  }

  /**
   * Drops the named queued segments (or all) now; the playing one, if named, is cut at
   * the next frame, so the mouth closes and the audio goes silent within one frame.
   */
  stop(segmentIds?: readonly string[]): void {
    const named = segmentIds ? new Set(segmentIds) : null;
    if (this.playing && (!named || named.has(this.playing.segment.segmentId))) this.cutPending = true;
    for (const [seq, e] of this.entries) {
      if (named && !named.has(e.segment.segmentId)) continue;
      e.state = 'dropped';
      this.entries.delete(seq);
      this.consume(seq);
    }
    // Named segments not here yet are refused when they arrive.
    for (const id of named ?? []) if (!this.seenIds.has(id)) this.droppedIds.add(id);
    trim(this.droppedIds, MAX_REMEMBERED_IDS);
  }

  tick(frame: number): FrameSpeech {
    this.frame = frame;
    if (this.cutPending && this.playing) this.finish(this.playing, true);
    this.cutPending = false;

    if (this.playing && this.offsetOf(this.playing, frame) >= this.playing.pcm!.length) this.finish(this.playing, false);
    if (!this.playing && frame >= this.resumeAtFrame) this.maybeStart(frame);
    const p = this.playing;
    if (!p) return { mouth: CLOSED_MOUTH, speaking: false, caption: null, audio: SILENCE };

    const offset = this.offsetOf(p, frame);
    const pcm = p.pcm!;
    const want = SAMPLES_PER_FRAME * AUDIO_CHANNELS;
    let audio: Int16Array;
    if (offset + want <= pcm.length) {
      audio = pcm.subarray(offset, offset + want);
    } else {
      audio = new Int16Array(want);
      audio.set(pcm.subarray(offset));
    }
    const t = frameTimeMs(frame - p.startFrame);
    this.fireCues(p, t);
    return {
      mouth: mouthAt(p.keys, t),
      speaking: true,
      caption: captionAt(p.segment.timeline, p.segment.text, t),
      audio,
    };
  }

  /** Cues whose time has come, in order: a graphic lands on its word, on this host's media clock. */
  private fireCues(entry: Entry, t: number): void {
    while (entry.cuesFired < entry.cues.length && entry.cues[entry.cuesFired]!.atMs <= t) {
      const cue = entry.cues[entry.cuesFired++]!;
      this.emit({ type: 'cue', segmentId: entry.segment.segmentId, command: cue.command, mediaTimeMs: frameTimeMs(this.frame) });
    }
  }

  private offsetOf(entry: Entry, frame: number): number {
    return (frame - entry.startFrame) * SAMPLES_PER_FRAME * AUDIO_CHANNELS;
  }

  private maybeStart(frame: number): void {
    let head: Entry | undefined;
    for (const e of this.entries.values()) {
      if ((e.state === 'decoding' || e.state === 'ready') && (!head || e.segment.segmentSeq < head.segment.segmentSeq)) head = e;
    }
    if (!head) return;
    const seq = head.segment.segmentSeq;
    const waited = frame - Math.max(head.queuedAtFrame, this.idleSinceFrame);
    // The director marks a segment with nothing earlier still to play: then there is nothing to settle for.
    const inOrder = this.nextSeq === null ? head.segment.head === true || waited >= this.settleFrames : seq <= this.nextSeq;
    if (!inOrder && waited < this.gapTimeoutFrames) return;
    if (head.state !== 'ready') return;
    if (!inOrder) this.log.warn({ expected: this.nextSeq, seq }, 'segment gap timed out; skipping ahead');
    head.state = 'playing';
    head.startFrame = frame;
    this.playing = head;
    this.entries.delete(seq);
    this.nextSeq = Math.max(this.nextSeq ?? 0, seq + 1);
    this.advance();
    const t = head.segment.timing;
    const timing = t ? { ...t, ...(head.decodedAt !== null ? { decodedAt: head.decodedAt } : {}), onAirAt: this.now() } : undefined;
    this.emit({ type: 'started', segmentId: head.segment.segmentId, segmentSeq: seq, mediaTimeMs: frameTimeMs(frame), ...(timing ? { timing } : {}) });
  }

  private finish(entry: Entry, interrupted: boolean): void {
    // A line cut short still takes down what it put up at its end (a caption, say).
    const durationMs = entry.segment.durationMs;
    while (entry.cuesFired < entry.cues.length) {
      const cue = entry.cues[entry.cuesFired++]!;
      if (!interrupted || cue.atMs >= durationMs) this.emit({ type: 'cue', segmentId: entry.segment.segmentId, command: cue.command, mediaTimeMs: frameTimeMs(this.frame) });
    }
    entry.state = 'finished';
    this.playing = null;
    this.idleSinceFrame = this.frame;
    // After a cut, one silent frame with the mouth closed before anything else plays.
    if (interrupted) this.resumeAtFrame = this.frame + 1;
    const end = interrupted
      ? frameTimeMs(this.frame)
      : frameTimeMs(entry.startFrame) + samplesToMs(entry.pcm!.length / AUDIO_CHANNELS);
    this.emit({ type: 'finished', segmentId: entry.segment.segmentId, segmentSeq: entry.segment.segmentSeq, mediaTimeMs: end, interrupted });
  }

  private consume(seq: number): void {
    this.consumed.add(seq);
    if (this.nextSeq === null) {
      // Nothing has played: a dropped first segment still tells us where the room is.
      const lowestWaiting = Math.min(...[...this.entries.keys()]);
      if (!(lowestWaiting < seq)) this.nextSeq = seq + 1;
    }
    this.advance();
  }

  private advance(): void {
    if (this.nextSeq === null) return;
    while (this.consumed.has(this.nextSeq)) this.consumed.delete(this.nextSeq++);
    for (const s of this.consumed) if (s < this.nextSeq) this.consumed.delete(s);
  }

  private emit(event: SpeechEvent): void {
    try {
      this.opts.onEvent?.(event);
    } catch (err) {
      this.log.error({ err }, 'speech event handler threw');
    }
  }
}
