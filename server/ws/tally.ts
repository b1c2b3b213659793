/** A bound Prometheus counter (`counter.labels(...)`): all a tally needs of it. */
interface CounterChild { inc(value?: number): void }

const tallies = new Map<CounterChild, Tally>();
let timer: NodeJS.Timeout | null = null;

/**
 * Counts on the relay's path, added to their Prometheus counter once a second: an `inc`
 * costs a hash of its labels and a map update, twice per relayed frame otherwise, and a
 * scrape is at most a second behind.
 */
export class Tally {
  private n = 0;

  private constructor(private readonly child: CounterChild) {}

  /** The one tally of a bound counter (shared by every connection that counts into it). */
  static of(child: CounterChild): Tally {
    let t = tallies.get(child);
    if (!t) {
      tallies.set(child, (t = new Tally(child)));
      if (!timer) {
        timer = setInterval(() => { for (const x of tallies.values()) x.flush(); }, 1000);
        timer.unref();
      }
    }
    return t;
  }

  inc(): void {
    this.n++;
  }

  flush(): void {
    if (this.n === 0) return;
    this.child.inc(this.n);
    this.n = 0;
  }
}
