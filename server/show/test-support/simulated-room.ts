import type { Rundown, RundownSegment } from '../../../protocol/index.js';
import type { Effect } from '../effects.js';
import type { LibraryView, MaterialInfo, PreparedInfo } from '../library-view.js';
import { emptyRuntime, type Runtime } from '../runtime.js';
import type { ShowEvent } from '../show-events.js';
import { ShowMachine, type OpOutcome } from '../show-machine.js';

/** A library in memory: materials and prepared lines the tests set up directly. */
export class MemoryLibrary implements LibraryView {
  readonly materials = new Map<string, MaterialInfo>();
  readonly preparedLines = new Map<string, PreparedInfo>();

  addMaterial(id: string, text: string, durationMs: number, tags: string[] = [], status: PreparedInfo['status'] = 'ready'): MaterialInfo {
    const version = (this.materials.get(id)?.version ?? 0) + 1;
    const m: MaterialInfo = { id, version, title: id, text, tags, status, durationMs: status === 'ready' ? durationMs : null, prepareKey: `prep-${id}-v${version}` };
    this.materials.set(id, m);
    this.preparedLines.set(m.prepareKey, { status, durationMs: status === 'ready' ? durationMs : null, error: status === 'failed' ? 'synthesis failed' : null });
    return m;
  }

  addLine(text: string, durationMs: number): void {
    this.preparedLines.set(this.keyForLine(text), { status: 'ready', durationMs, error: null });
  }

  material(id: string) { return this.materials.get(id); }
  prepared(key: string) { return this.preparedLines.get(key); }
  keyForLine(text: string) { return `line:${text}`; }
  fillers() { return [...this.materials.values()].filter((m) => m.tags.includes('filler') && m.status === 'ready'); }
}

export interface AiredLine {
  airId: string;
  text: string;
  priority: string;
  startedAt: number;
  endedAt: number | null;
  interrupted: boolean;
}

/**
 * A room's machine with a scripted render host on a test clock: the host plays what it
 * is sent in seq order, reports started and finished exactly at media time, and obeys
 * speech.stop like the real scheduler (cut on the next frame, drop queued, refuse later).
 */
export class SimulatedRoom {
  now = 1_000_000;
  readonly rt: Runtime = emptyRuntime();
  readonly library = new MemoryLibrary();
  machine!: ShowMachine;
  readonly effects: Effect[] = [];
  readonly aired: AiredLine[] = [];
  readonly commands: string[] = [];
  private hostQueue: Array<{ airId: string; seq: number; text: string; priority: string; durationMs: number }> = [];
  private playing: { airId: string; endsAt: number; index: number } | null = null;
  private refused = new Set<string>();
  private wake: number | null = null;
  private ids = 0;
  hostUp = true;
  /** Reports the host made that have not reached the director yet (a slow link, a failover). */
  private held: ShowEvent[] | null = null;

  constructor(public rundown: Rundown = { version: 1, segments: [], updatedAt: 0 }, readonly opts: { fillerRepeatMs?: number; answerStaleMs?: number } = {}) {
    this.build();
  }

  private build(): void {
    this.machine = new ShowMachine(this.rt, {
      rundown: this.rundown, library: this.library, fillerRepeatMs: this.opts.fillerRepeatMs ?? 600_000,
      answerStaleMs: this.opts.answerStaleMs ?? 90_000, newLineId: () => `ln-${++this.ids}`,
    });
  }

  setRundown(segments: RundownSegment[]): void {
    this.rundown = { version: this.rundown.version + 1, segments, updatedAt: this.now };
    this.build();
    this.send({ type: 'rundown.changed' });
  }

  /** A new owner: a fresh machine over a copy of the stored runtime. */
  failover(): void {
    const copy = JSON.parse(JSON.stringify(this.rt)) as Runtime;
    Object.assign(this.rt, copy);
    this.build();
    this.settle();
  }

  connectHost(): void {
    this.hostUp = true;
    this.hostQueue = [];
    this.playing = null;
    this.refused.clear();
    this.send({ type: 'host.changed', host: { hostId: 'h1', sessionId: `s-${++this.ids}` } });
  }

  /** The host dies: what it played and held is gone. */
  killHost(): void {
    this.hostUp = false;
    if (this.playing) {
      const a = this.aired[this.playing.index]!;
      a.endedAt = this.now;
      a.interrupted = true;
    }
    this.playing = null;
    this.hostQueue = [];
    this.send({ type: 'host.changed', host: null });
  }

  /** From now on the host's reports wait (it goes on playing by its own clock). */
  holdReports(): void {
    this.held ??= [];
  }

  /** The reports held back reach the director, in the order the host made them (the first `n` only: the rest stay held). */
  releaseReports(n = Infinity): void {
    const held = this.held ?? [];
    const now = held.splice(0, n);
    if (held.length === 0 && n === Infinity) this.held = null;
    for (const e of now) {
      this.machine.handle(e, this.now);
      this.settle();
    }
  }

  private report(event: ShowEvent): void {
    if (this.held) this.held.push(event);
    else this.machine.handle(event, this.now);
  }

  send(event: ShowEvent): OpOutcome {
    const outcome = this.machine.handle(event, this.now);
    this.settle();
    return outcome;
  }

  op(cmd: Extract<ShowEvent, { type: 'op' }>['cmd']): OpOutcome {
    return this.send({ type: 'op', cmd, by: null });
  }

  private settle(): void {
    for (let i = 0; i < 50; i++) {
      this.wake = this.machine.step(this.now);
      const fx = this.machine.fx.items.splice(0);
      if (fx.length === 0) break;
      for (const e of fx) this.apply(e);
    }
    this.hostTick();
  }

  private apply(e: Effect): void {
    this.effects.push(e);
    if (!this.hostUp) return;
    if (e.kind === 'send') {
      if (this.refused.has(e.airId)) return;
      this.hostQueue.push({ airId: e.airId, seq: e.seq, text: e.line.text, priority: e.line.priority, durationMs: e.line.durationMs });
      this.hostQueue.sort((a, b) => a.seq - b.seq);
    } else if (e.kind === 'stop') {
      for (const id of e.airIds) {
        if (this.playing?.airId === id) {
          this.finishPlaying(true);
        } else if (this.hostQueue.some((q) => q.airId === id)) {
          this.hostQueue = this.hostQueue.filter((q) => q.airId !== id);
        } else {
          this.refused.add(id);
        }
      }
    } else if (e.kind === 'command') {
      this.commands.push(JSON.stringify(e.command));
    }
  }

  private finishPlaying(interrupted: boolean): void {
    const p = this.playing!;
    this.playing = null;
    const a = this.aired[p.index]!;
    a.endedAt = this.now;
    a.interrupted = interrupted;
    this.report({ type: 'host.finished', airId: p.airId, hostId: 'h1', mediaTimeMs: this.now, interrupted });
  }

  private hostTick(): void {
    if (!this.hostUp) return;
    if (this.playing && this.now >= this.playing.endsAt) {
      this.finishPlaying(false);
      this.settle();
      return;
    }
    if (!this.playing && this.hostQueue.length > 0) {
      const next = this.hostQueue.shift()!;
      this.aired.push({ airId: next.airId, text: next.text, priority: next.priority, startedAt: this.now, endedAt: null, interrupted: false });
      this.playing = { airId: next.airId, endsAt: this.now + next.durationMs, index: this.aired.length - 1 };
      this.report({ type: 'host.started', airId: next.airId, hostId: 'h1', mediaTimeMs: this.now });
      this.settle();
    }
  }

  /** Runs the clock forward to `until`, stopping at every moment something is due. */
  advance(ms: number): void {
    const until = this.now + ms;
    for (let guard = 0; guard < 100_000; guard++) {
      const due = [this.wake, this.playing?.endsAt].filter((t): t is number => t != null && t > this.now && t <= until);
      if (due.length === 0) break;
      this.now = Math.min(...due);
      this.settle();
    }
    this.now = until;
    this.settle();
  }

  /** Texts aired so far, with `!` marking a line cut before its end. */
  airedTexts(): string[] {
    return this.aired.map((a) => `${a.text}${a.interrupted ? '!' : ''}`);
  }

  view() {
    return this.machine.view('room', this.now);
  }
}
