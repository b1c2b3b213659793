import type { WebSocket, RawData } from 'ws';
import type { Logger } from 'pino';
import {
  CLOSE_CODES, MAX_FRAME_BYTES, messageValidators,
  type ClientRole, type ErrorCode, type ErrorFrame, type InboundFor,
} from '../../protocol/index.js';
import type { Claims } from '../auth/claims.js';
import { clientError } from '../auth/auth-error.js';
import { RateLimiter } from './rate-limiter.js';
import { Tally } from './tally.js';
import type { Metrics } from '../metrics.js';

export type ConnectionState = 'open' | 'closing' | 'closed';

export type MessageHandler<R extends ClientRole> = (conn: ClientConnection<R>, msg: InboundFor<R>) => Promise<void>;

/**
 * A frame's JSON without its opening brace, for the frame delivered last: a room event is
 * handed to each subscribed operator's connection in turn as the same object, so it is
 * serialized once, not once per operator. One entry, compared by identity — no lookup table
 * on the relay's path, where each frame has one recipient. Frames are never changed after
 * they are handed to delivery.
 */
let lastFrame: object | null = null;
let lastBody = '';
function frameBody(frame: object): string {
  if (frame !== lastFrame) {
    lastBody = JSON.stringify(frame).slice(1);
    lastFrame = frame;
  }
  return lastBody;
}

/**
 * One client socket. Every frame takes the same path: size, rate, parse, validate,
 * dispatch — and a failure at any step is an error frame, never a dead connection.
 * Handlers run one at a time per connection, so a client's messages act in order.
 */
export class ClientConnection<R extends ClientRole = ClientRole> {
  state: ConnectionState = 'open';
  /** Validated messages waiting for the handler, which runs one at a time. */
  private readonly queue: Array<{ msg: InboundFor<R>; type: string; ref: string | null }> = [];
  private running = false;
  private readonly limiter: RateLimiter;
  private readonly validators;
  private readonly inbound;
  private readonly outbound;

  constructor(
    readonly socket: WebSocket,
    readonly role: R,
    readonly claims: Claims,
    readonly sessionId: string,
    private readonly handler: MessageHandler<R>,
    readonly log: Logger,
    private readonly metrics: Metrics,
    limits: { ratePerSecond: number; burst: number },
  ) {
    this.limiter = new RateLimiter(limits.ratePerSecond, limits.burst);
    // Bound once and tallied: every frame counts, and a Prometheus inc per frame is measurable at load.
    this.inbound = Tally.of(metrics.messages.labels(role, 'in'));
    this.outbound = Tally.of(metrics.messages.labels(role, 'out'));
    this.validators = messageValidators('inbound', role);
  }

  receive(data: RawData, isBinary: boolean): void {
    if (this.state !== 'open') return;
    this.inbound.inc();
    const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer).byteLength;
    // ws enforces maxPayload with 1009 already; this guards fragmented frames the same way.
    if (size > MAX_FRAME_BYTES) return this.close(CLOSE_CODES.messageTooBig, 'frame too large');
    const verdict = this.limiter.take();
    if (verdict === 'close') return this.close(CLOSE_CODES.policyViolation, 'rate limit exceeded');
    if (verdict === 'refuse') return this.sendError('rate_limited', 'too many messages', null);
    if (isBinary) return this.sendError('invalid_message', 'binary frames are not accepted', null);

    let parsed: unknown;
    try {
      parsed = JSON.parse(Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString('utf8'));
    } catch {
      return this.sendError('bad_json', 'frame is not valid JSON', null);
    }
    const obj = parsed as { type?: unknown; id?: unknown };
    const ref = typeof obj?.id === 'string' ? obj.id.slice(0, 64) : null;
    if (typeof parsed !== 'object' || parsed === null || typeof obj.type !== 'string') {
      return this.sendError('invalid_message', 'a message is an object with a string "type"', ref);
    }
    const validator = this.validators.get(obj.type);
    if (!validator) return this.sendError('unknown_type', `unknown message type "${obj.type.slice(0, 40)}" for ${this.role}`, ref);
    const result = validator.check(parsed);
    if (!result.ok) return this.sendError('invalid_message', `${obj.type}: ${result.error}`, ref);

    this.queue.push({ msg: result.value as InboundFor<R>, type: obj.type, ref });
    // Idle: the handler starts now, in this tick (no promise chain per frame on the relay's path).
    if (!this.running) this.runNext();
  }

  private runNext(): void {
    const next = this.queue.shift();
    if (!next) {
      this.running = false;
      return;
    }
    this.running = true;
    let pending: Promise<void>;
    try {
      pending = this.handler(this, next.msg);
    } catch (err) {
      pending = Promise.reject(err);
    }
    pending.then(this.afterHandler, (err: unknown) => {
      this.handlerFailed(err, next.type, next.ref);
      this.runNext();
    });
  }

  private readonly afterHandler = (): void => this.runNext();

  private handlerFailed(err: unknown, type: string, ref: string | null): void {
    // A client's fault or a dependency's outage is the client's to hear, not the log's to shout.
    const known = clientError(err);
    if (known) return this.sendError(known.code, known.message, ref);
    this.log.error({ err, type }, 'handler failed');
    this.sendError('internal', 'internal error', ref);
  }

  /** Sends a frame that is not part of the resumable stream (welcome, pong, error). */
  send(frame: object): void {
    this.sendRaw(JSON.stringify(frame));
  }

  sendRaw(raw: string): void {
    if (this.state !== 'open' || this.socket.readyState !== this.socket.OPEN) return;
    this.outbound.inc();
    this.socket.send(raw);
  }

  /** The session's last seq; this connection numbers the session's frames while it holds it. */
  private seq = 0;
  /** While resuming, frames wait here until the replay has gone out. */
  private held: object[] | null = null;
  /** Records a numbered frame for resume (set by the hub once the session is taken over). */
  persist: (seq: number, raw: string) => void = () => undefined;
  /** Where frames go once the socket is closed (they are not numbered here then): the session's link. */
  divert: ((frame: object) => void) | null = null;

  hold(): void {
    this.held ??= [];
  }

  get holding(): boolean {
    return this.held !== null;
  }

  /** Sends the replay, then numbers and sends what arrived meanwhile, after `lastSeq`. */
  release(lastSeq: number, replay: Array<{ seq: number; raw: string }>): void {
    for (const f of replay) this.sendRaw(f.raw);
    this.seq = Math.max(lastSeq, ...replay.map((f) => f.seq));
    const waiting = this.held ?? [];
    this.held = null;
    for (const frame of waiting) this.deliver(frame);
  }

  /** Commands relayed to a render host and not yet acknowledged: the operator's message id → when it times out. */
  private readonly awaitingAck = new Map<string, { deadline: number; room: string; hostId: string; timeoutMs: number }>();
  /** Commands already answered `host_timeout`: a late ack for one is dropped, never a second answer. */
  private readonly timedOut = new Set<string>();
  /** One timer for all of them, set for the earliest deadline (not one timer per command). */
  private ackTimer: NodeJS.Timeout | null = null;

  /**
   * A command went to a render host: if its ack has not come back in `timeoutMs`, the
   * operator gets `command.ack` with ok:false, code host_timeout — a dead host never leaves
   * an operator waiting. The deadline lives with the socket that holds the session, where
   * the ack lands whichever instance relayed it.
   */
  expectAck(ref: string, room: string, hostId: string, timeoutMs: number, now = Date.now()): void {
    this.awaitingAck.delete(ref);
    this.awaitingAck.set(ref, { deadline: now + timeoutMs, room, hostId, timeoutMs });
    if (!this.ackTimer) this.armAckTimer(now);
  }

  private armAckTimer(now: number): void {
    let earliest = Infinity;
    for (const w of this.awaitingAck.values()) earliest = Math.min(earliest, w.deadline);
    if (earliest === Infinity || this.state !== 'open') {
      this.ackTimer = null;
      return;
    }
    this.ackTimer = setTimeout(() => this.expireAcks(), Math.max(0, earliest - now));
    this.ackTimer.unref();
  }

  private expireAcks(now = Date.now()): void {
    for (const [ref, w] of this.awaitingAck) {
      if (w.deadline > now) continue;
      this.awaitingAck.delete(ref);
      this.timedOut.add(ref);
      if (this.timedOut.size > 500) this.timedOut.delete(this.timedOut.values().next().value!);
      this.deliver({ type: 'command.ack', ref, room: w.room, hostId: w.hostId, ok: false, code: 'host_timeout', error: `the render host did not acknowledge within ${w.timeoutMs} ms` });
    }
    this.armAckTimer(now);
  }

  /**
   * Numbers a frame, sends it, and records it. Once the socket is closed, frames are not
   * numbered here: they go to `divert` (parked for the session's next holder).
   */
  deliver(frame: object): void {
    const f = frame as { type?: string; ref?: string; code?: string };
    if (f.type === 'command.ack' && f.ref !== undefined && f.code !== 'host_timeout') {
      if (!this.awaitingAck.delete(f.ref) && this.timedOut.delete(f.ref)) return;
    }
    if (this.held) {
      this.held.push(frame);
      return;
    }
    if (this.state !== 'open' && this.divert) return this.divert(frame);
    const seq = ++this.seq;
    const raw = `{"seq":${seq},${frameBody(frame)}`;
    this.sendRaw(raw);
    this.persist(seq, raw);
  }

  get lastSeq(): number {
    return this.seq;
  }

  sendError(code: ErrorCode, message: string, ref: string | null): void {
    const frame: ErrorFrame = { type: 'error', code, message, ref };
    this.metrics.errors.inc({ code });
    // One line with the code, at debug: a hostile client cannot fill the log (the metric counts them).
    if (code !== 'internal') this.log.debug({ code, ref }, 'client message refused');
    this.send(frame);
  }

  /** The close code this side chose, when it was this side that closed. */
  closedWith: number | null = null;

  close(code: number, reason: string): void {
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = null;
    this.awaitingAck.clear();
    if (this.state !== 'open') return;
    this.state = 'closing';
    this.closedWith = code;
    this.log.debug({ closeCode: code, reason }, 'closing connection');
    this.socket.close(code, reason);
  }
}
