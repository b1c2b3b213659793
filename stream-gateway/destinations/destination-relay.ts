import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import { redactTarget, redactUrls } from '../../protocol/destinations.js';
import type { DestinationState, DestinationStatus } from './destination-state.js';

export interface RelayOptions {
  id: string;
  room: string;
  /** Where the room's stream is read (the gateway's own RTMP, with a fresh play token if needed); asked on every attempt. */
  sourceUrl: () => string;
  targetUrl: string;
  log: Logger;
  onStatus?: (status: DestinationStatus) => void;
  /** Consecutive attempts that never reach live before the destination is `failed`. */
  maxAttempts?: number;
  /** Wait before attempt n+1 (the last value repeats). */
  backoffMs?: number[];
  /** No data for this long on either side ends ffmpeg (and so the attempt). */
  ioTimeoutMs?: number;
  ffmpegPath?: string;
}

const DEFAULTS = { maxAttempts: 5, backoffMs: [1000, 2000, 5000, 10_000], ioTimeoutMs: 10_000, ffmpegPath: 'ffmpeg' };

/**
 * Forwards one room to one RTMP(S) destination with `ffmpeg -c copy`: no re-encode, so a
 * relay costs little CPU and adds no generation loss. Restarts with backoff while the
 * room is live; gives up (`failed`) after maxAttempts in a row that never went live.
 */
export class DestinationRelay {
  private readonly opts: Required<Omit<RelayOptions, 'onStatus'>> & Pick<RelayOptions, 'onStatus'>;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | null = null;
  private stopped = true;
  private current: DestinationStatus;

  constructor(options: RelayOptions) {
    this.opts = { ...DEFAULTS, ...options };
    if (!/^rtmps?:\/\//.test(this.opts.targetUrl)) throw new TypeError(`destination ${options.id}: url must be rtmp:// or rtmps://`);
    if (this.opts.maxAttempts < 1) throw new TypeError('maxAttempts must be at least 1');
    this.current = { id: options.id, room: options.room, state: 'idle', target: redactTarget(options.targetUrl), attempts: 0, since: Date.now() };
  }

  /** The full URL, stream key included: compare it, never log it. */
  get targetUrl(): string {
    return this.opts.targetUrl;
  }

  status(): DestinationStatus {
    return { ...this.current };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.current.attempts = 0;
    delete this.current.lastError;
    this.attempt();
  }

  /** Ends forwarding; resolves once ffmpeg has exited. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const child = this.child;
    if (child) {
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 3000);
      await this.exited;
      clearTimeout(force);
    }
    this.current.bitrateKbps = 0;
    this.set('idle');
  }

  private set(state: DestinationState): void {
    if (this.current.state === state) return;
    this.current.state = state;
    this.current.since = Date.now();
    this.opts.log.info({ room: this.current.room, destination: this.current.id, state, attempts: this.current.attempts }, 'destination state');
    this.opts.onStatus?.(this.status());
  }

  private attempt(): void {
    this.set('connecting');
    const timeoutUs = String(this.opts.ioTimeoutMs * 1000);
    const child = spawn(this.opts.ffmpegPath, [
      '-hide_banner', '-nostdin', '-loglevel', 'error',
      // The gateway sends its cached sequence headers and GOP first, so a short probe finds
      // both tracks; the default (5 s analysis) would only delay going live.
      '-analyzeduration', '1000000', '-probesize', '500000',
      '-rw_timeout', timeoutUs, '-i', this.opts.sourceUrl(),
      '-c', 'copy', '-map', '0',
      '-progress', 'pipe:1', '-stats_period', '0.5',
      '-rw_timeout', timeoutUs, '-f', 'flv', this.opts.targetUrl,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let stderr = '';
    let progress = '';
    child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000); });
    child.stdout?.on('data', (d: Buffer) => {
      progress += d.toString();
      const lines = progress.split('\n');
      progress = lines.pop() ?? '';
      for (const l of lines) {
        const m = /^bitrate=\s*([\d.]+)kbits\/s/.exec(l);
        if (m) this.current.bitrateKbps = Number(m[1]);
      }
      // -progress prints key=value blocks; bytes written to the output mean the destination accepted media.
      if (lines.some((l) => /^total_size=[1-9]/.test(l)) && this.current.state === 'connecting' && this.child === child) {
        this.current.attempts = 0;
        this.set('live');
      }
    });
    this.exited = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        if (this.child === child) this.child = null;
        resolve();
        if (this.stopped) return;
        this.current.lastError = redactUrls(stderr.trim().split('\n').slice(-3).join(' | ')) || `ffmpeg exited (${signal ?? code})`;
        this.current.attempts += 1;
        if (this.current.attempts >= this.opts.maxAttempts) {
          this.opts.log.warn({ room: this.current.room, destination: this.current.id, error: this.current.lastError }, 'destination failed');
          this.set('failed');
          return;
        }
        this.set('retrying');
        const backoff = this.opts.backoffMs;
        const wait = backoff[Math.min(this.current.attempts - 1, backoff.length - 1)] ?? 1000;
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          if (!this.stopped) this.attempt();
        }, wait);
      });
    });
    child.once('error', (err) => { stderr += `\n${err.message}`; });
  }
}
