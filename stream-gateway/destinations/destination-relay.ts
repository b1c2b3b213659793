import type { Logger } from 'pino';
import { redactTarget, redactUrls } from '../../protocol/destinations.js';
import { parseRtmpUrl, type RtmpTarget } from '../../media/rtmp/index.js';
import type { DestinationState, DestinationStatus } from './destination-state.js';
import { RelaySession } from './relay-session.js';

export interface RelayOptions {
  id: string;
  room: string;
  /** The room's program feed (HTTP-FLV on loopback, with a play token if one is needed); asked on every attempt. */
  sourceUrl: () => string;
  targetUrl: string;
  log: Logger;
  onStatus?: (status: DestinationStatus) => void;
  /** Consecutive attempts that never reach live before the destination is `failed`. */
  maxAttempts?: number;
  /** Wait before attempt n+1 (the last value repeats). */
  backoffMs?: number[];
  /** No session within this long, no data from the feed or no progress writing to the destination ends the attempt. */
  ioTimeoutMs?: number;
  /** Certificates trusted for rtmps:// destinations besides Node's store (a private CA). */
  tlsCa?: string | Buffer;
}

const DEFAULTS = { maxAttempts: 5, backoffMs: [1000, 2000, 5000, 10_000], ioTimeoutMs: 10_000 };
/** How often the bitrate is measured (ms): the health writer reads it every 2 s. */
const BITRATE_EVERY_MS = 1000;

/**
 * Forwards one room's program to one RTMP(S) destination. The RTMP session runs in this
 * process (relay-session.ts), not in an `ffmpeg -c copy` child: a child's arguments would
 * show the stream key to every local user in `ps`. Nothing is re-encoded, so a relay costs
 * little CPU and adds no generation loss. Restarts with backoff while the show is on; gives
 * up (`failed`) after maxAttempts in a row that never went live, or at once for a URL that
 * no attempt could publish to.
 */
export class DestinationRelay {
  private readonly opts: Required<Omit<RelayOptions, 'onStatus' | 'tlsCa'>> & Pick<RelayOptions, 'onStatus' | 'tlsCa'>;
  private readonly target: RtmpTarget | null;
  private readonly unusable: string | null;
  private session: RelaySession | null = null;
  private ended: Promise<void> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | null = null;
  private bitrateTimer: NodeJS.Timeout | null = null;
  private stopped = true;
  private current: DestinationStatus;

  constructor(options: RelayOptions) {
    this.opts = { ...DEFAULTS, ...options };
    if (this.opts.maxAttempts < 1) throw new TypeError('maxAttempts must be at least 1');
    if (!(this.opts.ioTimeoutMs > 0)) throw new TypeError('ioTimeoutMs must be positive');
    this.current = { id: options.id, room: options.room, state: 'idle', target: redactTarget(options.targetUrl), attempts: 0, since: Date.now() };
    let target: RtmpTarget | null = null;
    let unusable: string | null = null;
    try {
      target = parseRtmpUrl(options.targetUrl);
    } catch (err) {
      unusable = (err as Error).message; // says what is wrong, never repeats the URL
    }
    this.target = target;
    this.unusable = unusable;
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
    if (!this.target) {
      this.current.lastError = this.unusable ?? 'unusable URL';
      this.set('failed');
      return;
    }
    this.bitrateTimer = this.measureBitrate();
    this.attempt(this.target);
  }

  /** Ends forwarding; resolves once the session is closed. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.bitrateTimer) clearInterval(this.bitrateTimer);
    this.bitrateTimer = null;
    this.session?.stop();
    await this.ended;
    this.current.bitrateKbps = 0;
    this.set('idle');
  }

  private set(state: DestinationState): void {
    if (this.current.state === state) return;
    this.current.state = state;
    this.current.since = Date.now();
    const error = state === 'retrying' || state === 'failed' ? this.current.lastError : undefined;
    this.opts.log.info({ room: this.current.room, destination: this.current.id, state, attempts: this.current.attempts, error }, 'destination state');
    this.opts.onStatus?.(this.status());
  }

  private attempt(target: RtmpTarget): void {
    this.set('connecting');
    const session = new RelaySession(target, this.opts.sourceUrl(), { ioTimeoutMs: this.opts.ioTimeoutMs, ca: this.opts.tlsCa });
    this.session = session;
    session.once('live', () => {
      if (this.session !== session || this.stopped) return;
      this.current.attempts = 0;
      this.set('live');
    });
    this.ended = new Promise((resolve) => {
      session.once('ended', (reason) => {
        if (this.session === session) this.session = null;
        resolve();
        if (this.stopped) return;
        this.current.bitrateKbps = 0;
        // The publisher already masks the stream name; URLs a reason might carry are redacted too.
        this.current.lastError = redactUrls(reason ?? 'the session ended');
        this.current.attempts += 1;
        if (this.current.attempts >= this.opts.maxAttempts) {
          this.opts.log.warn({ room: this.current.room, destination: this.current.id, error: this.current.lastError }, 'destination failed');
          if (this.bitrateTimer) clearInterval(this.bitrateTimer);
          this.bitrateTimer = null;
          this.set('failed');
          return;
        }
        this.set('retrying');
        const backoff = this.opts.backoffMs;
        const wait = backoff[Math.min(this.current.attempts - 1, backoff.length - 1)] ?? 1000;
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          if (!this.stopped) this.attempt(target);
        }, wait);
      });
    });
  }

  /** Bits sent per second over the last interval, as ffmpeg's progress reported it. */
  private measureBitrate(): NodeJS.Timeout {
    let lastSession: RelaySession | null = null;
    let lastBytes = 0;
    let lastAt = Date.now();
    const timer = setInterval(() => {
      const now = Date.now();
      const session = this.session;
      const bytes = session?.bytesSent ?? 0;
      const sent = session && session === lastSession ? bytes - lastBytes : bytes;
      this.current.bitrateKbps = session ? Math.round((sent * 8 * 10) / Math.max(1, now - lastAt)) / 10 : 0;
      lastSession = session;
      lastBytes = bytes;
      lastAt = now;
    }, BITRATE_EVERY_MS);
    timer.unref();
    return timer;
  }
}
