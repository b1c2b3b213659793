/** Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"). */
export class Backoff {
  private attempt = 0;

  constructor(private readonly baseMs = 250, private readonly maxMs = 15_000, private readonly random = Math.random) {
    if (baseMs <= 0 || maxMs < baseMs) throw new RangeError('backoff needs 0 < baseMs <= maxMs');
  }

  next(): number {
    const cap = Math.min(this.maxMs, this.baseMs * 2 ** this.attempt++);
    return Math.round(cap / 2 + (this.random() * cap) / 2);
  }

  reset(): void {
    this.attempt = 0;
  }
}
