import type { ErrorCode, QueueLine, Rundown, SegmentTiming, ShowState, WordTiming } from '../../protocol/index.js';
import { EffectLog } from './effects.js';
import type { LibraryView } from './library-view.js';
import { RundownRunner, cueTime, newLine } from './rundown-runner.js';
import type { LineRecord, Runtime } from './runtime.js';
import type { ShowEvent } from './show-events.js';
import { DEFAULT_QUEUE_TIMING, SpeechQueue, type QueueTiming } from './speech-queue.js';

export interface MachineContext {
  rundown: Rundown;
  library: LibraryView;
  fillerRepeatMs: number;
  /** An answer whose lines start arriving this long after its question was asked is dropped. */
  answerStaleMs: number;
  newLineId: () => string;
  timing?: QueueTiming;
}

export interface OpOutcome {
  ok: boolean;
  code?: ErrorCode;
  message?: string;
}

/** Settled answers kept for late duplicates of their lines; older ones are forgotten. */
const KEEP_SETTLED_ANSWERS = 200;

/**
 * One room's director, as a pure machine over its stored runtime: an event goes in, the
 * runtime changes, effects come out (in `fx`). No I/O and no clock of its own — the show
 * room feeds it the time — so the same steps replay the same way on a test clock or on
 * another instance after a failover.
 */
export class ShowMachine {
  readonly fx = new EffectLog();
  readonly queue: SpeechQueue;
  readonly runner: RundownRunner;

  constructor(readonly rt: Runtime, private readonly ctx: MachineContext) {
    this.queue = new SpeechQueue(rt, this.fx, ctx.timing ?? DEFAULT_QUEUE_TIMING);
    this.runner = new RundownRunner(rt, this.queue, this.fx, {
      rundown: ctx.rundown, library: ctx.library, fillerRepeatMs: ctx.fillerRepeatMs, newLineId: ctx.newLineId,
      answersPending: () => this.answersPending(),
    });
    rt.show.rundownVersion = ctx.rundown.version;
  }

  /** Answers the room expects that have not finished airing or been dropped. */
  answersPending(): number {
    return Object.values(this.rt.answers).filter((a) => a.outcome === 'open' && a.questionId !== null).length;
  }

  handle(event: ShowEvent, now: number): OpOutcome {
    switch (event.type) {
      case 'op':
        return this.operator(event.cmd, event.by?.tokenId ?? null, now);
      case 'answer.expected': {
        const a = this.queue.answer(event.answerId, event.questionId, event.askedAt);
        a.askedAt ??= event.askedAt;
        // A question arrived: fillers waiting for silence make way for its answer.
        this.queue.dropWhere((l) => l.priority === 'filler' && l.state !== 'playing', 'a question arrived');
        break;
      }
      case 'line.ready': {
        const a = this.queue.answer(event.answerId, event.questionId, null);
        const line = newLine({
          lineId: event.lineId, priority: event.priority, text: event.text, durationMs: event.durationMs, createdAt: now,
          source: event.source, answerId: event.answerId, questionId: event.questionId, index: event.index,
        });
        if (a.outcome === 'open' && !a.started && a.askedAt !== null && now - a.askedAt > this.ctx.answerStaleMs) {
          this.queue.dropAnswer(a, `stale: asked ${Math.round((now - a.askedAt) / 1000)} s ago`);
        }
        this.queue.addAnswerLine(a, line, event.final);
        break;
      }
      case 'line.failed':
        this.queue.skipAnswerIndex(this.queue.answer(event.answerId, event.questionId, null), event.index, event.final);
        this.fx.push({ kind: 'notice', level: 'warn', message: `a line could not be voiced: ${event.reason}` });
        break;
      case 'answer.end': {
        const a = this.queue.answer(event.answerId, null, null);
        if (event.lines === 0 && event.reason) this.queue.dropAnswer(a, event.reason, { cut: false });
        else this.queue.setAnswerTotal(a, event.lines);
        break;
      }
      case 'answer.cancel': {
        const a = this.rt.answers[event.answerId];
        if (a) this.queue.dropAnswer(a, event.reason);
        break;
      }
      case 'host.started':
        this.queue.started(event.airId, event.hostId, event.mediaTimeMs, now, event.streamTimeMs);
        break;
      case 'host.finished':
        this.queue.finished(event.airId, event.hostId, event.mediaTimeMs, event.interrupted, now);
        break;
      case 'host.changed':
        this.queue.hostChanged(event.host);
        break;
      case 'rundown.changed':
        this.rt.show.rundownVersion = this.ctx.rundown.version;
        if (this.rt.show.segmentId !== null && !this.ctx.rundown.segments.some((s) => s.id === this.rt.show.segmentId)) {
          this.fx.push({ kind: 'notice', level: 'warn', message: 'the segment on air was removed from the rundown; the show stopped' });
          this.stopShow(now);
        }
        break;
      case 'library.changed':
        // A line handed to the host with an older version of its material comes back to be re-read.
        this.queue.takeBack((l) => l.material !== null && (event.materialId === undefined || l.material.id === event.materialId)
          && this.ctx.library.material(l.material.id)?.version !== l.material.version);
        break;
    }
    return { ok: true };
  }

  private operator(cmd: Extract<ShowEvent, { type: 'op' }>['cmd'], by: string | null, now: number): OpOutcome {
    const r = this.runner;
    switch (cmd.name) {
      case 'show.go': r.go(now); break;
      case 'show.hold': r.hold(now); break;
      case 'show.resume': r.resume(now); break;
      case 'show.skip': r.skip(now); break;
      case 'show.back': r.back(now); break;
      case 'show.jump':
        if (!r.jump(cmd.segmentId, now)) return { ok: false, code: 'not_found', message: `no segment ${cmd.segmentId} in the rundown` };
        break;
      case 'show.stop': this.stopShow(now); break;
      case 'speech.interrupt':
        if (!this.queue.interrupt(cmd.lineId)) return { ok: false, code: 'not_found', message: cmd.lineId ? `no line ${cmd.lineId} waiting or on air` : 'nothing is on air' };
        break;
      case 'speech.stop': {
        const named = cmd.lineIds ? new Set(cmd.lineIds) : null;
        const hit = (l: LineRecord) => !named || named.has(l.lineId) || (l.airId !== null && named.has(l.airId));
        for (const a of Object.values(this.rt.answers)) {
          if (a.outcome === 'open' && this.queue.lines.some((l) => l.answerId === a.answerId && l.priority === 'answer' && hit(l))) this.queue.dropAnswer(a, 'stopped by an operator');
        }
        this.queue.dropWhere(hit, 'stopped by an operator', { cut: true });
        break;
      }
      case 'queue.remove': {
        const line = this.queue.find(cmd.lineId);
        if (!line || line.state === 'playing') return { ok: false, code: 'not_found', message: `no waiting line ${cmd.lineId} (interrupt cuts the line on air)` };
        const a = line.answerId && line.priority === 'answer' ? this.rt.answers[line.answerId] : undefined;
        if (a) this.queue.dropAnswer(a, 'removed by an operator');
        else this.queue.dropWhere((l) => l === line, 'removed by an operator');
        break;
      }
      case 'queue.move':
        if (!this.queue.moveBefore(cmd.lineId, cmd.before)) return { ok: false, code: 'conflict', message: 'only a waiting line moves, before a waiting line of its own class' };
        break;
      case 'material.play': {
        const m = this.ctx.library.material(cmd.materialId);
        if (!m) return { ok: false, code: 'not_found', message: `no material ${cmd.materialId}` };
        const lineId = this.ctx.newLineId();
        this.queue.add(newLine({
          lineId, priority: cmd.priority ?? 'urgent', text: m.text, durationMs: m.durationMs ?? 0, createdAt: now,
          source: { kind: 'say', by, materialId: m.id }, prepareKey: m.prepareKey, material: { id: m.id, version: m.version },
        }));
        break;
      }
    }
    return { ok: true };
  }

  private stopShow(now: number): void {
    for (const a of Object.values(this.rt.answers)) if (a.outcome === 'open') this.queue.dropAnswer(a, 'the show was stopped');
    this.queue.dropWhere(() => true, 'the show was stopped', { cut: true });
    this.runner.stop(now);
  }

  /** Moves the show on and hands lines to the host; returns when to look again (ms since epoch). */
  step(now: number): number | null {
    const a = this.runner.advance(now);
    const b = this.queue.pump(now, (line) => this.gate(line));
    // Lines ending can finish a step; pumping can drop lines: let the runner see both.
    const c = this.runner.advance(now);
    const d = this.queue.pump(now, (line) => this.gate(line));
    this.forgetSettledAnswers();
    const times = [a, b, c, d].filter((t): t is number => t !== null);
    return times.length ? Math.min(...times) : null;
  }

  /** A waiting line may go when the runner lets it and its audio is ready; a material airs its newest version or none. */
  private gate(line: LineRecord): 'go' | 'wait' | 'drop' {
    const verdict = this.runner.gate(line);
    if (verdict !== 'go') return verdict;
    const lib = this.ctx.library;
    if (line.material) {
      const m = lib.material(line.material.id);
      if (!m) return 'drop';
      if (m.version !== line.material.version) {
        line.material = { id: m.id, version: m.version };
        line.text = m.text;
        line.prepareKey = m.prepareKey;
        line.durationMs = m.durationMs ?? 0;
      }
    }
    if (line.prepareKey) {
      const p = lib.prepared(line.prepareKey);
      if (!p || p.status === 'synthesizing') return 'wait';
      if (p.status === 'failed') return 'drop';
      line.durationMs = p.durationMs ?? line.durationMs;
    }
    return 'go';
  }

  private forgetSettledAnswers(): void {
    const settled = Object.values(this.rt.answers).filter((a) => a.outcome !== 'open');
    for (const a of settled.slice(0, Math.max(0, settled.length - KEEP_SETTLED_ANSWERS))) delete this.rt.answers[a.answerId];
  }

  /** What operators see of the show now. `words` fills in the line on air's word timings. */
  view(room: string, now: number, words: (lineId: string) => WordTiming[] = () => []): ShowState {
    const rt = this.rt;
    const s = rt.show;
    const segments = this.ctx.rundown.segments;
    const current = this.runner.current;
    const run = current ? s.runs[current.id] : undefined;
    const elapsed = run?.state === 'running' && run.startedAt !== null ? now - run.startedAt : null;
    const playing = this.queue.playing;
    const upcoming = this.queue.lines.filter((l) => l.state === 'waiting' || l.state === 'sent');
    const next = this.queue.sent[0] ?? upcoming[0];
    const cue = s.state === 'ended' ? null : this.runner.nextCue();

    // Before the show starts, the plan assumes it starts now.
    const base = s.startedAt ?? (segments[0] ? s.runs[segments[0].id]?.startedAt : undefined) ?? now;
    let t = base;
    const timings: SegmentTiming[] = segments.map((seg) => {
      const at = cueTime(seg, base);
      if (at !== null) t = at;
      const r = s.runs[seg.id];
      const timing: SegmentTiming = {
        id: seg.id, title: seg.title, plannedMs: seg.plannedMs, plannedStartAt: t,
        startedAt: r?.startedAt ?? null, endedAt: r?.endedAt ?? null, state: r?.state ?? 'pending',
      };
      t += seg.plannedMs;
      return timing;
    });

    const queue: QueueLine[] = upcoming.map((l) => ({
      lineId: l.lineId, priority: l.priority, state: l.state, text: l.text, durationMs: l.durationMs, source: l.source, createdAt: l.createdAt,
    }));
    return {
      room, state: s.state, waitingFor: s.waitingFor, rundownVersion: s.rundownVersion,
      segmentId: s.segmentId, itemIndex: s.itemIndex, loops: s.loops,
      onAir: playing && playing.startedAt !== null ? {
        lineId: playing.lineId, text: playing.text, priority: playing.priority, source: playing.source,
        durationMs: playing.durationMs, startedAt: playing.startedAt, words: words(playing.lineId),
      } : null,
      next: next ? { text: next.text, priority: next.priority } : null,
      segmentElapsedMs: elapsed,
      segmentRemainingMs: elapsed !== null && current ? current.plannedMs - elapsed : null,
      nextHardCue: cue ? { segmentId: segments[cue.index]!.id, at: cue.at, inMs: cue.at - now } : null,
      overUnderMs: s.overUnderMs + (elapsed !== null && current ? Math.max(0, elapsed - current.plannedMs) : 0),
      segments: timings,
      queue,
      backlogMs: this.queue.backlogMs(),
      at: now,
    };
  }
}
