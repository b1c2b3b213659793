import { performance } from 'node:perf_hooks';

export interface FrameTickerOptions {
  fps: number;
  onFrame: (frame: number) => void;
  /** Frames rendered back to back when late, before the ticker yields to I/O. */
  maxCatchUp?: number;
  /** Further behind than this, the wall clock is rebased instead of bursting frames. */
  maxLagMs?: number;
}

/**
 * Calls onFrame(n) at fps against the wall clock without accumulating drift. The frame
 * index is the media clock and never jumps; if the host stalls, the wall clock is
 * rebased so the stream resumes at real-time pace rather than fast-forwarding.
 */
export class FrameTicker {
  private frame = 0;
  private t0 = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly periodMs: number;
  private readonly maxCatchUp: number;
  private readonly maxLagMs: number;
  rebases = 0;

  constructor(private readonly o: FrameTickerOptions) {
    if (!(o.fps > 0)) throw new RangeError('fps must be positive');
    this.periodMs = 1000 / o.fps;
    this.maxCatchUp = o.maxCatchUp ?? 3;
    this.maxLagMs = o.maxLagMs ?? 500;
  }

  get nextFrame(): number {
    return this.frame;
  }

  get running(): boolean {
    return this.timer !== null;
  }

  start(): void {
    if (this.timer) return;
    this.t0 = performance.now() - this.frame * this.periodMs;
    this.schedule();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    const due = this.t0 + this.frame * this.periodMs;
    this.timer = setTimeout(() => this.run(), Math.max(0, due - performance.now()));
  }

  private run(): void {
    if (!this.timer) return;
    let done = 0;
    while (this.timer && done < this.maxCatchUp && this.t0 + this.frame * this.periodMs <= performance.now()) {
      this.o.onFrame(this.frame++);
      done++;
    }
    if (!this.timer) return;
    const lag = performance.now() - (this.t0 + this.frame * this.periodMs);
    if (lag > this.maxLagMs) {
      this.t0 += lag;
      this.rebases++;
    }
    this.schedule();
  }
}
