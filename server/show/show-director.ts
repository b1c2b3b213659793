import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { compile, SegmentPayload, type ErrorCode, type ShowCommand } from '../../protocol/index.js';
import { ProtocolError } from '../auth/auth-error.js';
import type { Bus } from '../bus/bus.js';
import type { RoomStore } from '../rooms/room-store.js';
import { DirectorLease } from './director-lease.js';
import type { RoomInbox } from './room-inbox.js';
import type { AnswerProgress, Runtime } from './runtime.js';
import type { ShowEvent } from './show-events.js';
import { directorChannel, showKeys } from './show-keys.js';
import { ShowRoom, type ShowRoomDeps } from './show-room.js';

/** An answer's lines as the director holds them (ShowDirector.answerLines). */
export interface AnswerLines {
  outcome: AnswerProgress['outcome'];
  /** Every line of the answer reached the director (or was given up on). */
  complete: boolean;
  /** Texts of the lines that already aired whole; their audio is let go. */
  aired: string[];
  /** The lines not aired yet, in order, with their audio (null when it is gone). */
  lines: Array<{ index: number; text: string; payload: SegmentPayload | null }>;
}

const validPayload = compile(SegmentPayload);

export interface ShowDirectorOptions {
  /** Lease time to live; a dead owner's rooms are taken after at most this + one scan. */
  leaseMs?: number;
  /** How often leases are renewed and unowned rooms looked for. */
  scanMs?: number;
}

/**
 * The show side of one server instance: it holds the leases of some rooms and runs their
 * directors; every few hundred milliseconds it renews them and takes any room nobody
 * holds (a new room, or one whose owner died). Any instance can put an event in any
 * room's inbox (`submit`); the owner is woken on its instance channel.
 */
export class ShowDirector {
  private readonly owned = new Map<string, ShowRoom>();
  private readonly lease: DirectorLease;
  private timer: NodeJS.Timeout | null = null;
  private offWake: (() => Promise<void>) | null = null;
  private scanning = false;
  private closed = false;
  readonly leaseMs: number;
  private readonly scanMs: number;

  constructor(
    private readonly deps: ShowRoomDeps,
    private readonly rooms: RoomStore,
    private readonly inbox: RoomInbox,
    private readonly bus: Bus,
    private readonly log: Logger,
    opts: ShowDirectorOptions = {},
  ) {
    this.leaseMs = opts.leaseMs ?? 3000;
    this.scanMs = opts.scanMs ?? 1000;
    if (this.scanMs * 2 >= this.leaseMs) throw new RangeError('ShowDirector: scanMs must be under half of leaseMs, so a lease is renewed in time');
    this.lease = new DirectorLease(deps.redis, deps.prefix, deps.instanceId, this.leaseMs);
  }

  async start(): Promise<void> {
    this.closed = false;
    this.offWake = await this.bus.subscribe(directorChannel(this.deps.instanceId), (room) => {
      if (typeof room === 'string') this.owned.get(room)?.wake();
    });
    await this.scan();
    this.timer = setInterval(() => void this.scan(), this.scanMs);
    this.timer.unref();
  }

  /** Puts an event in a room's inbox, from any instance. */
  submit(room: string, event: ShowEvent): Promise<string> {
    return this.inbox.submit(room, event);
  }

  /**
   * Runs an operator command and waits for the director's outcome, wherever the room's
   * director runs: subscribe to a reply channel, submit, time out, always unsubscribe.
   */
  async command(room: string, cmd: ShowCommand, tokenId: string, timeoutMs = 5000): Promise<void> {
    const channel = `show-reply:${randomUUID()}`;
    let settle!: (o: { ok: boolean; code?: string; message?: string }) => void;
    const outcome = new Promise<{ ok: boolean; code?: string; message?: string }>((resolve) => (settle = resolve));
    const off = await this.bus.subscribe(channel, (data) => settle(data as { ok: boolean; code?: string; message?: string }));
    const timer = setTimeout(() => settle({ ok: false, code: 'unavailable', message: `the room's director did not answer within ${timeoutMs} ms` }), timeoutMs);
    try {
      await this.submit(room, { type: 'op', cmd, by: { sessionId: '', ref: channel, tokenId, replyTo: channel } });
      const o = await outcome;
      if (!o.ok) throw new ProtocolError((o.code ?? 'conflict') as ErrorCode, o.message ?? 'refused');
    } finally {
      clearTimeout(timer);
      await off().catch(() => undefined);
    }
  }

  /** What operators see of a room's show: from its director when it runs here, else from the stored state. */
  async view(room: string) {
    const local = this.owned.get(room);
    // Not loaded yet (its first load failed and waits for its retry): the stored state is what there is.
    if (local?.loaded) return local.view();
    const probe = new ShowRoom(room, this.deps, () => undefined);
    return probe.peek();
  }

  /**
   * An answer's lines as far as they reached the director, from the stored state (any
   * instance): the migration adapter hands a legacy renderer an answer whole.
   */
  async answerLines(room: string, answerId: string): Promise<AnswerLines | null> {
    const keys = showKeys(this.deps.prefix, room);
    const raw = await this.deps.redis.get(keys.runtime);
    const rt = raw ? JSON.parse(raw) as Runtime : null;
    const a = rt?.answers[answerId];
    if (!rt || !a) return null;
    const lines = rt.lines.filter((l) => l.answerId === answerId).sort((x, y) => x.index - y.index);
    const payloads = lines.length ? await this.deps.redis.hmget(keys.payload, ...lines.map((l) => l.lineId)) : [];
    return {
      outcome: a.outcome, complete: a.total !== null && a.nextIndex >= a.total, aired: a.text,
      lines: lines.map((l, i) => {
        const checked = payloads[i] ? validPayload.check(JSON.parse(payloads[i]!)) : null;
        return { index: l.index, text: l.text, payload: checked?.ok ? checked.value : null };
      }),
    };
  }

  /** The director of a room this instance owns, if it does. */
  local(room: string): ShowRoom | undefined {
    return this.owned.get(room);
  }

  get ownedRooms(): string[] {
    return [...this.owned.keys()];
  }

  async scan(): Promise<void> {
    if (this.scanning || this.closed) return;
    this.scanning = true;
    try {
      for (const room of await this.lease.renew(this.ownedRooms)) this.drop(room, 'lease lost');
      const existing = new Set(await this.rooms.ids());
      for (const room of this.ownedRooms) {
        if (!existing.has(room)) {
          this.drop(room, 'room deleted');
          await this.lease.release(room);
        }
      }
      for (const room of existing) {
        if (this.owned.has(room) || this.closed) continue;
        if (!(await this.lease.acquire(room))) continue;
        const director = new ShowRoom(room, this.deps, (r) => this.drop(r, 'lease lost while writing'));
        this.owned.set(room, director);
        await director.open();
        this.log.info({ room }, 'directing room');
      }
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'director scan failed');
    } finally {
      this.scanning = false;
    }
  }

  private drop(room: string, why: string): void {
    const director = this.owned.get(room);
    if (!director) return;
    director.close();
    this.owned.delete(room);
    this.log.warn({ room, why }, 'stopped directing room');
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.offWake?.().catch(() => undefined);
    for (const [room, director] of this.owned) {
      director.close();
      // Handing the room over at once, rather than after the lease runs out, keeps a restart's gap short.
      await this.lease.release(room).catch(() => undefined);
    }
    this.owned.clear();
  }
}
