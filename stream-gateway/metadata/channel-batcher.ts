import type { Logger } from 'pino';
import { describeAwsError, isThrottle } from '../../protocol/aws-retry.js';
import { IVS_METADATA_MAX_BYTES, packPayload, type MetadataItem } from './metadata-payload.js';

export interface BatcherOptions {
  /** Items arriving within this window after an idle period go out together (ms). */
  windowMs?: number;
  /**
   * Least time between two calls on one channel (ms). IVS allows 5 PutMetadata/s per
   * channel; 220 rather than 200 leaves room for network jitter bunching two requests.
   */
  minIntervalMs?: number;
  maxBytes?: number;
  /** Beyond this backlog the oldest items are dropped: a caption seconds late is worse than none. */
  maxQueue?: number;
  /** Attempts per payload when IVS throttles. */
  attempts?: number;
}

const DEFAULTS: Required<BatcherOptions> = { windowMs: 200, minIntervalMs: 220, maxBytes: IVS_METADATA_MAX_BYTES, maxQueue: 100, attempts: 4 };

/**
 * One IVS channel's outgoing timed metadata: items are coalesced into JSON-array payloads
 * of at most 1 KB, one call at a time, never two calls closer than minIntervalMs, with a
 * throttled call retried (after a backoff that also respects the interval) before the next.
 */
export class ChannelBatcher {
  private readonly opts: Required<BatcherOptions>;
  private queue: MetadataItem[] = [];
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private lastCallAt = 0;
  private closed = false;
  dropped = 0;

  constructor(
    readonly channelArn: string,
    private readonly send: (payload: string) => Promise<void>,
    private readonly log: Logger,
    options: BatcherOptions = {},
  ) {
    this.opts = { ...DEFAULTS, ...options };
    if (this.opts.minIntervalMs < 200) throw new TypeError('minIntervalMs must be at least 200 (IVS: 5 PutMetadata/s per channel)');
  }

  push(item: MetadataItem): void {
    if (this.closed) return;
    this.queue.push(item);
    if (this.queue.length > this.opts.maxQueue) {
      const over = this.queue.length - this.opts.maxQueue;
      this.queue.splice(0, over);
      this.dropped += over;
      this.log.warn({ channel: this.channelArn, dropped: over }, 'timed metadata backlog: oldest items dropped');
    }
    this.schedule(true);
  }

  /** Items not yet sent. */
  pending(): number {
    return this.queue.length;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queue = [];
  }

  private schedule(fresh: boolean): void {
    if (this.timer || this.busy || !this.queue.length || this.closed) return;
    const spacing = this.lastCallAt + this.opts.minIntervalMs - Date.now();
    const delay = Math.max(spacing, fresh ? this.opts.windowMs : 0, 0);
    this.timer = setTimeout(() => { this.timer = null; void this.flush(); }, delay);
  }

  private async flush(): Promise<void> {
    if (this.closed || !this.queue.length) return;
    this.busy = true;
    const { payload, used } = packPayload(this.queue, this.opts.maxBytes);
    this.queue.splice(0, used);
    try {
      for (let attempt = 1; ; attempt += 1) {
        const wait = this.lastCallAt + this.opts.minIntervalMs - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (this.closed) return;
        this.lastCallAt = Date.now();
        try {
          await this.send(payload);
          break;
        } catch (err) {
          if (!isThrottle(err) || attempt >= this.opts.attempts) {
            this.log.warn({ channel: this.channelArn, items: used, err: describeAwsError(err), attempts: attempt }, 'PutMetadata failed: items dropped');
            break;
          }
          // Exponential backoff with jitter on top of the spacing every call keeps.
          const backoff = this.opts.minIntervalMs * 2 ** (attempt - 1);
          await new Promise((r) => setTimeout(r, Math.round(backoff / 2 + Math.random() * backoff / 2)));
        }
      }
    } finally {
      this.busy = false;
      this.schedule(false);
    }
  }
}
