import type { SegmentPriority } from '../../protocol/index.js';
import type { EffectLog } from './effects.js';
import { summary, type AnswerProgress, type LineRecord, type Runtime } from './runtime.js';
import { LINE_MOVES, isLineDone, move } from './show-states.js';

/** Most urgent first. */
export const CLASS_RANK: Record<SegmentPriority, number> = { urgent: 0, answer: 1, script: 2, filler: 3 };

export interface QueueTiming {
  /** A line handed over that has not started this long after it could have is handed over again (the send was lost). */
  resendAfterMs?: number;
  /** A line goes to the host this long before the one on air ends, so they join without a gap. */
  leadMs: number;
  /** A line handed to the host is not taken back this close to its start (it may have begun). */
  retractGuardMs: number;
  /**
   * An answer whose next line has not come this long after its last ended is let go. It
   * outlasts a crashed worker's takeover (the job's 5 s lock, the stalled check, a restart:
   * up to 10 s, then the next line's synthesis): shorter, a resumed answer was declared
   * spoken with only its first half, and its rest aired after another answer.
   */
  answerStallMs: number;
}

export const DEFAULT_QUEUE_TIMING: QueueTiming = { leadMs: 800, retractGuardMs: 150, answerStallMs: 15_000 };

/** Why a waiting line may not go yet (the runner's hold and cue rules, a material mid-synthesis). */
export type Gate = (line: LineRecord) => 'go' | 'wait' | 'drop';

/**
 * The room's speech queue: which line airs next, by class (urgent > answer > script >
 * filler), handed to the render host one line ahead of the one on air. The director,
 * not the host, decides the order: a higher class takes back a lower line the host has
 * not started, an urgent line cuts the one on air (which then airs again after it), and
 * the lines of one answer air in order, one answer at a time.
 */
export class SpeechQueue {
  constructor(private readonly rt: Runtime, private readonly fx: EffectLog, private readonly timing: QueueTiming = DEFAULT_QUEUE_TIMING) {}

  get lines(): readonly LineRecord[] {
    return this.rt.lines;
  }

  find(lineId: string): LineRecord | undefined {
    return this.rt.lines.find((l) => l.lineId === lineId);
  }

  byAir(airId: string): LineRecord | undefined {
    return this.rt.lines.find((l) => l.airId === airId && (l.state === 'sent' || l.state === 'playing'));
  }

  get playing(): LineRecord | undefined {
    return this.rt.lines.find((l) => l.state === 'playing');
  }

  get sent(): LineRecord[] {
    return this.rt.lines.filter((l) => l.state === 'sent');
  }

  waiting(priority?: SegmentPriority): LineRecord[] {
    return this.rt.lines.filter((l) => l.state === 'waiting' && (!priority || l.priority === priority));
  }

  /** Audio waiting to air, ms: what back-pressure counts (fillers never wait for anything). */
  backlogMs(): number {
    return this.rt.lines.filter((l) => (l.state === 'waiting' || l.state === 'sent') && l.priority !== 'filler')
      .reduce((sum, l) => sum + l.durationMs, 0);
  }

  /** Appends a line at the end of its class, or — `front` — before the others of its class. */
  add(line: LineRecord, { front = false } = {}): void {
    const rank = CLASS_RANK[line.priority];
    const lines = this.rt.lines;
    let at = lines.length;
    if (front) {
      const i = lines.findIndex((l) => l.state === 'waiting' && CLASS_RANK[l.priority] >= rank);
      at = i < 0 ? lines.length : i;
    } else {
      const i = lines.findIndex((l) => l.state === 'waiting' && CLASS_RANK[l.priority] > rank);
      at = i < 0 ? lines.length : i;
    }
    lines.splice(at, 0, line);
    // Anything else arriving drops the fillers still waiting: a filler only fills silence.
    if (line.priority !== 'filler') this.dropWhere((l) => l.priority === 'filler' && l.state !== 'playing', 'something else to say');
  }

  answer(answerId: string, questionId: string | null, askedAt: number | null): AnswerProgress {
    return (this.rt.answers[answerId] ??= {
      answerId, questionId, early: [], nextIndex: 0, total: null, skipped: [], finished: 0, started: false, askedAt,
      lastEndAt: null, text: [], outcome: 'open',
    });
  }

  /**
   * A line of an answer is ready. Lines join the queue in index order; one that arrives
   * before an earlier one waits in the answer (`early`) until the gap fills or the gap's
   * line is given up. Returns the lines that joined now.
   */
  addAnswerLine(a: AnswerProgress, line: LineRecord, final: boolean): LineRecord[] {
    if (a.outcome !== 'open') {
      this.fx.push({ kind: 'line.dropped', line, reason: `answer ${a.outcome}` });
      return [];
    }
    if (final) a.total = line.index + 1;
    // A retried job's duplicate.
    if (line.index < a.nextIndex || a.early.some((l) => l.index === line.index)) return [];
    if (line.index > a.nextIndex) {
      a.early.push(line);
      return [];
    }
    const joined = [line];
    this.addToAnswer(a, line);
    a.nextIndex = line.index + 1;
    this.release(a, joined);
    return joined;
  }

  /** An index will never come (its synthesis failed): skip it and let the next ones join. */
  skipAnswerIndex(a: AnswerProgress, index: number, final: boolean): void {
    if (final) a.total = index + 1;
    if (index < a.nextIndex || a.skipped.includes(index)) return;
    a.skipped.push(index);
    if (index === a.nextIndex) {
      a.nextIndex = index + 1;
      this.release(a, []);
    }
    this.settleAnswer(a);
  }

  private release(a: AnswerProgress, joined: LineRecord[]): void {
    for (;;) {
      const next = a.nextIndex;
      if (a.skipped.includes(next)) {
        a.nextIndex++;
        continue;
      }
      const early = a.early.find((l) => l.index === next);
      if (!early) return;
      a.early = a.early.filter((l) => l !== early);
      this.addToAnswer(a, early);
      joined.push(early);
      a.nextIndex++;
    }
  }

  /**
   * An answer's lines stay together: a line joins right after the answer's last queued
   * line, or — when the answer is already on air — first in its class, so another answer
   * never airs in the middle of it.
   */
  private addToAnswer(a: AnswerProgress, line: LineRecord): void {
    const lines = this.rt.lines;
    let last = -1;
    lines.forEach((l, i) => { if (l.answerId === a.answerId && !isLineDone(l.state)) last = i; });
    if (last >= 0) {
      lines.splice(last + 1, 0, line);
      if (line.priority !== 'filler') this.dropWhere((l) => l.priority === 'filler' && l.state !== 'playing', 'something else to say');
      return;
    }
    this.add(line, { front: a.started });
  }

  /** The answer's number of lines is known now (answer.end). */
  setAnswerTotal(a: AnswerProgress, total: number): void {
    a.total = total;
    this.settleAnswer(a);
  }

  /** Spoken when every line was reported finished (or skipped); dropped when any was cut or removed. */
  settleAnswer(a: AnswerProgress): void {
    if (a.outcome !== 'open' || a.total === null) return;
    if (a.finished + a.skipped.filter((i) => i < (a.total ?? 0)).length < a.total) return;
    if (a.finished === 0) return this.dropAnswer(a, 'nothing of the answer could be voiced');
    a.outcome = 'spoken';
    this.fx.push({ kind: 'answer.spoken', answerId: a.answerId, questionId: a.questionId, text: a.text.join(' ') });
  }

  /**
   * Ends an answer for good: its waiting lines go, the rest is never made, and the one on
   * air is cut — unless `cut` is false (a stale tail: the sentence on air ends naturally).
   */
  dropAnswer(a: AnswerProgress, reason: string, { cut = true } = {}): void {
    if (a.outcome !== 'open') return;
    a.outcome = 'dropped';
    for (const line of a.early) this.fx.push({ kind: 'line.dropped', line, reason });
    a.early = [];
    this.dropWhere((l) => l.answerId === a.answerId, reason, { cut });
    this.fx.push({ kind: 'answer.dropped', answerId: a.answerId, questionId: a.questionId, reason });
  }

  /**
   * Removes lines that have not aired. A sent line is taken back from the host; with
   * `cut`, a playing one is cut on the next frame as well.
   */
  dropWhere(pred: (l: LineRecord) => boolean, reason: string, { cut = false } = {}): LineRecord[] {
    const dropped: LineRecord[] = [];
    const stops: string[] = [];
    for (const line of this.rt.lines) {
      if (!pred(line)) continue;
      if (line.state === 'playing') {
        if (!cut) continue;
        stops.push(line.airId!);
        this.retire(line);
        line.state = move(LINE_MOVES, line.lineId, line.state, 'interrupted');
        this.fx.push({ kind: 'line.dropped', line, reason });
        dropped.push(line);
        continue;
      }
      if (line.state === 'sent') {
        stops.push(line.airId!);
        this.retire(line);
      }
      if (line.state === 'sent' || line.state === 'waiting') {
        line.state = move(LINE_MOVES, line.lineId, line.state, 'dropped');
        this.fx.push({ kind: 'line.dropped', line, reason });
        dropped.push(line);
      }
    }
    if (stops.length) this.fx.push({ kind: 'stop', airIds: stops });
    this.compact();
    // A line gone before its end leaves its answer (or say) incomplete: it will never be
    // whole, so it is over — left open, it would hold the queue behind it for good.
    for (const answerId of new Set(dropped.map((l) => l.answerId).filter((id): id is string => id !== null))) {
      const a = this.rt.answers[answerId];
      if (a) this.dropAnswer(a, reason);
    }
    return dropped;
  }

  /** Cuts the line on air now; an answer loses the rest of itself. */
  interrupt(lineId?: string): LineRecord | null {
    const line = lineId ? this.find(lineId) : this.playing;
    if (!line || isLineDone(line.state)) return null;
    const a = line.answerId ? this.rt.answers[line.answerId] : undefined;
    if (a && line.priority === 'answer') {
      this.dropAnswer(a, 'interrupted by an operator');
    } else {
      this.dropWhere((l) => l === line, 'interrupted by an operator', { cut: true });
    }
    return line;
  }

  /** Moves a waiting line before another waiting line of its class (null: to the end of its class). */
  moveBefore(lineId: string, before: string | null): boolean {
    const line = this.find(lineId);
    if (!line || line.state !== 'waiting') return false;
    const target = before ? this.find(before) : null;
    if (before && (!target || target.state !== 'waiting' || target.priority !== line.priority)) return false;
    const lines = this.rt.lines;
    lines.splice(lines.indexOf(line), 1);
    if (target) {
      lines.splice(lines.indexOf(target), 0, line);
    } else {
      const rank = CLASS_RANK[line.priority];
      const i = lines.findIndex((l) => l.state === 'waiting' && CLASS_RANK[l.priority] > rank);
      lines.splice(i < 0 ? lines.length : i, 0, line);
    }
    return true;
  }

  /** The room's host changed (lost, or replaced): what it had not finished airs again on the next one. */
  hostChanged(host: Runtime['host']): void {
    const same = host && this.rt.host && host.hostId === this.rt.host.hostId && host.sessionId === this.rt.host.sessionId;
    this.rt.host = host;
    if (same) return;
    const unfinished = this.rt.lines.filter((l) => l.state === 'playing' || l.state === 'sent')
      .sort((a, b) => (a.state === 'playing' ? -1 : b.state === 'playing' ? 1 : (a.seq ?? 0) - (b.seq ?? 0)));
    for (const line of unfinished.reverse()) {
      // The host died with this line on air: the as-run log records the airing as cut (media end unknown: -1).
      if (line.state === 'playing' && line.airId) {
        this.fx.push({ kind: 'line.ended', line: summary(line), airId: line.airId, mediaTimeMs: -1, hostId: line.hostId ?? 'unknown', interrupted: true });
      }
      this.retire(line);
      line.state = move(LINE_MOVES, line.lineId, line.state, 'waiting');
      const lines = this.rt.lines;
      lines.splice(lines.indexOf(line), 1);
      this.add(line, { front: true });
    }
  }

  /** The host reported a line started. */
  started(airId: string, hostId: string, mediaTimeMs: number, now: number, streamTimeMs?: number): LineRecord | null {
    const stream = streamTimeMs !== undefined ? { streamTimeMs } : {};
    const line = this.byAir(airId);
    if (!line) {
      // Taken back a moment too late: it did air, briefly; the stop already sent cuts it.
      const retired = this.rt.retired[airId];
      if (retired) this.fx.push({ kind: 'line.started', line: retired, airId, mediaTimeMs, hostId, taken: true, ...stream });
      return null;
    }
    if (line.state !== 'sent') return null;
    line.state = move(LINE_MOVES, line.lineId, line.state, 'playing');
    line.startedAt = now;
    line.hostId = hostId;
    this.fx.push({ kind: 'line.started', line: summary(line), airId, mediaTimeMs, hostId, taken: false, ...stream });
    const a = line.answerId ? this.rt.answers[line.answerId] : undefined;
    if (a && !a.started) {
      a.started = true;
      this.fx.push({ kind: 'answer.started', answerId: a.answerId, questionId: a.questionId });
    }
    return line;
  }

  /** The host reported a line's end. Returns the line when it was one of ours. */
  finished(airId: string, hostId: string, mediaTimeMs: number, interrupted: boolean, now: number): LineRecord | null {
    const line = this.byAir(airId);
    if (!line) {
      const retired = this.rt.retired[airId];
      if (!retired) return null;
      this.fx.push({ kind: 'line.ended', line: retired, airId, mediaTimeMs, hostId, interrupted });
      // Taken back too late (the host's reports were in flight) and aired whole all the
      // same: it is done, and the copy waiting to air again would say it twice.
      const copy = interrupted ? undefined : this.rt.lines.find((l) => l.lineId === retired.lineId && (l.state === 'waiting' || l.state === 'sent'));
      if (copy) {
        if (copy.state === 'sent') {
          this.fx.push({ kind: 'stop', airIds: [copy.airId!] });
          this.retire(copy);
        }
        copy.state = move(LINE_MOVES, copy.lineId, copy.state, 'finished');
        this.compact();
        this.answerLineEnded(copy, false, now);
      }
      return null;
    }
    if (line.state === 'sent') {
      // Started and ended between two reports we saw (a lost started report): it aired.
      line.startedAt ??= now;
      this.fx.push({ kind: 'line.started', line: summary(line), airId, mediaTimeMs, hostId, taken: false });
    }
    line.state = move(LINE_MOVES, line.lineId, line.state, interrupted ? 'interrupted' : 'finished');
    this.fx.push({ kind: 'line.ended', line: summary(line), airId, mediaTimeMs, hostId, interrupted });
    this.compact();
    this.answerLineEnded(line, interrupted, now);
    return line;
  }

  /** One of an answer's lines has aired (whole or cut): the answer's progress moves. */
  private answerLineEnded(line: LineRecord, interrupted: boolean, now: number): void {
    const a = line.answerId ? this.rt.answers[line.answerId] : undefined;
    if (!a) return;
    a.lastEndAt = now;
    if (interrupted) {
      // Cut by the host itself (an operator's stop command, a renderer fault): the answer is not whole.
      this.dropAnswer(a, 'cut on air');
    } else {
      a.finished++;
      a.text.push(line.text);
      this.settleAnswer(a);
    }
  }

  /**
   * Hands lines to the host: at most one ahead of the one on air, sent `leadMs` before
   * it ends. Returns when it next needs to look again (ms since epoch), or null.
   */
  pump(now: number, gate: Gate): number | null {
    if (!this.rt.host) return null;
    this.letGoOfStalledAnswers(now);
    const head = this.head(gate);
    let playing = this.playing;
    let sent = this.sent;

    if (head && head.priority === 'urgent') {
      if (playing && playing.priority !== 'urgent') {
        this.preempt(playing);
        playing = undefined;
      }
      for (const s of sent) if (s.priority !== 'urgent') this.preempt(s);
      sent = this.sent;
    } else if (head && sent[0] && CLASS_RANK[head.priority] < CLASS_RANK[sent[0].priority] && playing?.startedAt != null) {
      // Only from behind a line on air, with time to spare. With nothing on air the host
      // has most likely begun the sent line already (the report of the last one's end is
      // in; that of this one's start is on its way): taken back, it would be cut and aired twice.
      const endsAt = playing.startedAt + playing.durationMs;
      if (endsAt - now > this.timing.retractGuardMs) {
        this.preempt(sent[0]);
        sent = this.sent;
      }
    }
    this.resendLost(now, playing);
    if (!head || sent.length > 0) return this.nextLook(now);
    if (playing?.startedAt != null) {
      const sendAt = playing.startedAt + playing.durationMs - this.timing.leadMs;
      if (now < sendAt) return sendAt;
    } else if (playing) {
      return this.nextLook(now);
    }
    this.send(head, now);
    return this.nextLook(now);
  }

  /** The first waiting line allowed to go, in class order; an answer under way blocks the rest. */
  private head(gate: Gate): LineRecord | undefined {
    const open = this.answerInProgress();
    for (const line of [...this.rt.lines]) {
      if (line.state !== 'waiting') continue;
      if (open && line.priority !== 'urgent' && line.answerId !== open.answerId) {
        // Lower classes and other answers wait until the answer on air has all its lines.
        return undefined;
      }
      const verdict = gate(line);
      if (verdict === 'drop') {
        line.state = move(LINE_MOVES, line.lineId, line.state, 'dropped');
        this.fx.push({ kind: 'line.dropped', line, reason: 'its material changed and the new version failed or is gone' });
        continue;
      }
      if (verdict === 'wait') {
        // Order within a class holds: a later line of the same class never overtakes.
        if (line.priority === 'filler') continue;
        return undefined;
      }
      return line;
    }
    return undefined;
  }

  /** An answer that has started airing and is not complete yet, whose next line is not queued. */
  private answerInProgress(): AnswerProgress | undefined {
    for (const a of Object.values(this.rt.answers)) {
      if (a.outcome !== 'open' || !a.started) continue;
      const queued = this.rt.lines.some((l) => l.answerId === a.answerId && !isLineDone(l.state));
      if (!queued) return a;
    }
    return undefined;
  }

  private letGoOfStalledAnswers(now: number): void {
    for (const a of Object.values(this.rt.answers)) {
      if (a.outcome !== 'open' || !a.started || a.lastEndAt === null) continue;
      const queued = this.rt.lines.some((l) => l.answerId === a.answerId && !isLineDone(l.state));
      if (queued || now - a.lastEndAt < this.timing.answerStallMs) continue;
      // The rest never came (a worker died and the retry found the answer stale, say).
      if (a.finished > 0 && a.total === null) {
        a.total = a.finished + a.skipped.length;
        this.settleAnswer(a);
      } else {
        this.dropAnswer(a, 'the rest of the answer never came');
      }
    }
  }

  /**
   * A line the host has had for a while with nothing on air before it, and no report that
   * it started: the send was lost (Redis down as it went out, a host that missed it). It is
   * handed over again under the same segment id — a host that has it drops the repeat.
   */
  private resendLost(now: number, playing: LineRecord | undefined): void {
    const after = this.timing.resendAfterMs ?? 5000;
    const busyUntil = playing?.startedAt != null ? playing.startedAt + playing.durationMs : null;
    for (const line of this.sent) {
      const due = Math.max(line.sentAt ?? now, busyUntil ?? 0) + after;
      if (now < due) continue;
      line.sentAt = now;
      this.fx.push({ kind: 'send', line, airId: line.airId!, seq: line.seq! });
    }
  }

  private nextLook(now: number): number | null {
    const playing = this.playing;
    let at: number | null = null;
    if (playing?.startedAt != null) at = playing.startedAt + playing.durationMs - this.timing.leadMs;
    const after = this.timing.resendAfterMs ?? 5000;
    const busyUntil = playing?.startedAt != null ? playing.startedAt + playing.durationMs : 0;
    for (const line of this.sent) at = Math.min(at ?? Infinity, Math.max(line.sentAt ?? now, busyUntil) + after);
    for (const a of Object.values(this.rt.answers)) {
      if (a.outcome === 'open' && a.started && a.lastEndAt !== null) at = Math.min(at ?? Infinity, a.lastEndAt + this.timing.answerStallMs);
    }
    return at !== null && at > now ? at : null;
  }

  private send(line: LineRecord, now: number): void {
    line.airs += 1;
    line.airId = line.airs === 1 ? line.lineId : `${line.lineId}:${line.airs}`;
    line.seq = ++this.rt.seq;
    line.sentAt = now;
    line.startedAt = null;
    line.state = move(LINE_MOVES, line.lineId, line.state, 'sent');
    this.fx.push({ kind: 'send', line, airId: line.airId, seq: line.seq });
  }

  /** Takes back lines handed to the host and not started; they wait first in their class again. */
  takeBack(pred: (l: LineRecord) => boolean): void {
    for (const line of this.sent) if (pred(line)) this.preempt(line);
  }

  /** Takes a line back from the host (cut if on air) and puts it first in its class again. */
  private preempt(line: LineRecord): void {
    this.fx.push({ kind: 'stop', airIds: [line.airId!] });
    this.retire(line);
    line.state = move(LINE_MOVES, line.lineId, line.state, 'waiting');
    const lines = this.rt.lines;
    lines.splice(lines.indexOf(line), 1);
    this.add(line, { front: true });
  }

  private retire(line: LineRecord): void {
    if (!line.airId) return;
    this.rt.retired[line.airId] = summary(line);
    const ids = Object.keys(this.rt.retired);
    // Only recent air ids matter (reports in flight); keep the map small.
    for (const id of ids.slice(0, Math.max(0, ids.length - 50))) delete this.rt.retired[id];
    line.airId = null;
  }

  /** Lines that are done leave the runtime (the as-run log has them). */
  private compact(): void {
    this.rt.lines = this.rt.lines.filter((l) => !isLineDone(l.state));
  }
}
