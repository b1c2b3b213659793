import type { AvatarCommand, SpeechSegment } from '../../../protocol/index.js';
import type { Logger } from '../../../render-bridge/log.js';
import type { AudioDecoder } from '../../../render-bridge/media/audio-decoder.js';
import { FPS } from '../../../render-bridge/media/media-timing.js';
import { SpeechScheduler } from '../../../render-bridge/media/speech-scheduler.js';
import { FrameTicker } from '../../../render-bridge/room/frame-ticker.js';
import type { RoomAssignment, RoomEvents, RoomFactory, RoomHandle } from '../../../render-bridge/room/room-handle.js';
import { EventLog } from './event-log.js';

/** What happened on a room's media clock, stamped with performance.now(). */
export type HostEvent =
  /** A speech.segment reached the room (the render host handed it over as it arrived). */
  | { kind: 'segment'; at: number; segment: SpeechSegment }
  /** The segment's audio decoded (ffmpeg, as the real host does), ready for the clock. */
  | { kind: 'decoded'; at: number; segmentId: string }
  /** Its audio could not be decoded: the scheduler skips the segment, as the real host does. */
  | { kind: 'decode-failed'; at: number; segmentId: string; error: string }
  /** The first frame where the scheduler's tick() said `speaking: true` for this segment. */
  | { kind: 'audio'; at: number; segmentId: string; frame: number }
  /** A speech.stop reached the room; `cuts` is the segment on air it names, if any. */
  | { kind: 'stop'; at: number; segmentIds: readonly string[]; cuts: string | null }
  /** After a stop that cut a segment: the first frame with the mouth closed. */
  | { kind: 'closed'; at: number; segmentId: string; frame: number }
  | { kind: 'finished'; at: number; segmentId: string; interrupted: boolean }
  /** An avatar command relayed to the room (the bench's baseline path). */
  | { kind: 'command'; at: number; command: AvatarCommand }
  /** The room started on this host, or was released from it. */
  | { kind: 'room'; at: number; state: 'started' | 'closed' };

export interface ClockRoomFactoryOptions {
  decoder: AudioDecoder;
  log: Logger;
  /** Every room's events, by room id. */
  logs: Map<string, EventLog<HostEvent>>;
}

/**
 * A room that runs the render host's real media clock — the SpeechScheduler ticked by a
 * FrameTicker at 30 fps, segments decoded by the real ffmpeg decoder — and draws and
 * encodes nothing. So "first audio frame" is the frame the real clock would have put on
 * air, for many more rooms than a 2-core machine could render.
 */
class ClockRoom implements RoomHandle {
  readonly room: string;
  private readonly speech: SpeechScheduler;
  private readonly ticker: FrameTicker;
  private speakingId: string | null = null;
  private cutting: string | null = null;
  private readonly frameTimes: number[] = [];
  /** The segment whose audio the scheduler asks for now (it does so inside enqueue). */
  private enqueuing: string | null = null;

  constructor(assignment: RoomAssignment, private readonly events: RoomEvents, private readonly log: EventLog<HostEvent>, o: ClockRoomFactoryOptions) {
    this.room = assignment.room;
    const decoder: AudioDecoder = {
      decode: async (audio) => {
        const segmentId = this.enqueuing ?? '?';
        try {
          const pcm = await o.decoder.decode(audio);
          log.push({ kind: 'decoded', at: performance.now(), segmentId });
          return pcm;
        } catch (err) {
          log.push({ kind: 'decode-failed', at: performance.now(), segmentId, error: (err as Error).message });
          throw err;
        }
      },
    };
    this.speech = new SpeechScheduler({
      decoder, log: o.log,
      onEvent: (e) => {
        if (e.type === 'started') {
          events.speechStarted(this.room, e.segmentId, e.mediaTimeMs);
          // Nothing is drawn or encoded here: the line's timing ends on the media clock (bench:latency's second run).
          if (e.timing) events.speechTiming?.(this.room, e.segmentId, { ...e.timing, mediaTimeMs: e.mediaTimeMs });
        } else if (e.type === 'finished') {
          events.speechFinished(this.room, e.segmentId, e.mediaTimeMs, e.interrupted);
          log.push({ kind: 'finished', at: performance.now(), segmentId: e.segmentId, interrupted: e.interrupted });
        }
      },
    });
    this.ticker = new FrameTicker({ fps: FPS, onFrame: (f) => this.frame(f) });
    this.ticker.start();
    log.push({ kind: 'room', at: performance.now(), state: 'started' });
  }

  /** The clock's state, for a failure's message. */
  describe(): string {
    return `frame ${this.ticker.nextFrame}, ticker ${this.ticker.running ? 'running' : 'stopped'} (${this.ticker.rebases} rebases), `
      + `playing ${this.speech.playingSegmentId ?? 'nothing'}, queued [${this.speech.queuedSegmentIds.join(', ')}]`;
  }

  private frame(n: number): void {
    const { speaking } = this.speech.tick(n);
    const at = performance.now();
    const playing = speaking ? this.speech.playingSegmentId : null;
    if (this.cutting !== null && !speaking) {
      this.log.push({ kind: 'closed', at, segmentId: this.cutting, frame: n });
      this.cutting = null;
    }
    if (playing !== null && playing !== this.speakingId) this.log.push({ kind: 'audio', at, segmentId: playing, frame: n });
    this.speakingId = playing;
    this.frameTimes.push(at);
    if (this.frameTimes.length > 90) this.frameTimes.shift();
  }

  update(): void {}

  enqueue(segment: SpeechSegment): void {
    this.log.push({ kind: 'segment', at: performance.now(), segment });
    this.enqueuing = segment.segmentId;
    try {
      this.speech.enqueue(segment);
    } finally {
      this.enqueuing = null;
    }
  }

  async command(_commandId: string, command: AvatarCommand): Promise<void> {
    const at = performance.now();
    if (command.name !== 'stop') {
      this.log.push({ kind: 'command', at, command });
      return;
    }
    const onAir = this.speech.playingSegmentId;
    const cuts = onAir !== null && (!command.segmentIds || command.segmentIds.includes(onAir)) ? onAir : null;
    this.log.push({ kind: 'stop', at, segmentIds: command.segmentIds ?? [], cuts });
    if (cuts !== null) this.cutting = cuts;
    this.speech.stop(command.segmentIds);
  }

  fps(): number {
    const t = this.frameTimes;
    return t.length > 1 ? ((t.length - 1) * 1000) / (t[t.length - 1]! - t[0]!) : 0;
  }

  async close(): Promise<void> {
    this.ticker.stop();
    this.speech.stop();
    this.log.push({ kind: 'room', at: performance.now(), state: 'closed' });
  }
}

export class ClockRoomFactory implements RoomFactory {
  private readonly rooms = new Map<string, ClockRoom>();

  constructor(private readonly o: ClockRoomFactoryOptions) {}

  describe(room: string): string {
    return this.rooms.get(room)?.describe() ?? 'not on the host';
  }

  create(assignment: RoomAssignment, events: RoomEvents): RoomHandle {
    let log = this.o.logs.get(assignment.room);
    if (!log) {
      log = new EventLog<HostEvent>();
      this.o.logs.set(assignment.room, log);
    }
    const handle = new ClockRoom(assignment, events, log, this.o);
    this.rooms.set(assignment.room, handle);
    return handle;
  }
}
