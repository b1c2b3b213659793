import type { AvatarCommand } from '../../protocol/avatar.js';
import type { ErrorCode } from '../../protocol/errors.js';
import type { OperatorToServer, RoomEvent, ServerToOperator, Welcome } from '../../protocol/messages.js';
import type { ShowCommand } from '../../protocol/show.js';
import type { NewsroomCommand } from '../../protocol/newsroom.js';

/**
 * The console's one link to the operator WebSocket. It keeps its session across drops
 * (`?session=&lastSeq=`, so the server replays what was missed), handles each seq once,
 * re-subscribes its rooms when the server had to start a fresh session, and turns every
 * request into a promise of its outcome (the reply with the same `ref`: ack, the render
 * host's command.ack, or an error frame).
 *
 * It runs in browsers and, for tests, in Node with the `ws` package: the socket is made by
 * an injected factory and only the WebSocket API both share is used.
 */

/** The connection's states, in one place. */
export type ConnectionState =
  | 'idle' // not started
  | 'connecting' // a socket is opening (first time, or after a drop)
  | 'open' // welcomed: requests go out at once
  | 'backoff' // dropped; the next attempt is scheduled
  | 'unauthorized' // the token was refused, revoked or expired: sign in again
  | 'replaced' // another socket resumed this session (close 4009)
  | 'closed'; // stopped by the app

export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

/** Everything a request can end with; `ms` is send → reply on the client's clock. */
export type Outcome =
  | { ok: true; ms: number; hostId?: string }
  | { ok: false; ms: number; code: ErrorCode | 'host_error' | 'timeout' | 'offline' | 'lost'; message: string; hostId?: string };

export interface SessionInfo {
  sessionId: string;
  instanceId: string;
  resumed: boolean;
}

export interface OperatorClientOptions {
  /** Server base, ws:// or wss:// (a function: asked again at each attempt). */
  url: string | (() => string);
  token: string;
  createSocket?: (url: string) => SocketLike;
  /** After a refused or failed attempt: is the token still good? 'unauthorized' stops retrying. */
  checkAuth?: () => Promise<'ok' | 'unauthorized'>;
  requestTimeoutMs?: number;
  pingMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  random?: () => number;
  now?: () => number;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type OperatorRequest = DistributiveOmit<Exclude<OperatorToServer, { type: 'ping' }>, 'id'>;

type Listener<A extends unknown[]> = (...args: A) => void;

interface Pending {
  resolve: (o: Outcome) => void;
  sentAt: number;
  timer: ReturnType<typeof setTimeout>;
}

const OPEN = 1;
const CLOSE_UNAUTHORIZED = 4001;
const CLOSE_REPLACED = 4009;
const SERVER_TYPES = new Set<ServerToOperator['type']>(['welcome', 'pong', 'ack', 'reconnect', 'error', 'command.ack', 'room.event']);

/** Structural check of a server frame: its type is one the operator stream carries. */
function asServerFrame(raw: unknown): ServerToOperator | null {
  if (typeof raw !== 'string') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return null;
  }
  const f = parsed as { type?: unknown; seq?: unknown; room?: unknown; event?: { kind?: unknown } };
  if (typeof f !== 'object' || f === null || typeof f.type !== 'string') return null;
  if (!SERVER_TYPES.has(f.type as ServerToOperator['type'])) return null;
  if (f.seq !== undefined && !Number.isInteger(f.seq)) return null;
  if (f.type === 'room.event' && (typeof f.room !== 'string' || typeof f.event?.kind !== 'string')) return null;
  return parsed as ServerToOperator;
}

export class OperatorClient {
  state: ConnectionState = 'idle';
  sessionId: string | null = null;
  instanceId: string | null = null;
  /** The highest seq processed on this session. */
  lastSeq = 0;
  /** When the next attempt is due (backoff), for the UI's countdown. */
  retryAt: number | null = null;
  /** Seqs the server skipped (frames a crashed instance sent but never recorded). */
  gaps = 0;

  private socket: SocketLike | null = null;
  private readonly rooms = new Set<string>();
  private readonly pending = new Map<string, Pending>();
  private readonly roomWaiters = new Map<string, Array<(o: Outcome) => void>>();
  private attempt = 0;
  private nextId = 1;
  private readonly idPrefix: string;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private lastFrameAt = 0;
  private readonly listeners = {
    event: new Set<Listener<[room: string, event: RoomEvent, seq: number]>>(),
    state: new Set<Listener<[state: ConnectionState]>>(),
    session: new Set<Listener<[info: SessionInfo]>>(),
  };
  private readonly o: Required<Omit<OperatorClientOptions, 'checkAuth'>> & Pick<OperatorClientOptions, 'checkAuth'>;

  constructor(options: OperatorClientOptions) {
    this.o = {
      createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
      requestTimeoutMs: 10_000,
      pingMs: 10_000,
      backoffBaseMs: 250,
      backoffMaxMs: 5000,
      random: Math.random,
      now: () => Date.now(),
      ...options,
    };
    if (!options.token) throw new RangeError('token is required');
    // Ids must not repeat within a session, which outlives a page's counter only on resume.
    this.idPrefix = `c${Math.floor(this.o.random() * 36 ** 6).toString(36)}`;
  }

  on(kind: 'event', fn: Listener<[room: string, event: RoomEvent, seq: number]>): () => void;
  on(kind: 'state', fn: Listener<[state: ConnectionState]>): () => void;
  on(kind: 'session', fn: Listener<[info: SessionInfo]>): () => void;
  on(kind: 'event' | 'state' | 'session', fn: Listener<never[]>): () => void {
    const set = this.listeners[kind] as Set<Listener<never[]>>;
    set.add(fn);
    return () => set.delete(fn);
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.connect();
  }

  stop(): void {
    this.setState('closed');
    this.clearTimers();
    this.dropSocket(1000, 'console closed');
    this.failPending('lost', 'the console closed the connection');
  }

  /** Rooms this client receives events for; kept across fresh sessions. */
  get subscribed(): string[] {
    return [...this.rooms];
  }

  subscribe(room: string): Promise<Outcome> {
    this.rooms.add(room);
    if (this.state === 'open') return this.request({ type: 'room.subscribe', room });
    // Sent with the others on the next welcome.
    return new Promise((resolve) => {
      const list = this.roomWaiters.get(room) ?? [];
      list.push(resolve);
      this.roomWaiters.set(room, list);
    });
  }

  unsubscribe(room: string): Promise<Outcome> {
    this.rooms.delete(room);
    return this.request({ type: 'room.unsubscribe', room });
  }

  command(room: string, command: AvatarCommand): Promise<Outcome> {
    return this.request({ type: 'command', room, command });
  }

  /** Show transport and queue control, and the newsroom's commands: the command's name is the message type (protocol/messages.ts). */
  show(room: string, command: ShowCommand | NewsroomCommand): Promise<Outcome> {
    const { name, ...fields } = command;
    return this.request({ type: name, room, ...fields } as unknown as OperatorRequest);
  }

  /**
   * Sends one request; resolves with its outcome, never rejects. A request is not queued
   * while the link is down: in a live show a line said thirty seconds late is worse than
   * one not said, so the operator sees "offline" and decides.
   */
  request(msg: OperatorRequest): Promise<Outcome> {
    const sentAt = this.o.now();
    if (this.state !== 'open' || this.socket?.readyState !== OPEN) {
      return Promise.resolve({ ok: false, ms: 0, code: 'offline', message: 'not connected to the server' });
    }
    const id = `${this.idPrefix}.${this.nextId++}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ ok: false, ms: this.o.now() - sentAt, code: 'timeout', message: `no reply in ${Math.round(this.o.requestTimeoutMs / 1000)} s` });
      }, this.o.requestTimeoutMs);
      this.pending.set(id, { resolve, sentAt, timer });
      this.socket!.send(JSON.stringify({ ...msg, id }));
    });
  }

  private url(): string {
    const base = typeof this.o.url === 'function' ? this.o.url() : this.o.url;
    const u = new URL('/ws/operator', base);
    u.searchParams.set('token', this.o.token);
    if (this.sessionId) {
      u.searchParams.set('session', this.sessionId);
      u.searchParams.set('lastSeq', String(this.lastSeq));
    }
    return u.toString();
  }

  private connect(): void {
    this.retryAt = null;
    this.setState('connecting');
    let welcomed = false;
    const socket = this.o.createSocket(this.url());
    this.socket = socket;
    socket.onmessage = (ev) => {
      if (socket !== this.socket) return;
      const frame = asServerFrame(ev.data);
      if (!frame) return;
      if (frame.type === 'welcome') {
        if (welcomed) return; // one welcome per socket; a repeat is the network's, not the server's
        welcomed = true;
      }
      this.receive(frame);
    };
    socket.onclose = (ev) => {
      if (socket !== this.socket) return;
      this.socket = null;
      this.stopPing();
      if (this.state === 'closed') return;
      if (ev.code === CLOSE_UNAUTHORIZED) return this.giveUp('unauthorized');
      if (ev.code === CLOSE_REPLACED) return this.giveUp('replaced');
      if (!welcomed && this.o.checkAuth) {
        // Browsers hide an upgrade's 401 behind close 1006: ask REST whether the token is the problem.
        const delay = this.backoff();
        this.setState('backoff');
        void this.o.checkAuth().then((verdict) => {
          if (this.state !== 'backoff') return;
          if (verdict === 'unauthorized') this.giveUp('unauthorized');
          else this.scheduleReconnect(delay);
        }, () => this.scheduleReconnect(delay));
        return;
      }
      this.scheduleReconnect(this.backoff());
    };
    socket.onerror = () => undefined; // onclose follows
  }

  private receive(frame: ServerToOperator): void {
    this.lastFrameAt = this.o.now();
    if ('seq' in frame && typeof frame.seq === 'number') {
      if (frame.seq <= this.lastSeq) return; // a replay of something already handled
      if (frame.seq > this.lastSeq + 1) this.gaps += frame.seq - this.lastSeq - 1;
      this.lastSeq = frame.seq;
    }
    switch (frame.type) {
      case 'welcome':
        return this.onWelcome(frame);
      case 'reconnect':
        // The server is going away: come back (resuming, maybe elsewhere) when it says.
        this.dropSocket(1000, 'server asked to reconnect');
        this.stopPing();
        this.scheduleReconnect(frame.afterMs + Math.round(this.o.random() * 250));
        return;
      case 'pong':
        return;
      case 'ack':
        return this.settle(frame.ref, { ok: true });
      case 'command.ack':
        return this.settle(frame.ref, frame.ok
          ? { ok: true, hostId: frame.hostId }
          : { ok: false, code: frame.code ?? 'host_error', message: frame.error ?? 'the render host refused the command', hostId: frame.hostId });
      case 'error':
        if (frame.ref) this.settle(frame.ref, { ok: false, code: frame.code, message: frame.message });
        return;
      case 'room.event':
        for (const fn of this.listeners.event) fn(frame.room, frame.event, frame.seq);
        return;
    }
  }

  private settle(ref: string, outcome: DistributiveOmit<Outcome, 'ms'>): void {
    const p = this.pending.get(ref);
    if (!p) return;
    this.pending.delete(ref);
    clearTimeout(p.timer);
    p.resolve({ ...outcome, ms: this.o.now() - p.sentAt });
  }

  private onWelcome(msg: Welcome): void {
    const resumed = msg.resumed && msg.sessionId === this.sessionId;
    if (!resumed) {
      // A fresh session: numbering starts again, replies to what was in flight will never come,
      // and the server knows none of our rooms.
      this.sessionId = msg.sessionId;
      this.lastSeq = msg.lastSeq;
      this.failPending('lost', 'the connection dropped before the server replied; check whether it happened');
    }
    this.instanceId = msg.instanceId;
    this.attempt = 0;
    this.setState('open');
    this.startPing();
    for (const fn of this.listeners.session) fn({ sessionId: msg.sessionId, instanceId: msg.instanceId, resumed });
    const rooms = resumed ? [...this.roomWaiters.keys()].filter((r) => this.rooms.has(r)) : [...this.rooms];
    for (const room of rooms) {
      const waiters = this.roomWaiters.get(room) ?? [];
      this.roomWaiters.delete(room);
      void this.request({ type: 'room.subscribe', room }).then((o) => waiters.forEach((w) => w(o)));
    }
  }

  private backoff(): number {
    const ceiling = Math.min(this.o.backoffMaxMs, this.o.backoffBaseMs * 2 ** this.attempt);
    this.attempt += 1;
    // Full jitter, so a server restart is not met by every console at the same instant.
    return Math.round(ceiling / 2 + (ceiling / 2) * this.o.random());
  }

  private scheduleReconnect(delayMs: number): void {
    if (this.state === 'closed' || this.state === 'unauthorized' || this.state === 'replaced') return;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.retryAt = this.o.now() + delayMs;
    this.setState('backoff');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.state === 'backoff') this.connect();
    }, delayMs);
  }

  private giveUp(state: 'unauthorized' | 'replaced'): void {
    this.clearTimers();
    this.dropSocket(1000, state);
    this.retryAt = null;
    this.setState(state);
    this.failPending('lost', state === 'unauthorized' ? 'the token is no longer valid' : 'another window took this session over');
  }

  private failPending(code: 'lost', message: string): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.resolve({ ok: false, ms: this.o.now() - p.sentAt, code, message });
    }
  }

  private startPing(): void {
    this.stopPing();
    this.lastFrameAt = this.o.now();
    this.pingTimer = setInterval(() => {
      // A socket can die without a close (a sleeping laptop, a dead NAT entry): two silent
      // intervals and it is treated as dropped.
      if (this.o.now() - this.lastFrameAt > 2.5 * this.o.pingMs) {
        this.dropSocket(4000, 'no reply from the server');
        this.stopPing();
        this.scheduleReconnect(this.backoff());
        return;
      }
      if (this.socket?.readyState === OPEN) this.socket.send(JSON.stringify({ type: 'ping', id: `${this.idPrefix}.p${this.nextId++}` }));
    }, this.o.pingMs);
  }

  private stopPing(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  private dropSocket(code: number, reason: string): void {
    const s = this.socket;
    this.socket = null;
    if (s && s.readyState <= OPEN) {
      try {
        s.close(code, reason);
      } catch {
        // already closing
      }
    }
  }

  private clearTimers(): void {
    this.stopPing();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }

  private setState(state: ConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    for (const fn of this.listeners.state) fn(state);
  }
}
