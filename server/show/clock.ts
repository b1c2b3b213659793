/**
 * The director's time. Production uses the wall clock; tests drive a manual one, so a
 * show's timing is checked exactly and never depends on the machine's speed.
 */
export interface Clock {
  now(): number;
  /** Calls `fn` at `at` (ms since epoch) or as soon after as possible; returns a cancel. */
  at(at: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  at(at, fn) {
    // Long timers are re-armed: a show can wait hours for a hard cue, and setTimeout caps at ~24.8 days.
    const delay = Math.max(0, Math.min(at - Date.now(), 3_600_000));
    const t = setTimeout(() => (Date.now() >= at - 1 ? fn() : cancel = systemClock.at(at, fn)), delay);
    let cancel = () => clearTimeout(t);
    return () => cancel();
  },
};

/** A clock that moves only when told to; timers fire in time order as it passes them. */
export class ManualClock implements Clock {
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private ids = 0;

  constructor(private t = Date.UTC(2026, 11, 1, 20, 0, 0)) {}

  now(): number {
    return this.t;
  }

  at(at: number, fn: () => void): () => void {
    const id = ++this.ids;
    this.timers.push({ at, fn, id });
    return () => { this.timers = this.timers.filter((x) => x.id !== id); };
  }

  /** Moves time forward by `ms`, firing each timer due on the way at its own time. */
  advance(ms: number): void {
    const until = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.timers[0];
      if (!next || next.at > until) break;
      this.timers.shift();
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = until;
  }

  /** The time of the earliest pending timer, or null. */
  get nextAt(): number | null {
    return this.timers.reduce<number | null>((m, x) => (m === null || x.at < m ? x.at : m), null);
  }
}
