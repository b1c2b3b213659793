/** Raised when an awaited event does not come: the bench fails on it, loudly. */
export class BenchTimeoutError extends Error {
  override readonly name = 'BenchTimeoutError';
}

interface Waiter<T> { pred: (e: T) => boolean; resolve: (e: T) => void }

/**
 * Events as they happen, each stamped with `at` (performance.now(), one clock for the
 * whole bench process), and a way to wait for the first one matching a test that came
 * at or after a given moment — whether it has already happened or not.
 */
export class EventLog<T extends { at: number }> {
  private readonly events: T[] = [];
  private waiters: Array<Waiter<T>> = [];

  constructor(private readonly limit = 5000) {}

  push(e: T): void {
    this.events.push(e);
    if (this.events.length > this.limit) this.events.splice(0, this.events.length - this.limit);
    this.waiters = this.waiters.filter((w) => (w.pred(e) ? (w.resolve(e), false) : true));
  }

  all(pred: (e: T) => boolean = () => true): T[] {
    return this.events.filter(pred);
  }

  /** The first event at or after `after` matching `pred`; rejects after `timeoutMs` with `what` in the message. */
  next(what: string, after: number, pred: (e: T) => boolean, timeoutMs: number): Promise<T> {
    const test = (e: T) => e.at >= after && pred(e);
    const seen = this.events.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = {
        pred: test,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new BenchTimeoutError(`${what}: nothing in ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }
}
