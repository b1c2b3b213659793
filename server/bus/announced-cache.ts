/**
 * How long a copy serves, per instance. Changes made anywhere are announced on the bus and
 * drop the copy at once; `freshMs` bounds how long a lost announcement (the bus's connection
 * down during a failover) can leave it stale.
 */
export interface AnnouncedCacheOptions {
  freshMs: number;
  /**
   * Past `freshMs`, a copy younger than this still serves while one read replaces it: a hot
   * path does not wait for Redis, and keys whose copies were taken together (at start) do
   * not all stall on one expiry. Older than this (a key unused for long), callers wait.
   */
  staleMs: number;
  now?: () => number;
}

/**
 * A per-instance copy of values read from Redis, for reads on a hot path (a room's
 * subscribers for every room event, a room's settings for every chat line), dropped by
 * `forget` when a change is announced. One read per key is in flight at a time: before
 * this, every event that came while a room's copy was being read sent its own read — at
 * 8,000 acks/s, five for one room in one millisecond. A read that fails is not kept.
 */
export class AnnouncedCache<K, V> {
  private readonly copies = new Map<K, { value: V; at: number }>();
  private readonly reading = new Map<K, Promise<V>>();
  private readonly now: () => number;
  private lastSweep: number;

  constructor(private readonly read: (key: K) => Promise<V>, private readonly opts: AnnouncedCacheOptions) {
    if (!(opts.staleMs >= opts.freshMs)) throw new Error(`AnnouncedCache: staleMs (${opts.staleMs}) must be at least freshMs (${opts.freshMs})`);
    this.now = opts.now ?? (() => performance.now());
    this.lastSweep = this.now();
  }

  /** Copies held now (for tests and metrics). */
  get size(): number {
    return this.copies.size;
  }

  /** The copy when it may serve (no promise: callers on a hot path need not await), else the read. */
  get(key: K): V | Promise<V> {
    const hit = this.copies.get(key);
    const age = hit ? this.now() - hit.at : Infinity;
    if (hit && age < this.opts.freshMs) return hit.value;
    const reading = this.reading.get(key) ?? this.start(key);
    if (hit && age < this.opts.staleMs) {
      reading.catch(() => undefined);
      return hit.value;
    }
    return reading;
  }

  /** Drops the copy (a change announced); a read under way no longer counts, as it may predate the change. */
  forget(key: K): void {
    this.copies.delete(key);
    this.reading.delete(key);
  }

  /**
   * Drops copies too old to serve (they would be read again anyway): an instance keeps only
   * the keys used lately, not every room it ever touched with its settings and KB text.
   * At most once per `staleMs`, and it stops at the first copy young enough to stay.
   */
  private sweep(): void {
    const now = this.now();
    if (now - this.lastSweep < this.opts.staleMs) return;
    this.lastSweep = now;
    for (const [key, copy] of this.copies) {
      if (now - copy.at < this.opts.staleMs) break;
      this.copies.delete(key);
    }
  }

  private start(key: K): Promise<V> {
    const at = this.now();
    const reading: Promise<V> = this.read(key).then(
      (value) => {
        if (this.reading.get(key) === reading) {
          this.reading.delete(key);
          // Re-inserted, so the map's order stays oldest copy first.
          this.copies.delete(key);
          this.copies.set(key, { value, at });
          this.sweep();
        }
        return value;
      },
      (err: unknown) => {
        if (this.reading.get(key) === reading) this.reading.delete(key);
        throw err;
      },
    );
    this.reading.set(key, reading);
    return reading;
  }
}
