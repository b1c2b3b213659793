import type { ClientContext, Redis, Result } from 'ioredis';
import type { Logger } from 'pino';
import {
  compile, SegmentPayload, type RoomEvent, type SegmentCue, type ShowState, type SpeechSegment, type VisualCommand, type WordTiming,
} from '../../protocol/index.js';
import type { RoomStore } from '../rooms/room-store.js';
import type { AirObserver } from './air-observer.js';
import type { Clock } from './clock.js';
import type { Effect } from './effects.js';
import type { Library } from './library.js';
import type { RoomInbox } from './room-inbox.js';
import type { RundownStore } from './rundown-store.js';
import { emptyRuntime, type LineRecord, type Runtime } from './runtime.js';
import type { ShowEvent } from './show-events.js';
import { showKeys, type ShowKeys } from './show-keys.js';
import { ShowMachine } from './show-machine.js';
import type { QueueTiming } from './speech-queue.js';

// The state is written only by the lease holder, and the inbox trimmed to what it has
// read, in one step: a new owner never sees a state without the events that made it.
const PERSIST = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SET', KEYS[3], ARGV[3])
redis.call('XTRIM', KEYS[4], 'MINID', ARGV[4])
return 1
`;

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    livehostShowPersist(lease: string, runtime: string, backlog: string, inbox: string, owner: string, state: string, backlogMs: number, lastId: string): Result<number, Context>;
  }
}

const validPayload = compile(SegmentPayload);

export interface ShowRoomDeps {
  redis: Redis;
  prefix: string;
  instanceId: string;
  inbox: RoomInbox;
  library: Library;
  rundowns: RundownStore;
  rooms: RoomStore;
  /** The room's render host now, read fresh (not cached). */
  lookupHost: (room: string) => Promise<{ hostId: string; sessionId: string } | null>;
  deliver: (sessionId: string, frame: object) => Promise<boolean>;
  /** Answers a REST request waiting on a bus channel (any instance). */
  reply: (channel: string, outcome: { ok: boolean; code?: string; message?: string }) => Promise<void>;
  emit: (room: string, event: RoomEvent) => Promise<void>;
  observer: AirObserver;
  /** Stops the workers making an answer that will not air (LLM stream, waiting tts jobs). */
  cancelAnswer: (room: string, answerId: string) => Promise<void>;
  /** A command id for a command the director sends on its own (its ack goes nowhere). */
  commandId: () => string;
  clock: Clock;
  log: Logger;
  timing?: QueueTiming;
  newLineId: () => string;
}

/** Thrown when a write finds the lease gone: the room has another owner now. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
}

/**
 * One room's director on the instance that holds its lease: reads the room's inbox in
 * order, lets the machine decide, stores the new state (lease-checked), then carries out
 * the effects — segments and stops to the render host, events to operators, outcomes to
 * the newsroom. Everything for one room runs one step at a time.
 */
export class ShowRoom {
  private machine!: ShowMachine;
  private stateLoaded = false;
  private rt: Runtime = emptyRuntime();
  private chain: Promise<void> = Promise.resolve();
  private cancelTimer: (() => void) | null = null;
  private lastView = '';
  private closed = false;
  /** Word timings of lines sent, so operators can follow the words of the line on air. */
  private readonly words = new Map<string, WordTiming[]>();
  private readonly keys: ShowKeys;

  constructor(readonly room: string, private readonly d: ShowRoomDeps, private readonly onLost: (room: string) => void) {
    this.keys = showKeys(d.prefix, room);
    if (typeof (d.redis as { livehostShowPersist?: unknown }).livehostShowPersist !== 'function') {
      d.redis.defineCommand('livehostShowPersist', { numberOfKeys: 4, lua: PERSIST });
    }
  }

  /** Loads the stored state, catches up with the inbox and re-hands the host what it may not have. */
  open(): Promise<void> {
    return this.serial(() => this.load());
  }

  /**
   * Whether the stored state has been loaded. A load that fails (Redis failing over while
   * the lease was taken) is tried again, as every failed step is; until then the room has
   * no machine to step, and what it would have stepped waits in the inbox.
   */
  get loaded(): boolean {
    return this.stateLoaded;
  }

  private async load(): Promise<void> {
    const raw = await this.d.redis.get(this.keys.runtime);
    this.rt = raw ? JSON.parse(raw) as Runtime : emptyRuntime();
    await this.build();
    const host = await this.d.lookupHost(this.room);
    const stored = this.rt.host;
    if (host?.hostId !== stored?.hostId || host?.sessionId !== stored?.sessionId) {
      this.machine.handle({ type: 'host.changed', host }, this.d.clock.now());
    } else if (host) {
      // The last owner may have stored a send and died before doing it: the host drops repeats.
      const sent = this.rt.lines.filter((l) => l.state === 'sent').sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
      for (const line of sent) this.machine.fx.push({ kind: 'send', line, airId: line.airId!, seq: line.seq! });
    }
    this.stateLoaded = true;
    await this.drainNow();
  }

  /** Catches up with the inbox, loading the state first if that has not succeeded yet. */
  private resume(): Promise<void> {
    return this.loaded ? this.drainNow() : this.load();
  }

  /** The inbox has something new. */
  wake(): void {
    void this.serial(() => this.resume());
  }

  close(): void {
    this.closed = true;
    this.cancelTimer?.();
    this.cancelTimer = null;
  }

  /** Resolves once every step asked of this room so far has run (tests wait on it). */
  async idle(): Promise<void> {
    let seen: Promise<void> | null = null;
    while (seen !== this.chain) {
      seen = this.chain;
      await seen;
    }
  }

  /** The state as stored (for an instance that does not own the room): read-only, nothing is written. */
  async peek(): Promise<ShowState> {
    const raw = await this.d.redis.get(this.keys.runtime);
    this.rt = raw ? JSON.parse(raw) as Runtime : emptyRuntime();
    await this.build();
    return this.view();
  }

  /** The state operators see, computed now. */
  view(): ShowState {
    return this.machine.view(this.room, this.d.clock.now(), (id) => this.words.get(id) ?? []);
  }

  private serial(fn: () => Promise<void>): Promise<void> {
    const run = this.chain.then(async () => {
      if (this.closed) return;
      try {
        await fn();
      } catch (err) {
        if (err instanceof LeaseLostError) {
          this.close();
          this.onLost(this.room);
          return;
        }
        this.d.log.error({ err, room: this.room }, 'director step failed');
        // Redis away, say: nothing would wake the room again once it is back — look again soon.
        this.cancelTimer?.();
        this.cancelTimer = this.d.clock.at(this.d.clock.now() + 1000, () => void this.serial(() => this.resume()));
      }
    });
    this.chain = run;
    return run;
  }

  private async build(): Promise<void> {
    const [rundown, library, settings] = await Promise.all([
      this.d.rundowns.get(this.room), this.d.library.view(this.room), this.d.rooms.get(this.room),
    ]);
    // Effects decided by the previous machine in this batch still have to happen.
    const pending = this.machine ? this.machine.fx.items.splice(0) : [];
    this.machine = new ShowMachine(this.rt, {
      rundown, library, fillerRepeatMs: settings.fillerRepeatS * 1000, answerStaleMs: settings.answerStaleS * 1000,
      newLineId: this.d.newLineId, ...(this.d.timing ? { timing: this.d.timing } : {}),
    });
    for (const e of pending) this.machine.fx.push(e);
  }

  private async drainNow(): Promise<void> {
    const replies: Array<{ by: NonNullable<Extract<ShowEvent, { type: 'op' }>['by']>; outcome: ReturnType<ShowMachine['handle']> }> = [];
    for (let batch = 0; batch < 50; batch++) {
      const { entries, bad, lastId } = await this.d.inbox.read(this.room, this.rt.lastEventId);
      if (bad) this.d.log.warn({ room: this.room, bad }, 'malformed inbox entries skipped');
      if (lastId === this.rt.lastEventId) break;
      for (const { id, event } of entries) {
        const now = this.d.clock.now();
        if (event.type === 'rundown.changed' || event.type === 'library.changed') await this.build();
        const e = event.type === 'host.changed' ? { ...event, host: await this.d.lookupHost(this.room) } : event;
        const outcome = this.machine.handle(e, now);
        if (event.type === 'op' && event.by) replies.push({ by: event.by, outcome });
        this.rt.lastEventId = id;
      }
      this.rt.lastEventId = lastId;
    }
    await this.stepAndApply();
    for (const { by, outcome } of replies) {
      if (by.replyTo) {
        await this.d.reply(by.replyTo, outcome);
        continue;
      }
      const host = this.rt.host?.hostId;
      const frame = outcome.ok
        ? (by.as === 'command.ack' && host ? { type: 'command.ack', ref: by.ref, room: this.room, hostId: host, ok: true } : { type: 'ack', ref: by.ref })
        : { type: 'error', code: outcome.code ?? 'conflict', message: outcome.message ?? 'refused', ref: by.ref };
      await this.d.deliver(by.sessionId, frame);
    }
  }

  private async stepAndApply(): Promise<void> {
    let wake: number | null = null;
    // Carrying out an effect can change the state again (a line whose audio is gone is
    // dropped): step, store, act, until nothing new was decided.
    for (let round = 0; round < 5; round++) {
      wake = this.machine.step(this.d.clock.now());
      const effects = this.machine.fx.items.splice(0);
      const ok = await this.d.redis.livehostShowPersist(
        this.keys.lease, this.keys.runtime, this.keys.backlog, this.keys.inbox,
        this.d.instanceId, JSON.stringify(this.rt), this.machine.queue.backlogMs(), this.rt.lastEventId,
      );
      if (ok !== 1) throw new LeaseLostError(`lease on ${this.room} lost`);
      for (const e of effects) {
        try {
          await this.apply(e);
        } catch (err) {
          this.d.log.warn({ err, room: this.room, effect: e.kind }, 'director effect failed');
        }
      }
      if (this.machine.fx.items.length === 0) break;
    }
    await this.publishView();
    this.arm(wake);
  }

  private arm(at: number | null): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
    if (at === null || this.closed) return;
    this.cancelTimer = this.d.clock.at(at, () => void this.serial(() => this.stepAndApply()));
  }

  private async publishView(): Promise<void> {
    const view = this.view();
    // Elapsed times change every moment; operators see a new state when something happened.
    const { at: _at, segmentElapsedMs: _e, segmentRemainingMs: _r, nextHardCue, ...rest } = view;
    const key = JSON.stringify({ ...rest, cue: nextHardCue?.segmentId ?? null });
    if (key === this.lastView) return;
    this.lastView = key;
    await this.d.emit(this.room, { kind: 'show.state', show: view });
  }

  private async apply(e: Effect): Promise<void> {
    const host = this.rt.host;
    switch (e.kind) {
      case 'send': {
        if (!host) return;
        const segment = await this.segmentFor(e.line, e.airId, e.seq);
        if (!segment) {
          // Its audio is gone (expired, or a prepared line lost): it cannot air; tell the machine.
          this.machine.queue.dropWhere((l) => l.lineId === e.line.lineId, 'its audio is missing');
          return;
        }
        this.words.set(e.line.lineId, segment.timeline.words);
        if (this.words.size > 200) this.words.delete(this.words.keys().next().value!);
        await this.d.deliver(host.sessionId, { type: 'speech.segment', segment });
        // Handed to the host (not yet heard): consoles and the timed-metadata tap see its text now.
        await this.d.emit(this.room, {
          kind: 'answer.sentence', segmentId: e.airId, segmentSeq: e.seq, text: segment.text, final: segment.final,
          ...(e.line.questionId ? { questionId: e.line.questionId } : {}),
        });
        return;
      }
      case 'stop':
        if (host) await this.d.deliver(host.sessionId, { type: 'speech.stop', room: this.room, segmentIds: e.airIds });
        return;
      case 'command':
        if (host) await this.d.deliver(host.sessionId, { type: 'command', commandId: this.d.commandId(), room: this.room, command: e.command });
        return;
      case 'line.started': {
        const words = this.words.get(e.line.lineId);
        await this.d.emit(this.room, {
          kind: 'speech.started', segmentId: e.airId, mediaTimeMs: e.mediaTimeMs, hostId: e.hostId, lineId: e.line.lineId,
          text: e.line.text, priority: e.line.priority, source: e.line.source, durationMs: e.line.durationMs,
          ...(words ? { words } : {}), ...(e.line.questionId ? { questionId: e.line.questionId } : {}),
        });
        await this.d.observer.lineStarted(this.report(e));
        return;
      }
      case 'line.ended':
        await this.d.emit(this.room, {
          kind: 'speech.finished', segmentId: e.airId, mediaTimeMs: Math.max(0, e.mediaTimeMs), interrupted: e.interrupted, hostId: e.hostId, lineId: e.line.lineId,
        });
        await this.d.observer.lineEnded({ ...this.report(e), interrupted: e.interrupted });
        if (!this.rt.lines.some((l) => l.lineId === e.line.lineId)) await this.forget(e.line.lineId);
        return;
      case 'line.dropped':
        await this.forget(e.line.lineId);
        return;
      case 'answer.started':
        if (e.questionId) await this.d.observer.answerStarted(this.room, e.questionId);
        return;
      case 'answer.spoken':
        if (e.questionId) await this.d.observer.answerSpoken(this.room, e.questionId, e.text);
        return;
      case 'answer.dropped':
        await this.d.cancelAnswer(this.room, e.answerId);
        if (e.questionId) await this.d.observer.answerDropped(this.room, e.questionId, e.reason);
        return;
      case 'notice':
        this.d.log.info({ room: this.room, notice: e.message }, 'director notice');
        await this.d.emit(this.room, { kind: 'notice', level: e.level, message: e.message });
        return;
    }
  }

  private report(e: Extract<Effect, { kind: 'line.started' | 'line.ended' }>) {
    return {
      room: this.room, lineId: e.line.lineId, airId: e.airId, text: e.line.text, priority: e.line.priority, source: e.line.source,
      questionId: e.line.questionId, hostId: e.hostId, mediaTimeMs: e.mediaTimeMs, at: this.d.clock.now(), durationMs: e.line.durationMs,
      showId: this.rt.show.startedAt !== null && this.rt.show.state !== 'idle' ? `show-${this.rt.show.startedAt}` : null,
      ...(e.kind === 'line.started' && e.streamTimeMs !== undefined ? { streamTimeMs: e.streamTimeMs } : {}),
    };
  }

  private async forget(lineId: string): Promise<void> {
    this.words.delete(lineId);
    await this.d.redis.hdel(this.keys.payload, lineId);
  }

  /** The segment a host plays: the line's audio and timeline, with its look and word cues on the segment's clock. */
  private async segmentFor(line: LineRecord, airId: string, seq: number): Promise<SpeechSegment | null> {
    let payload: SegmentPayload | null = null;
    if (line.prepareKey) {
      payload = await this.d.library.payload(this.room, line.prepareKey);
    } else {
      const raw = await this.d.redis.hget(this.keys.payload, line.lineId);
      const checked = raw ? validPayload.check(JSON.parse(raw)) : null;
      payload = checked?.ok ? checked.value : null;
    }
    if (!payload) return null;
    const cues: SegmentCue[] = line.startCommands.map((command) => ({ atMs: 0, command }));
    if (line.material) {
      const m = await this.d.library.storedMaterial(this.room, line.material.id);
      if (m) {
        const look: VisualCommand[] = [];
        if (m.look.character) look.push({ name: 'character', character: m.look.character });
        if (m.look.scene) look.push({ name: 'scene', scene: m.look.scene });
        if (m.look.camera) look.push({ name: 'camera', camera: m.look.camera });
        if (m.look.action) look.push({ name: 'action', action: m.look.action });
        if (m.panel) look.push({ name: 'panel.show', imageUrl: m.panel.imageUrl, ...(m.panel.title ? { title: m.panel.title } : {}) });
        if (m.caption) look.push({ name: 'caption', text: m.caption });
        cues.push(...look.map((command) => ({ atMs: 0, command })));
        if (m.caption) cues.push({ atMs: payload.durationMs, command: { name: 'caption', text: '' } });
        const words = payload.timeline.words;
        for (const cue of m.cues) {
          const w = words[cue.atWord];
          cues.push({ atMs: w ? w.startMs : payload.durationMs, command: cue.command });
        }
      }
    }
    const a = line.answerId ? this.rt.answers[line.answerId] : undefined;
    return {
      segmentId: airId, room: this.room, segmentSeq: seq, text: payload.text, language: payload.language,
      priority: line.priority, audio: payload.audio, durationMs: payload.durationMs, timeline: payload.timeline,
      final: a ? a.total === line.index + 1 : true,
      ...(line.questionId ? { questionId: line.questionId } : {}),
      ...(cues.length ? { cues: cues.slice(0, 40) } : {}),
      // Nothing earlier still to play: a fresh host need not wait for an earlier seq (its settle wait).
      head: !this.rt.lines.some((l) => (l.state === 'sent' || l.state === 'playing') && l.seq !== null && l.seq < seq),
      // The wall clock, not the director's (injectable) clock: stamps compare across parts.
      timing: { ...payload.timing, sentAt: Date.now() },
    };
  }
}
