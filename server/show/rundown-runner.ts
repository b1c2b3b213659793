import type { Rundown, RundownSegment, ShowStateName, VisualCommand } from '../../protocol/index.js';
import type { EffectLog } from './effects.js';
import { chooseFiller } from './fillers.js';
import type { LibraryView } from './library-view.js';
import type { ItemProgress, LineRecord, Runtime, SegmentRun } from './runtime.js';
import { SEGMENT_MOVES, SHOW_MOVES, isLineDone, move } from './show-states.js';
import type { SpeechQueue } from './speech-queue.js';

export interface RunnerContext {
  rundown: Rundown;
  library: LibraryView;
  fillerRepeatMs: number;
  newLineId: () => string;
  /** Answers the room still expects (asked, not yet spoken or dropped). */
  answersPending: () => number;
}

/**
 * When a hard-cue segment is due (ms since epoch): a wall-clock `at`, or show time after
 * the show's go (unknown before the show started). Unparseable times never fire.
 */
export function cueTime(segment: RundownSegment, showStartedAt: number | null = null): number | null {
  if (segment.start.rule === 'at-show-time') return showStartedAt === null ? null : showStartedAt + segment.start.afterMs;
  if (segment.start.rule !== 'at') return null;
  const at = typeof segment.start.at === 'number' ? segment.start.at : Date.parse(segment.start.at);
  return Number.isFinite(at) ? at : null;
}

export const isHardCue = (segment: RundownSegment): boolean => segment.start.rule === 'at' || segment.start.rule === 'at-show-time';

export function newLine(fields: Pick<LineRecord, 'lineId' | 'priority' | 'text' | 'durationMs' | 'source' | 'createdAt'> & Partial<LineRecord>): LineRecord {
  return {
    answerId: null, questionId: null, index: 0, prepareKey: null, material: null, startCommands: [], airs: 0, airId: null, seq: null,
    sentAt: null, startedAt: null, hostId: null, state: 'waiting', ...fields,
  };
}

/**
 * Plays the run of show: segments by their start rules (manual waits for go, follow
 * starts at once, `at` is a hard cue), their items as steps (a block of lines, a pause,
 * a Q&A window, a command), loops, and the operator's transport. It only puts lines on
 * the speech queue and reads what became of them; the queue decides when they air.
 */
export class RundownRunner {
  constructor(private readonly rt: Runtime, private readonly queue: SpeechQueue, private readonly fx: EffectLog, private readonly ctx: RunnerContext) {}

  private get show() { return this.rt.show; }
  private get segments(): RundownSegment[] { return this.ctx.rundown.segments; }

  private indexOf(segmentId: string | null): number {
    return segmentId === null ? -1 : this.segments.findIndex((s) => s.id === segmentId);
  }

  get current(): RundownSegment | undefined {
    return this.segments[this.indexOf(this.show.segmentId)];
  }

  private setState(to: ShowStateName, waitingFor: Runtime['show']['waitingFor'] = null): void {
    this.show.state = move(SHOW_MOVES, 'show', this.show.state, to);
    this.show.waitingFor = to === 'waiting' ? waitingFor : null;
  }

  private run(segmentId: string): SegmentRun {
    return (this.show.runs[segmentId] ??= { state: 'pending', startedAt: null, endedAt: null });
  }

  private setRun(segmentId: string, to: SegmentRun['state'], now: number): void {
    const r = this.run(segmentId);
    r.state = move(SEGMENT_MOVES, `segment ${segmentId}`, r.state, to);
    if (to === 'running') {
      r.startedAt = now;
      r.endedAt = null;
    } else if (to === 'done' || to === 'skipped') {
      r.endedAt = now;
    }
  }

  /** Lines of the rundown still waiting, sent or on air. */
  private rundownLines(pred: (l: LineRecord) => boolean = () => true): LineRecord[] {
    return this.queue.lines.filter((l) => l.source.kind === 'rundown' && !isLineDone(l.state) && pred(l));
  }

  /* ---------- transport ---------- */

  go(now: number): void {
    const s = this.show;
    if (this.segments.length === 0) return this.notice('the rundown is empty');
    if (s.state === 'idle' || s.state === 'ended') {
      s.runs = {};
      s.overUnderMs = 0;
      s.startedAt = now;
      return this.startSegment(0, now);
    }
    if (s.state === 'waiting' && (s.waitingFor === 'go' || s.waitingFor === 'time')) return this.startSegment(this.indexOf(s.segmentId), now);
    const next = this.indexOf(s.segmentId) + 1;
    if (next >= this.segments.length) return this.notice('this is the last segment; stop ends the show');
    this.moveAtLineEnd(this.segments[next]!.id, 'go', now);
  }

  hold(now: number): void {
    const s = this.show;
    if (s.state !== 'running' && s.state !== 'waiting') return;
    s.heldFrom = { state: s.state, waitingFor: s.waitingFor };
    this.setState('holding');
    const step = s.step;
    if (step?.deadline != null) {
      step.heldRemainingMs = Math.max(0, step.deadline - now);
      step.deadline = null;
    }
    // The line on air finishes; the one already handed to the host comes back.
    this.queue.takeBack((l) => l.source.kind === 'rundown' || l.priority === 'filler');
    this.queue.dropWhere((l) => l.priority === 'filler', 'the show was held');
  }

  resume(now: number): void {
    const s = this.show;
    if (s.state !== 'holding') return;
    const step = s.step;
    if (step && step.heldRemainingMs !== null) {
      step.deadline = now + step.heldRemainingMs;
      step.heldRemainingMs = null;
    }
    const back = s.heldFrom ?? { state: 'running' as const, waitingFor: null };
    s.heldFrom = null;
    this.setState(back.state, back.waitingFor);
  }

  /** Drops the rest of the current segment, the line on air included, and moves on by the next one's rule. */
  skip(now: number): void {
    const seg = this.current;
    if (!seg || this.show.state === 'ended' || this.show.state === 'idle') return;
    this.queue.dropWhere((l) => l.source.kind === 'rundown' && l.source.segmentId === seg.id, 'segment skipped', { cut: true });
    this.queue.dropWhere((l) => l.priority === 'filler', 'segment skipped', { cut: true });
    this.endSegment(seg, 'skipped', now);
    if (this.show.state === 'holding') this.setState('running');
    this.afterSegment(this.indexOf(seg.id), now);
  }

  back(now: number): void {
    const i = this.indexOf(this.show.segmentId);
    if (i < 0) return this.go(now);
    this.moveAtLineEnd(this.segments[Math.max(0, i - 1)]!.id, 'back', now);
  }

  jump(segmentId: string, now: number): boolean {
    if (this.indexOf(segmentId) < 0) return false;
    if (this.show.state === 'idle' || this.show.state === 'ended') {
      this.show.runs = {};
      this.show.overUnderMs = 0;
      this.show.startedAt = now;
      this.startSegment(this.indexOf(segmentId), now);
      return true;
    }
    this.moveAtLineEnd(segmentId, 'jump', now);
    return true;
  }

  stop(now: number): void {
    const seg = this.current;
    if (seg && this.run(seg.id).state === 'running') this.endSegment(seg, 'done', now);
    this.show.step = null;
    this.show.pendingMove = null;
    if (this.show.state !== 'ended') this.setState('ended');
  }

  /**
   * go, back, jump: the line on air finishes, nothing else of this segment starts, and
   * the target segment begins at the next line boundary.
   */
  private moveAtLineEnd(to: string, reason: 'go' | 'back' | 'jump' | 'cue', now: number): void {
    const seg = this.current;
    this.show.pendingMove = { to, reason };
    if (this.show.state === 'holding') this.setState('running');
    this.queue.dropWhere((l) => l.state !== 'playing' && (l.priority === 'filler' || (l.source.kind === 'rundown' && (!seg || l.source.segmentId === seg.id))), `show.${reason}`);
    this.tryPendingMove(now);
  }

  private tryPendingMove(now: number): void {
    const pm = this.show.pendingMove;
    if (!pm) return;
    const onAir = this.queue.lines.some((l) => (l.state === 'playing' || l.state === 'sent') && (l.source.kind === 'rundown' || l.priority === 'filler'));
    if (onAir) return;
    this.show.pendingMove = null;
    const seg = this.current;
    if (seg && this.run(seg.id).state === 'running') this.endSegment(seg, pm.reason === 'back' || pm.reason === 'jump' ? 'skipped' : 'done', now);
    this.startSegment(this.indexOf(pm.to), now);
  }

  /* ---------- the clock ---------- */

  /** Moves the show on as far as it can go now; returns when it next needs to look (ms since epoch). */
  advance(now: number): number | null {
    const s = this.show;
    this.fireHardCue(now);
    this.tryPendingMove(now);
    for (let guard = 0; guard < 1000; guard++) {
      if (s.state === 'waiting' && s.waitingFor === 'time') {
        const seg = this.current;
        const at = seg ? cueTime(seg, s.startedAt) : null;
        if (at !== null && now >= at) {
          this.startSegment(this.indexOf(seg!.id), now);
          continue;
        }
        this.fillGap(at === null ? 0 : at - now, now);
        return at;
      }
      if (s.state !== 'running' || s.pendingMove) return this.wakeForCue(now);
      const step = s.step;
      if (!step) {
        this.nextStep(now);
        continue;
      }
      if (!this.stepDone(step, now)) {
        if (step.kind === 'qa') this.fillGap((step.deadline ?? now) - now, now);
        return minOf(step.deadline, this.wakeForCue(now));
      }
      s.itemIndex = step.to;
      s.step = null;
    }
    throw new Error('rundown runner did not settle');
  }

  private stepDone(step: ItemProgress, now: number): boolean {
    const seg = this.current!;
    switch (step.kind) {
      case 'command':
        return true;
      case 'lines':
        return this.rundownLines((l) => l.source.kind === 'rundown' && l.source.segmentId === seg.id && l.source.item >= step.from && l.source.item < step.to).length === 0;
      case 'pause':
        return step.deadline !== null && now >= step.deadline;
      case 'qa': {
        if (step.deadline !== null && now >= step.deadline) return true;
        const answering = this.queue.lines.some((l) => l.priority === 'answer' && !isLineDone(l.state));
        return step.untilEmpty && !answering && this.ctx.answersPending() === 0 && !this.fillerOnAir();
      }
    }
  }

  private fillerOnAir(): boolean {
    return this.queue.lines.some((l) => l.priority === 'filler' && (l.state === 'playing' || l.state === 'sent'));
  }

  /** Starts the items from itemIndex: a block of lines (commands before a line ride on it), or one timed step. */
  private nextStep(now: number): void {
    const s = this.show;
    const seg = this.current!;
    const items = seg.items;
    if (s.itemIndex >= items.length) {
      if (seg.loop && items.some((i) => i.kind !== 'command') && !s.pendingMove) {
        s.itemIndex = 0;
        s.loops++;
        return;
      }
      this.endSegment(seg, 'done', now);
      return this.afterSegment(this.indexOf(seg.id), now);
    }
    const from = s.itemIndex;
    const first = items[from]!;
    if (first.kind === 'pause') {
      s.step = { kind: 'pause', from, to: from + 1, startedAt: now, deadline: now + first.ms, untilEmpty: false, heldRemainingMs: null };
      return;
    }
    if (first.kind === 'qa') {
      const cueLimit = this.latestEndBeforeCue(from + 1, now);
      const deadline = Math.min(now + first.maxMs, cueLimit ?? Infinity);
      s.step = { kind: 'qa', from, to: from + 1, startedAt: now, deadline: Math.max(now, deadline), untilEmpty: first.untilEmpty ?? false, heldRemainingMs: null };
      return;
    }
    // A block: (command* line)+ — stops before a pause, a Q&A window, or commands with no line after them.
    let to = from;
    let commands: VisualCommand[] = [];
    let lines = 0;
    for (let i = from; i < items.length; i++) {
      const item = items[i]!;
      if (item.kind === 'command') {
        commands.push(item.command);
        continue;
      }
      if (item.kind !== 'material' && item.kind !== 'line') break;
      const line = this.lineFor(seg, i, now);
      if (line) {
        line.startCommands = commands;
        this.queue.add(line);
        lines++;
      } else {
        // A material that is gone: its commands still apply, with the next line.
        continue;
      }
      commands = [];
      to = i + 1;
    }
    if (lines === 0 && to === from) {
      // Only commands (or missing materials) until a timed step: apply them now.
      let end = from;
      while (end < items.length && (items[end]!.kind === 'command' || items[end]!.kind === 'material' || items[end]!.kind === 'line')) {
        const item = items[end]!;
        if (item.kind === 'command') this.fx.push({ kind: 'command', command: item.command });
        end++;
      }
      s.step = { kind: 'command', from, to: end, startedAt: now, deadline: null, untilEmpty: false, heldRemainingMs: null };
      return;
    }
    s.step = { kind: 'lines', from, to, startedAt: now, deadline: null, untilEmpty: false, heldRemainingMs: null };
  }

  private lineFor(seg: RundownSegment, index: number, now: number): LineRecord | null {
    const item = seg.items[index]!;
    if (item.kind === 'material') {
      const m = this.ctx.library.material(item.materialId);
      if (!m) {
        this.notice(`segment ${seg.id}: material ${item.materialId} is not in the library; skipped`);
        return null;
      }
      return newLine({
        lineId: this.ctx.newLineId(), priority: 'script', text: m.text, durationMs: m.durationMs ?? 0, createdAt: now,
        source: { kind: 'rundown', segmentId: seg.id, item: index, materialId: m.id },
        prepareKey: m.prepareKey, material: { id: m.id, version: m.version },
      });
    }
    if (item.kind !== 'line') return null;
    const key = this.ctx.library.keyForLine(item.text, item.voice);
    const prepared = this.ctx.library.prepared(key);
    return newLine({
      lineId: this.ctx.newLineId(), priority: 'script', text: item.text, durationMs: prepared?.durationMs ?? 0, createdAt: now,
      source: { kind: 'rundown', segmentId: seg.id, item: index }, prepareKey: key,
    });
  }

  private startSegment(index: number, now: number): void {
    const seg = this.segments[index];
    if (!seg) return;
    const s = this.show;
    s.segmentId = seg.id;
    s.itemIndex = 0;
    s.loops = 0;
    s.step = null;
    s.pendingMove = null;
    const run = this.run(seg.id);
    if (run.state !== 'pending') run.state = move(SEGMENT_MOVES, `segment ${seg.id}`, run.state, 'pending');
    this.setRun(seg.id, 'running', now);
    if (s.state !== 'running') this.setState('running');
    this.queue.dropWhere((l) => l.priority === 'filler' && l.state !== 'playing', 'a segment started');
  }

  private endSegment(seg: RundownSegment, how: 'done' | 'skipped', now: number): void {
    const run = this.run(seg.id);
    if (run.state !== 'running') return;
    this.setRun(seg.id, how, now);
    if (run.startedAt !== null) this.show.overUnderMs += (now - run.startedAt) - seg.plannedMs;
    this.show.step = null;
  }

  /** After a segment ended: the next one by its start rule, or the end of the show. */
  private afterSegment(index: number, now: number): void {
    const next = this.segments[index + 1];
    const s = this.show;
    if (!next) {
      s.segmentId = null;
      if (s.state !== 'ended') this.setState('ended');
      return;
    }
    s.segmentId = next.id;
    s.itemIndex = 0;
    s.step = null;
    if (next.start.rule === 'follow') return this.startSegment(index + 1, now);
    const at = cueTime(next, s.startedAt);
    if (isHardCue(next) && at !== null && now >= at) return this.startSegment(index + 1, now);
    this.setState('waiting', isHardCue(next) ? 'time' : 'go');
  }

  /* ---------- hard cues and fillers ---------- */

  /** The next hard cue after the current segment (or the current one, while waiting for it). */
  nextCue(): { index: number; at: number } | null {
    const s = this.show;
    const i = this.indexOf(s.segmentId);
    const fromIndex = s.state === 'waiting' && s.waitingFor === 'time' ? i : i + 1;
    for (let j = Math.max(0, fromIndex); j < this.segments.length; j++) {
      const at = cueTime(this.segments[j]!, s.startedAt);
      if (at !== null) return { index: j, at };
    }
    return null;
  }

  private wakeForCue(now: number): number | null {
    if (this.show.state !== 'running' && this.show.state !== 'waiting') return null;
    const cue = this.nextCue();
    return cue && cue.at > now ? cue.at : null;
  }

  /** At a hard cue's time the show leaves whatever it is in at the next line boundary. */
  private fireHardCue(now: number): void {
    const s = this.show;
    if ((s.state !== 'running' && s.state !== 'waiting') || s.pendingMove) return;
    const cue = this.nextCue();
    if (!cue || now < cue.at || cue.index === this.indexOf(s.segmentId)) return;
    this.moveAtLineEnd(this.segments[cue.index]!.id, 'cue', now);
  }

  /**
   * How late a timed step starting now may end so the next hard cue still starts on time:
   * the cue's time minus the planned length of everything between (lines by their
   * measured duration, pauses; Q&A windows shrink to nothing).
   */
  private latestEndBeforeCue(fromItem: number, now: number): number | null {
    const cue = this.nextCue();
    if (!cue) return null;
    const i = this.indexOf(this.show.segmentId);
    let rest = 0;
    for (let j = i; j < cue.index; j++) {
      const seg = this.segments[j]!;
      const items = j === i ? seg.items.slice(fromItem) : seg.items;
      for (const item of items) {
        if (item.kind === 'pause') rest += item.ms;
        if (item.kind === 'material') rest += this.ctx.library.material(item.materialId)?.durationMs ?? 0;
        if (item.kind === 'line') rest += this.ctx.library.prepared(this.ctx.library.keyForLine(item.text, item.voice))?.durationMs ?? 0;
      }
    }
    return Math.max(now, cue.at - rest);
  }

  /** Silence in a Q&A window or before a hard cue: a filler that fits, if the room has one. */
  private fillGap(gapMs: number, now: number): void {
    if (gapMs <= 0) return;
    const busy = this.queue.lines.some((l) => !isLineDone(l.state));
    if (busy || this.ctx.answersPending() > 0) return;
    const filler = chooseFiller(this.ctx.library.fillers(), gapMs, this.rt.fillerLastAired, now, this.ctx.fillerRepeatMs);
    if (!filler) return;
    this.rt.fillerLastAired[filler.id] = now;
    this.queue.add(newLine({
      lineId: this.ctx.newLineId(), priority: 'filler', text: filler.text, durationMs: filler.durationMs ?? 0, createdAt: now,
      source: { kind: 'filler', materialId: filler.id }, prepareKey: filler.prepareKey, material: { id: filler.id, version: filler.version },
    }));
  }

  /** Whether the runner lets a waiting line go (a held show keeps its lines; a due cue drops the rest). */
  gate(line: LineRecord): 'go' | 'wait' {
    const s = this.show;
    if (line.source.kind !== 'rundown' && line.priority !== 'filler') return 'go';
    if (s.state === 'holding') return 'wait';
    if (s.pendingMove && line.source.kind === 'rundown' && line.source.segmentId !== s.pendingMove.to) return 'wait';
    return 'go';
  }

  private notice(message: string): void {
    this.fx.push({ kind: 'notice', level: 'warn', message });
  }
}

function minOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}
