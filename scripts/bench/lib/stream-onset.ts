import { spawn, type ChildProcess } from 'node:child_process';
import { BenchTimeoutError } from './event-log.js';

/**
 * What a viewer hears, timed: a stream pulled the way a player pulls it (HTTP-FLV from the
 * gateway), its audio decoded by ffmpeg to PCM on stdout, each chunk stamped with the
 * moment it arrived, and the level of every 10 ms window. An answer's onset is the first
 * window after the question whose level clears the silence floor; an interrupt's silence
 * is the first window from which the level stays under it. bench:show uses the onset,
 * bench:latency (issue 15) both.
 */

export const PULL_SAMPLE_RATE = 48_000;
export const WINDOW_MS = 10;
const WINDOW_SAMPLES = (PULL_SAMPLE_RATE * WINDOW_MS) / 1000;

export interface LevelWindow {
  /** performance.now() when the chunk that completed this window arrived. */
  at: number;
  /** Index of the window's first sample in the pulled audio (its position in the stream). */
  sample: number;
  /** RMS of the window, in s16 units (0–32767). */
  rms: number;
}

/** RMS of a window of s16 samples. */
export function rms(samples: Int16Array): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
  return samples.length ? Math.sqrt(sum / samples.length) : 0;
}

/**
 * Cuts arriving s16le bytes into windows of `windowSamples`, carrying the remainder (and an
 * odd byte) to the next chunk, so windows line up with the stream whatever the chunk sizes.
 */
export class LevelMeter {
  private carry = Buffer.alloc(0);
  private samples = 0;

  constructor(private readonly windowSamples = WINDOW_SAMPLES) {
    if (!Number.isInteger(windowSamples) || windowSamples < 1) throw new RangeError('windowSamples must be a positive integer');
  }

  /** The windows this chunk completes, stamped `at`. */
  push(chunk: Buffer, at: number): LevelWindow[] {
    const buf = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const bytes = this.windowSamples * 2;
    const whole = Math.floor(buf.length / bytes);
    const out: LevelWindow[] = [];
    for (let w = 0; w < whole; w++) {
      // Copy: a Buffer slice may start at an odd offset, which an Int16Array view cannot.
      const pcm = new Int16Array(this.windowSamples);
      Buffer.from(pcm.buffer).set(buf.subarray(w * bytes, (w + 1) * bytes));
      out.push({ at, sample: this.samples, rms: rms(pcm) });
      this.samples += this.windowSamples;
    }
    this.carry = Buffer.from(buf.subarray(whole * bytes));
    return out;
  }
}

/** The loudest window in [from, to) by arrival: the floor an onset must clear. */
export function silenceFloor(windows: readonly LevelWindow[], from: number, to: number): number {
  let floor = 0;
  for (const w of windows) if (w.at >= from && w.at < to) floor = Math.max(floor, w.rms);
  return floor;
}

/** The first window that arrived at or after `after` louder than `threshold`. */
export function findOnset(windows: readonly LevelWindow[], after: number, threshold: number): LevelWindow | null {
  for (const w of windows) if (w.at >= after && w.rms > threshold) return w;
  return null;
}

/**
 * The first window that arrived at or after `after` from which the level stays at or under
 * `threshold` for `holdMs` of stream (null while that has not been seen yet).
 */
export function findSilence(windows: readonly LevelWindow[], after: number, threshold: number, holdMs: number): LevelWindow | null {
  const need = Math.max(1, Math.ceil(holdMs / WINDOW_MS));
  let start: LevelWindow | null = null;
  let run = 0;
  for (const w of windows) {
    if (w.at < after) continue;
    if (w.rms > threshold) {
      start = null;
      run = 0;
      continue;
    }
    start ??= w;
    if (++run >= need) return start;
  }
  return null;
}

export interface PulledAudioOptions {
  ffmpegPath?: string;
  /** Windows older than this are forgotten (ms of arrival time). */
  keepMs?: number;
  /** How long to wait for the first audio. */
  openTimeoutMs?: number;
}

/** An ffmpeg pulling a stream and decoding its audio, with the level of every window as it arrived. */
export class PulledAudio {
  readonly windows: LevelWindow[] = [];
  private stderr = '';
  private waiters: Array<() => void> = [];
  private exited: string | null = null;
  /** Resolves when ffmpeg has exited (the input ended, or close()). */
  readonly ended: Promise<void>;

  private constructor(private readonly child: ChildProcess, private readonly keepMs: number) {
    this.ended = new Promise((resolve) => child.once('close', () => resolve()));
    const meter = new LevelMeter();
    child.stdout!.on('data', (chunk: Buffer) => {
      const now = performance.now();
      for (const w of meter.push(chunk, now)) this.windows.push(w);
      const cut = this.windows.findIndex((w) => w.at >= now - this.keepMs);
      if (cut > 0) this.windows.splice(0, cut);
      for (const wake of this.waiters.splice(0)) wake();
    });
    child.stderr!.on('data', (d: Buffer) => {
      if (this.stderr.length < 4000) this.stderr += d.toString();
    });
    child.once('close', (code, signal) => {
      this.exited = `ffmpeg exited (${signal ?? code}): ${this.stderr.trim().split('\n').slice(-3).join(' | ')}`;
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /**
   * Starts pulling `url` (any input ffmpeg reads: http://…/live/<room>.flv) and resolves at
   * its first decoded audio. `-flush_packets 1` hands every decoded frame to the pipe at
   * once; without it ffmpeg's 32 KiB output buffer would hold a third of a second back.
   * No `-fflags nobuffer`: it throws away what was read while probing, the AAC
   * configuration with it, and the audio never decodes. What probing buffers is a backlog
   * at the start only: ffmpeg drains it at once and then keeps pace with the live input.
   */
  static async open(url: string, o: PulledAudioOptions = {}): Promise<PulledAudio> {
    const args = [
      '-hide_banner', '-loglevel', 'error', '-nostdin', '-flags', 'low_delay',
      '-i', url, '-vn', '-ac', '1', '-ar', String(PULL_SAMPLE_RATE), '-f', 's16le', '-flush_packets', '1', 'pipe:1',
    ];
    const child = spawn(o.ffmpegPath ?? 'ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const pulled = new PulledAudio(child, o.keepMs ?? 120_000);
    await pulled.until('the first audio of the pulled stream', o.openTimeoutMs ?? 20_000, () => pulled.windows.length > 0);
    return pulled;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Resolves when `done()` holds after some audio arrived; rejects on timeout or when ffmpeg exits. */
  until<T>(what: string, timeoutMs: number, done: () => T | null | false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const deadline = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new BenchTimeoutError(`${what}: not seen in ${timeoutMs} ms`));
      }, timeoutMs);
      const check = () => {
        const v = done();
        if (v !== null && v !== false) {
          clearTimeout(deadline);
          return resolve(v);
        }
        if (this.exited) {
          clearTimeout(deadline);
          return reject(new Error(`${what}: ${this.exited}`));
        }
        this.waiters.push(check);
      };
      check();
    });
  }

  /** The first window after `after` louder than `threshold`. */
  onset(after: number, threshold: number, timeoutMs: number): Promise<LevelWindow> {
    return this.until('an audio onset in the pulled stream', timeoutMs, () => findOnset(this.windows, after, threshold));
  }

  /** The first window after `after` that starts `holdMs` of silence. */
  silence(after: number, threshold: number, holdMs: number, timeoutMs: number): Promise<LevelWindow> {
    return this.until('silence in the pulled stream', timeoutMs, () => findSilence(this.windows, after, threshold, holdMs));
  }

  close(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
  }
}
