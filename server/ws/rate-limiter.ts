/**
 * Token bucket per connection. Refused messages are counted per second; a client that
 * keeps sending at well over its rate for a whole second is flooding and gets closed.
 */
export class RateLimiter {
  private tokens: number;
  private last = performance.now();
  private windowStart = this.last;
  private refusedInWindow = 0;

  constructor(private readonly ratePerSecond: number, private readonly burst: number) {
    this.tokens = burst;
  }

  /** 'ok', 'refuse' (error frame), or 'close' (sustained flood: close 1008). */
  take(now = performance.now()): 'ok' | 'refuse' | 'close' {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.refusedInWindow = 0;
    }
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 'ok';
    }
    this.refusedInWindow += 1;
    return this.refusedInWindow > this.ratePerSecond ? 'close' : 'refuse';
  }
}
