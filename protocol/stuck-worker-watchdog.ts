import type { Queue, Worker } from 'bullmq';
import { errorSummary } from './redis-outage.js';

export interface StuckWorkerWatchdogOptions {
  /** A job waiting this long while this worker is idle means the worker stopped fetching. */
  stuckMs?: number;
  everyMs?: number;
  log: { warn(obj: object, msg: string): void };
  name: string;
  now?: () => number;
}

/**
 * Replaces a BullMQ worker that has stopped taking jobs. After a Sentinel failover, a
 * worker's blocking connection can stay parked for good while the rest of the process is
 * back (seen in test/scale/sentinel.test.ts: a question's job waited 90 s, prioritized,
 * with its worker registered and idle; BullMQ's issues #3088, #4378 and #4585 are the same
 * family). The cure its maintainers give is a new worker, and a new worker brings a new
 * blocking connection. The check is the symptom itself — a job has waited `stuckMs` while
 * this worker runs nothing and has taken nothing for as long — so it holds whatever the
 * cause. Only an idle worker is replaced: no running job is cut or run twice.
 */
export class StuckWorkerWatchdog<W extends Worker> {
  private running = 0;
  private lastTakenAt: number;
  private timer: NodeJS.Timeout | null = null;
  private checking = false;
  private make: (() => W) | null = null;
  private readonly now: () => number;
  private readonly stuckMs: number;
  current!: W;

  constructor(private readonly queue: Queue, private readonly o: StuckWorkerWatchdogOptions) {
    this.now = o.now ?? Date.now;
    this.stuckMs = o.stuckMs ?? 30_000;
    this.lastTakenAt = this.now();
  }

  /** Makes the first worker and starts watching; `make` is called again for each replacement. */
  start(make: () => W): W {
    this.make = make;
    this.current = make();
    this.timer = setInterval(() => void this.check(), this.o.everyMs ?? 5000);
    this.timer.unref();
    return this.current;
  }

  /**
   * Wraps the processor: counts the jobs running here. (Not from the worker's events: a job
   * that moves itself back to waiting or delayed ends without one.)
   */
  async busy<T>(run: () => Promise<T>): Promise<T> {
    this.running++;
    this.lastTakenAt = this.now();
    try {
      return await run();
    } finally {
      this.running--;
    }
  }

  /** One look; resolves to whether the worker was replaced (tests call it directly). */
  async check(): Promise<boolean> {
    if (!this.make || this.checking || this.running > 0 || this.now() - this.lastTakenAt < this.stuckMs) return false;
    this.checking = true;
    try {
      // The oldest of the first few in each list: the wait list is oldest first; the
      // prioritized set is by priority, so its first few are the ones due first.
      const jobs = await this.queue.getJobs(['wait', 'prioritized'], 0, 19, true);
      const oldest = Math.min(...jobs.map((j) => j.timestamp));
      if (!(this.now() - oldest >= this.stuckMs) || this.running > 0) return false;
      const stuck = this.current;
      this.o.log.warn({ worker: this.o.name, waitedMs: this.now() - oldest, waiting: jobs.length }, 'worker stopped taking jobs; replacing it');
      this.lastTakenAt = this.now();
      this.current = this.make();
      // Forced: its blocking read may never return. It runs nothing, so nothing is cut.
      void stuck.close(true).catch((err: unknown) => this.o.log.warn({ worker: this.o.name, err: errorSummary(err) }, 'stuck worker did not close'));
      return true;
    } catch {
      // Redis away: the connection watchers say so; look again next time.
      return false;
    } finally {
      this.checking = false;
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.make = null;
    await this.current?.close();
  }
}
