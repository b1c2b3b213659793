import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { FlvTagReader, parseRtmpUrl, RtmpPublisher, type RtmpTarget } from '../../media/rtmp/index.js';
import { packetCarries } from '../../protocol/index.js';
import type { Logger } from '../log.js';
import { redactStreamUrl, silentLogger } from '../log.js';
import { AUDIO_CHANNELS, SAMPLE_RATE } from '../media/media-timing.js';
import type { Box } from '../renderer/layout.js';
import { ffmpegArgs, type EncoderSettings } from './encoder-settings.js';
import { I420Picture } from './i420-picture.js';

/** The encoder's states, in one place. */
export type EncoderState = 'idle' | 'running' | 'backoff' | 'stopped';

export interface FfmpegEncoderOptions {
  settings: EncoderSettings;
  log?: Logger;
  ffmpegPath?: string;
  /** Wraps the spawn (e.g. `taskset -c 0`) — benches pin ffmpeg to a core this way. */
  commandPrefix?: string[];
  /** Delay before restarting an ffmpeg that died after a healthy run; keeps re-publish < 2 s. */
  restartDelayMs?: number;
  /** Backoff cap when ffmpeg keeps failing fast (the RTMP target refusing). */
  maxBackoffMs?: number;
  /** A run this long counts as healthy and resets the backoff. */
  healthyAfterMs?: number;
  /** Frames allowed to queue in the video pipe before pairs are dropped. */
  maxQueuedFrames?: number;
}

export interface EncoderEvents {
  spawn: [pid: number];
  exit: [info: { code: number | null; signal: NodeJS.Signals | null; ranMs: number }];
  progress: [info: { frame: number; fps: number }];
}

/**
 * ffmpeg as a child process that publishes one room. It is restarted when it dies (a
 * crash, the RTMP server dropping us), quickly after a healthy run and with jittered
 * exponential backoff while it keeps failing. Video and audio for a frame are written
 * together or dropped together, so a stall can never shift one against the other.
 */
export class FfmpegEncoder extends EventEmitter<EncoderEvents> {
  state: EncoderState = 'idle';
  framesWritten = 0;
  /** Frames written to the ffmpeg now running: its input timestamps count them from 0. */
  private framesThisRun = 0;
  framesDropped = 0;
  encodedFrames = 0;
  private child: ChildProcess | null = null;
  private video: Writable | null = null;
  private audio: Writable | null = null;
  private spawnedAt = 0;
  private failures = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private exited: Promise<void> = Promise.resolve();
  private readonly o: Required<Omit<FfmpegEncoderOptions, 'log'>> & { log: Logger };
  private readonly frameBytes: number;
  private readonly picture: I420Picture;
  /** Pipe buffers ffmpeg has consumed, reused so a frame costs no fresh 1.4 MB allocation. */
  private readonly spare: Buffer[] = [];
  /** Set for an RTMP(S) output: published from this process, never given to ffmpeg. */
  private readonly rtmp: RtmpTarget | null;
  private publisher: RtmpPublisher | null = null;
  /** Lines waiting for their first audio packet out of this run of ffmpeg (whenEncoded). */
  private encodeWaiters: Array<{ streamTimeMs: number; resolve: (at: number | null) => void }> = [];

  constructor(options: FfmpegEncoderOptions) {
    super();
    this.o = {
      ffmpegPath: 'ffmpeg', commandPrefix: [], restartDelayMs: 200, maxBackoffMs: 10_000,
      healthyAfterMs: 5_000, maxQueuedFrames: 3, ...options, log: options.log ?? silentLogger,
    };
    // An option passed as undefined must not erase its default.
    this.o.ffmpegPath = options.ffmpegPath ?? 'ffmpeg';
    this.o.commandPrefix = options.commandPrefix ?? [];
    const { width, height, fps } = this.o.settings;
    if (!(width > 0 && height > 0 && width % 2 === 0 && height % 2 === 0)) throw new RangeError('settings.width/height must be positive and even');
    if (!(fps > 0)) throw new RangeError('settings.fps must be positive');
    this.picture = new I420Picture(width, height);
    this.frameBytes = this.picture.data.length;
    this.rtmp = /^rtmps?:\/\//.test(this.o.settings.output) ? parseRtmpUrl(this.o.settings.output) : null;
  }

  /** The output with the stream key masked, the only form that may be logged. */
  get safeOutput(): string {
    return redactStreamUrl(this.o.settings.output);
  }

  /** Frames written but not yet taken by ffmpeg (benches use it for backpressure). */
  get backlogFrames(): number {
    return this.video ? this.video.writableLength / this.frameBytes : 0;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.spawnChild();
  }

  /**
   * Queues one frame's picture and sound. The picture is RGBA: the whole frame, or the
   * pixels of `box` where only that changed since the previous frame (see FramePatch).
   * Returns false when the pair was dropped (ffmpeg restarting or not keeping up); the
   * picture is kept up to date all the same, so the next frame sent is whole.
   */
  writeFrame(rgba: Buffer, audio: Int16Array, box?: Box): boolean {
    this.picture.paint(rgba, box);
    const { video, audio: apipe } = this;
    if (this.state !== 'running' || !video || !apipe || video.destroyed || apipe.destroyed) {
      this.framesDropped++;
      return false;
    }
    if (video.writableLength > this.frameBytes * this.o.maxQueuedFrames) {
      this.framesDropped++;
      return false;
    }
    // The pipe keeps a reference until ffmpeg has read it, so each write gets its own copy.
    const frame = this.spare.pop() ?? Buffer.allocUnsafeSlow(this.frameBytes);
    this.picture.data.copy(frame);
    video.write(frame, () => {
      if (this.spare.length < this.o.maxQueuedFrames + 2) this.spare.push(frame);
    });
    apipe.write(Buffer.from(audio.buffer, audio.byteOffset, audio.byteLength));
    this.framesWritten++;
    this.framesThisRun++;
    return true;
  }

  /**
   * Where the next frame written lands in the published stream (ms): ffmpeg stamps its raw
   * inputs by count, so frame n of this run is at n / fps. Null while ffmpeg is not running.
   */
  streamTimeMs(): number | null {
    return this.state === 'running' ? Math.round((this.framesThisRun * 1000) / this.o.settings.fps) : null;
  }

  /**
   * Resolves with the wall clock at which the audio packet carrying `streamTimeMs` went to
   * the RTMP publisher; null after `timeoutMs`, when ffmpeg exits first (a new run counts its
   * timestamps from 0 again), or when the output is not RTMP (nothing passes through here).
   */
  whenEncoded(streamTimeMs: number, timeoutMs: number): Promise<number | null> {
    if (!this.rtmp || this.state !== 'running') return Promise.resolve(null);
    return new Promise((resolve) => {
      const waiter = {
        streamTimeMs,
        resolve: (at: number | null) => {
          clearTimeout(timer);
          this.encodeWaiters = this.encodeWaiters.filter((w) => w !== waiter);
          resolve(at);
        },
      };
      const timer = setTimeout(() => waiter.resolve(null), timeoutMs);
      this.encodeWaiters.push(waiter);
    });
  }

  private encodedAudio(packetTs: number): void {
    if (!this.encodeWaiters.length) return;
    const now = Date.now();
    for (const w of [...this.encodeWaiters]) if (packetCarries(packetTs, w.streamTimeMs)) w.resolve(now);
  }

  /** Ends the stream cleanly (flushes the FLV trailer), killing ffmpeg if it lingers. */
  async stop(timeoutMs = 3000): Promise<void> {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const prev = this.state;
    this.state = 'stopped';
    if (prev !== 'running' || !this.child) return;
    const child = this.child;
    // Not yet publishing: there is nothing to flush to the server.
    if (this.publisher?.state === 'connecting') this.publisher.destroy();
    this.video?.end();
    this.audio?.end();
    const kill = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(kill);
  }

  private spawnChild(): void {
    // An RTMP target's stream name carries the publish key: ffmpeg muxes FLV onto fd 4
    // and this process publishes it, so the key is in no process's arguments.
    const output = this.rtmp ? 'pipe:4' : this.o.settings.output;
    const args = ffmpegArgs({ ...this.o.settings, output }, SAMPLE_RATE, AUDIO_CHANNELS);
    const [cmd, ...pre] = [...this.o.commandPrefix, this.o.ffmpegPath];
    const child = spawn(cmd!, [...pre, ...args], { stdio: ['pipe', 'pipe', 'pipe', 'pipe', this.rtmp ? 'pipe' : 'ignore'] });
    this.child = child;
    this.video = child.stdin;
    this.audio = child.stdio[3] as Writable;
    this.framesThisRun = 0;
    this.spawnedAt = Date.now();
    this.state = 'running';
    // EPIPE when ffmpeg dies mid-write is expected; the exit handler restarts it.
    child.stdin?.on('error', () => undefined);
    this.audio.on('error', () => undefined);
    let progress = '';
    child.stdout?.on('data', (c: Buffer) => {
      progress += c.toString();
      const lines = progress.split('\n');
      progress = lines.pop() ?? '';
      for (const line of lines) {
        const [k, v] = line.split('=');
        if (k === 'frame') this.encodedFrames = Number(v);
        if (k === 'fps') this.emit('progress', { frame: this.encodedFrames, fps: Number(v) });
      }
    });
    let lastErr = '';
    child.stderr?.on('data', (c: Buffer) => {
      lastErr = c.toString().trim().split('\n').pop() ?? lastErr;
    });
    let publishErr: string | null = null;
    if (this.rtmp) {
      this.publisher = this.relay(child, this.rtmp, (reason) => {
        publishErr = reason;
      });
    }
    this.exited = new Promise((resolve) => {
      child.on('error', (err) => {
        this.o.log.error({ err: err.message }, 'ffmpeg could not start');
      });
      child.on('close', (code, signal) => {
        resolve();
        // The publisher's reason says why (refused, connection lost); ffmpeg then only saw a broken pipe.
        this.onExit(child, code, signal, publishErr ?? lastErr);
      });
    });
    if (child.pid) {
      this.o.log.info({ pid: child.pid, output: this.safeOutput, codec: this.o.settings.codec }, 'encoder started');
      this.emit('spawn', child.pid);
    }
  }

  /**
   * Carries ffmpeg's FLV from fd 4 to an RTMP session: nothing is read until the server
   * accepted the publish (ffmpeg, and then the frame pipes, wait meanwhile), and reading
   * pauses while the socket is full, so a slow server backs up into dropped frames as
   * ffmpeg's own RTMP output did. Either side failing ends both: the restart begins anew.
   */
  private relay(child: ChildProcess, target: RtmpTarget, failed: (reason: string) => void): RtmpPublisher {
    const flv = child.stdio[4] as Readable;
    const reader = new FlvTagReader();
    const publisher = new RtmpPublisher(target);
    flv.pause();
    publisher.once('publishing', () => {
      this.o.log.info({ output: this.safeOutput }, 'publishing');
      flv.resume();
    });
    publisher.once('closed', (reason) => {
      // A paused pipe never sees its end; destroyed, it lets the child's 'close' fire.
      flv.destroy();
      if (reason === null) return;
      failed(reason);
      child.kill('SIGKILL');
    });
    flv.on('data', (chunk: Buffer) => {
      let full = false;
      try {
        for (const tag of reader.push(chunk)) {
          // Stamped before the send: the gateway can read the packet (and stamp its arrival)
          // before this process runs again, which put ingest before "encoded" under load.
          if (tag.type === 8) this.encodedAudio(tag.timestamp);
          full = !publisher.send(tag) || full;
        }
      } catch (err) {
        failed((err as Error).message);
        publisher.destroy();
        child.kill('SIGKILL');
        return;
      }
      if (full && !publisher.ended) {
        flv.pause();
        publisher.once('drain', () => flv.resume());
      }
    });
    flv.on('end', () => publisher.finish());
    flv.on('error', () => undefined);
    return publisher;
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null, lastErr: string): void {
    if (child !== this.child) return;
    const ranMs = Date.now() - this.spawnedAt;
    this.child = null;
    for (const w of [...this.encodeWaiters]) w.resolve(null);
    this.publisher?.destroy();
    this.publisher = null;
    this.video = null;
    this.audio = null;
    this.emit('exit', { code, signal, ranMs });
    if (this.state === 'stopped') return;
    this.failures = ranMs >= this.o.healthyAfterMs ? 0 : this.failures + 1;
    const delay = this.failures <= 1
      ? this.o.restartDelayMs
      : Math.min(this.o.maxBackoffMs, this.o.restartDelayMs * 2 ** (this.failures - 1)) * (0.5 + Math.random() / 2);
    this.o.log.warn({ code, signal, ranMs, retryInMs: Math.round(delay), reason: lastErr, output: this.safeOutput }, 'encoder exited; restarting');
    this.state = 'backoff';
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.state === 'backoff') this.spawnChild();
    }, delay);
  }
}
