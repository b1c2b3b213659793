import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { CLOSE_CODES } from '../../protocol/index.js';
import type { ServerCore } from '../core.js';
import type { ClientConnection } from './client-connection.js';

/** Bus control messages on a session's channel (frames for the session come as `{u}`). */
type Control = { ctl: 'replaced'; by: string } | { ctl: 'released'; for: string };
type ChannelMessage = { ctl?: string; by?: string; for?: string; u?: object };

/** How long a new holder waits for the previous one (another instance) to let go. */
const HANDOVER_WAIT_MS = 5000;

/**
 * taking-over: the socket is being given the session · holding: the connection numbers and
 * sends what comes · parking: its socket is gone, what comes is parked for the next holder
 * · handing-over: a new holder is taking the session; this one finishes and lets go · gone.
 */
export type LinkState = 'taking-over' | 'holding' | 'parking' | 'handing-over' | 'gone';

/**
 * This instance's hold on one session, for one socket. Frames for a session reach it on
 * the session's shard channel (from other instances) or directly (from this one); one
 * holder at a time numbers them, and a holder lets go in order:
 *
 * 1. The new holder subscribes, then publishes `replaced` (echoed to itself, a marker in
 *    the channel's order) and counts the instances listening.
 * 2. The previous holder — if another instance is listening — takes what came before the
 *    marker (sends and records it, or parks it when its socket is gone), ignores what came
 *    after, waits for its writes, then publishes `released`.
 * 3. The new holder keeps what came after its marker (all of it, when nobody else was
 *    listening), and once released takes the session in Redis: parked frames are numbered
 *    after what its client has seen, then replayed with the rest.
 *
 * So no frame is numbered twice, lost between two holders, or sent out of order; only a
 * holder that dies keeps the frames it sent but had not yet recorded.
 */
export class SessionLink {
  state: LinkState = 'taking-over';
  private readonly nonce = randomUUID();
  private unsubscribe: (() => Promise<void>) | null = null;
  /** Channel frames that came during the take-over, and whether after our own marker. */
  private early: Array<{ frame: object; afterMarker: boolean }> = [];
  private markerSeen = false;
  private onReleased: (() => void) | null = null;
  /** Successors (their `replaced` nonces) to tell once this link has let go. */
  private readonly successors: string[] = [];
  private parks: Promise<unknown> = Promise.resolve();
  private parkTimer: NodeJS.Timeout | null = null;
  private letGo: Promise<void> | null = null;

  constructor(private readonly core: ServerCore, readonly conn: ClientConnection, private readonly log: Logger, private readonly onGone: () => void = () => undefined) {
    conn.divert = (frame) => this.take(frame);
  }

  get sessionId(): string {
    return this.conn.sessionId;
  }

  private get channel(): string {
    return this.core.sessions.busChannel(this.sessionId);
  }

  /**
   * Takes the session for this socket; `previous` is this instance's own earlier link to it,
   * if any. Returns the seq to number on from; the connection holds what came meanwhile.
   */
  async takeOver(resume: { lastSeq: number } | null, previous: SessionLink | undefined): Promise<{ seq: number }> {
    if (previous) await previous.handOver(null);
    this.unsubscribe = await this.core.bus.subscribe(this.channel, (data) => this.onChannel(data as ChannelMessage), { shard: true });
    if (resume) {
      const listening = await this.core.bus.publishAndCount(this.channel, { ctl: 'replaced', by: this.nonce } satisfies Control, { shard: true, echo: true });
      if (listening > 1) {
        const released = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), HANDOVER_WAIT_MS);
          timer.unref();
          this.onReleased = () => { clearTimeout(timer); resolve(true); };
        });
        this.onReleased = null;
        if (!released) this.log.warn({ waitedMs: HANDOVER_WAIT_MS }, 'the previous holder of the session did not let go; taking it over');
        // What came before our marker was the previous holder's to handle.
        this.early = this.early.filter((e) => e.afterMarker);
      }
    }
    const { epoch, seq } = await this.core.sessions.takeOver(this.sessionId, resume?.lastSeq ?? null);
    this.conn.persist = (n, raw) => this.core.sessions.record(this.sessionId, epoch, n, raw);
    this.state = 'holding';
    for (const e of this.early.splice(0)) this.conn.deliver(e.frame);
    return { seq };
  }

  private onChannel(msg: ChannelMessage): void {
    if (msg.ctl === 'replaced') {
      if (msg.by === this.nonce) this.markerSeen = true;
      else void this.handOver(msg.by ?? null);
      return;
    }
    if (msg.ctl === 'released') {
      if (msg.for === this.nonce) this.onReleased?.();
      return;
    }
    if (msg.u) this.take(msg.u);
  }

  /** A frame for the session, from the channel or from this instance. */
  take(frame: object): void {
    switch (this.state) {
      case 'taking-over':
        this.early.push({ frame, afterMarker: this.markerSeen });
        return;
      case 'holding':
        // Diverted back here (below) once the connection is closed.
        if (this.conn.state === 'open' || this.conn.holding) return this.conn.deliver(frame);
        return this.park(frame);
      case 'parking':
        return this.park(frame);
      case 'handing-over':
        // After a successor's marker, frames are the successor's; with none (this instance's
        // own successor, or shutdown) they wait in Redis for whoever holds the session next.
        if (this.successors.length === 0) this.park(frame);
        return;
      case 'gone':
        return;
    }
  }

  private park(frame: object): void {
    this.parks = this.parks.then(() => this.core.sessions.park(this.sessionId, frame)).catch((err: Error) => {
      this.log.warn({ err: err.message }, 'frame for a closed session not kept');
    });
  }

  /** The socket closed: from now on frames are parked, after the ones already sent are recorded. */
  socketClosed(): void {
    if (this.state !== 'holding') return;
    this.state = 'parking';
    this.parks = this.parks.then(() => this.core.sessions.whenRecorded(this.sessionId));
    // Nobody resumed within the window: the session expires in Redis; stop listening for it.
    this.parkTimer = setTimeout(() => void this.handOver(null), this.core.config.resumeWindowSeconds * 1000);
    this.parkTimer.unref();
  }

  /** Lets go of the session: `to` is the nonce of a successor on another instance, if any. */
  handOver(to: string | null): Promise<void> {
    if (this.state === 'gone') return to ? this.tellReleased([to]) : Promise.resolve();
    if (to) this.successors.push(to);
    // Already letting go (shutdown, or another successor): this one hears `released` too.
    if (this.letGo) return this.letGo;
    if (this.parkTimer) clearTimeout(this.parkTimer);
    this.state = 'handing-over';
    if (this.conn.state === 'open') this.conn.close(CLOSE_CODES.sessionReplaced, 'session resumed elsewhere');
    this.letGo = (async () => {
      // Held frames of a closed socket: numbered and recorded now, so the next holder replays them.
      if (this.conn.holding) this.conn.release(this.conn.lastSeq, []);
      await this.unsubscribe?.().catch(() => undefined);
      await this.core.sessions.whenRecorded(this.sessionId);
      await this.parks;
      this.core.local.remove(this.conn);
      this.state = 'gone';
      this.onGone();
      await this.tellReleased(this.successors);
    })();
    return this.letGo;
  }

  private async tellReleased(to: string[]): Promise<void> {
    for (const nonce of to) {
      await this.core.bus.publish(this.channel, { ctl: 'released', for: nonce } satisfies Control, { shard: true }).catch(() => undefined);
    }
  }
}
