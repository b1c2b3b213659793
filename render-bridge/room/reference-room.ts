import type { AvatarCommand, LineTiming, SpeechSegment } from '../../protocol/index.js';
import type { Logger } from '../log.js';
import type { AudioDecoder } from '../media/audio-decoder.js';
import { FPS, frameTimeMs } from '../media/media-timing.js';
import { SpeechScheduler, type SpeechEvent } from '../media/speech-scheduler.js';
import type { FrameState, Renderer } from '../renderer/frame-state.js';
import { NO_CHANGE, type Box } from '../renderer/layout.js';
import { AvatarState } from './avatar-state.js';
import { FrameTicker } from './frame-ticker.js';
import type { ImageLoader } from './panel-image.js';
import type { RoomAssignment, RoomEvents, RoomHandle } from './room-handle.js';

/** Where a room's frames go: the encoder, or nothing while it is being replaced. */
export interface FrameSink {
  start(): void;
  /** RGBA of the whole frame, or of `box` only when only that changed (a FramePatch). */
  writeFrame(rgba: Buffer, audio: Int16Array, box?: Box): boolean;
  stop(): Promise<void>;
  /** The published stream's timestamp of the next frame written (ms), when the sink knows it. */
  streamTimeMs?(): number | null;
  /**
   * Resolves with the wall clock at which the encoder's audio packet carrying `streamTimeMs`
   * left for the server (null: not seen within `timeoutMs`, or the encoder restarted).
   */
  whenEncoded?(streamTimeMs: number, timeoutMs: number): Promise<number | null>;
}

/** How long a line's timing report waits for its first packet out of the encoder. */
const ENCODED_WAIT_MS = 2000;

export interface ReferenceRoomOptions {
  assignment: RoomAssignment;
  events: RoomEvents;
  width: number;
  height: number;
  renderer: Renderer;
  /** Builds the encoder for a publish URL (rtmp://…/live/<key>). */
  createSink: (outputUrl: string) => FrameSink;
  decoder: AudioDecoder;
  images: ImageLoader;
  log: Logger;
  /** False in tests that step frames by hand with renderFrame. */
  autoStart?: boolean;
}

/** Blink every 4 s for 150 ms: enough life for an idle avatar, deterministic for tests. */
function blinkAt(ms: number): number {
  const phase = ms % 4000;
  return phase < 150 ? Math.sin((Math.PI * phase) / 150) : 0;
}

export function publishUrl(a: RoomAssignment): string {
  return `${a.publish.url.replace(/\/+$/, '')}/${a.publish.streamKey}`;
}

/**
 * A room drawn by an in-process renderer: the media clock ticks frames; each frame's
 * mouth, caption and audio come from the speech scheduler, the rest from the avatar
 * state, and picture + sound go to the encoder together.
 */
export class ReferenceRoom implements RoomHandle {
  readonly room: string;
  private readonly avatar: AvatarState;
  private readonly speech: SpeechScheduler;
  private readonly ticker: FrameTicker;
  private sink: FrameSink;
  private output: string;
  private renderErrors = 0;
  private readonly frameTimes: number[] = [];
  private closed = false;
  /** Lines that started on this frame: their timing waits for the frame to reach the encoder. */
  private starting: Array<{ segmentId: string; timing: LineTiming }> = [];

  constructor(private readonly o: ReferenceRoomOptions) {
    this.room = o.assignment.room;
    this.avatar = new AvatarState(o.assignment.look, o.images);
    this.speech = new SpeechScheduler({ decoder: o.decoder, log: o.log, onEvent: (e) => this.onSpeech(e) });
    this.ticker = new FrameTicker({ fps: FPS, onFrame: (f) => this.renderFrame(f) });
    this.output = publishUrl(o.assignment);
    this.sink = o.createSink(this.output);
    this.sink.start();
    if (o.autoStart !== false) this.ticker.start();
  }

  /** The scheduler, for tests and benches that step the clock themselves. */
  get scheduler(): SpeechScheduler {
    return this.speech;
  }

  update(assignment: RoomAssignment): void {
    this.avatar.look = { ...assignment.look };
    const output = publishUrl(assignment);
    if (output === this.output) return;
    this.output = output;
    const old = this.sink;
    this.sink = this.o.createSink(output);
    this.sink.start();
    void old.stop().catch((err: unknown) => this.o.log.warn({ err }, 'old encoder did not stop cleanly'));
  }

  enqueue(segment: SpeechSegment): void {
    const result = this.speech.enqueue(segment);
    if (result !== 'queued') this.o.log.debug({ room: this.room, segmentId: segment.segmentId, result }, 'segment not queued');
  }

  async command(_commandId: string, command: AvatarCommand): Promise<void> {
    if (command.name === 'stop') return this.speech.stop(command.segmentIds);
    await this.avatar.apply(command);
  }

  fps(): number {
    const now = Date.now();
    while (this.frameTimes.length > 0 && this.frameTimes[0]! < now - 2000) this.frameTimes.shift();
    return this.frameTimes.length / 2;
  }

  /**
   * Renders and emits frame `frame` of the room's media clock; returns what was drawn:
   * RGBA of the whole frame, or of `box` only when the renderer hands on patches.
   */
  renderFrame(frame: number): { state: FrameState; rgba: Buffer; box?: Box; audio: Int16Array } {
    const speech = this.speech.tick(frame);
    const a = this.avatar;
    const timeMs = frameTimeMs(frame);
    const state: FrameState = {
      width: this.o.width, height: this.o.height, timeMs, look: a.look, action: a.action,
      mouth: speech.mouth, blink: blinkAt(timeMs), speaking: speech.speaking,
      caption: a.operatorCaption ?? speech.caption, panel: a.panel,
    };
    const { renderer } = this.o;
    let rgba: Buffer;
    let box: Box | undefined;
    try {
      if (renderer.renderPatch) ({ rgba, box } = renderer.renderPatch(state));
      else rgba = renderer.render(state);
    } catch (err) {
      // Keep the clock and the audio going on the last good picture: nothing changed.
      if (this.renderErrors++ % 300 === 0) this.o.log.error({ err, room: this.room }, 'render failed');
      rgba = Buffer.alloc(0);
      box = NO_CHANGE;
    }
    const written = this.sink.writeFrame(rgba, speech.audio, box);
    // A dropped frame leaves the stream's clock where it was: the next frame written carries the line's start.
    if (written && this.starting.length) for (const s of this.starting.splice(0)) void this.reportTiming(s.segmentId, { ...s.timing, writtenAt: Date.now() });
    this.frameTimes.push(Date.now());
    if (this.frameTimes.length > 240) this.frameTimes.shift();
    return { state, rgba, box, audio: speech.audio };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.ticker.stop();
    this.speech.stop();
    await this.sink.stop();
    this.o.renderer.close();
  }

  /** Sends a line's timing once its first audio packet is out of the encoder (or that was not seen in time). */
  private async reportTiming(segmentId: string, timing: LineTiming): Promise<void> {
    const sink = this.sink;
    const encodedAt = timing.streamTimeMs !== undefined && sink.whenEncoded ? await sink.whenEncoded(timing.streamTimeMs, ENCODED_WAIT_MS) : null;
    if (this.closed) return;
    this.o.events.speechTiming?.(this.room, segmentId, encodedAt !== null ? { ...timing, encodedAt } : timing);
  }

  private onSpeech(e: SpeechEvent): void {
    if (e.type === 'started') {
      const streamTimeMs = this.sink.streamTimeMs?.() ?? undefined;
      this.o.events.speechStarted(this.room, e.segmentId, e.mediaTimeMs, streamTimeMs);
      if (e.timing) {
        this.starting.push({
          segmentId: e.segmentId,
          timing: { ...e.timing, mediaTimeMs: e.mediaTimeMs, ...(streamTimeMs !== undefined ? { streamTimeMs } : {}) },
        });
      }
    } else if (e.type === 'finished') this.o.events.speechFinished(this.room, e.segmentId, e.mediaTimeMs, e.interrupted);
    else {
      void this.avatar.apply(e.command).catch((err: unknown) => this.o.log.warn({ err, room: this.room, command: e.command.name }, 'cue failed'));
    }
  }
}
