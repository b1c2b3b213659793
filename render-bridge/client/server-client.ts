import WebSocket from 'ws';
import {
  outboundValidator, type HostCapabilities, type RenderHostToServer, type ServerToRenderHost,
} from '../../protocol/index.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { Backoff } from './backoff.js';

/** The connection's states, in one place. */
export type ServerClientState = 'idle' | 'connecting' | 'open' | 'backoff' | 'closed';

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
export type HostOutbound = WithoutId<RenderHostToServer>;

export interface ServerClientOptions {
  /** Base URL, e.g. ws://127.0.0.1:8080; the path /ws/render-host is appended. */
  url: string;
  token: string;
  register: () => { capacity: number; capabilities: HostCapabilities; standby?: boolean };
  heartbeat: () => { rooms: string[]; cpu?: number; fps?: number };
  /** Every new, valid server frame (each seq at most once), plus `reconnect`. */
  onMessage: (msg: ServerToRenderHost) => void;
  log?: Logger;
  heartbeatMs?: number;
  backoff?: Backoff;
  /** Messages kept while the server is away, oldest dropped first beyond this. */
  outboxLimit?: number;
  /**
   * Reports (speech started/finished, command acks) the server refused as `unavailable`
   * (its Redis is down) are sent again after a backoff, up to `attempts` times.
   */
  reportRetry?: { attempts?: number; backoff?: () => Backoff };
}

/** What the server must hear even through an outage: what aired, and what a command did. */
const REPORTS: ReadonlySet<HostOutbound['type']> = new Set(['speech.started', 'speech.finished', 'command.ack']);
/** Sent reports kept by message id, so an error frame's `ref` finds the one it refused. */
const RECENT_REPORTS = 500;

interface SentReport {
  msg: HostOutbound;
  attempts: number;
  backoff: Backoff;
}

/**
 * The render host's link to the server. It resumes its session after any drop
 * (?session=&lastSeq=), so the server replays what was missed, and processes each
 * seq once, so a replay never plays a segment twice. What the host says while the
 * server is away waits in an outbox.
 */
export class ServerClient {
  state: ServerClientState = 'idle';
  sessionId: string | null = null;
  /** The highest seq processed on this session. */
  lastSeq = 0;
  private ws: WebSocket | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private readonly outbox: HostOutbound[] = [];
  private nextId = 1;
  private readonly validator = outboundValidator('render-host');
  private readonly backoff: Backoff;
  private readonly log: Logger;
  private readonly heartbeatMs: number;
  private readonly outboxLimit: number;
  private readonly recent = new Map<string, SentReport>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly retryAttempts: number;
  private readonly retryBackoff: () => Backoff;

  constructor(private readonly o: ServerClientOptions) {
    this.backoff = o.backoff ?? new Backoff();
    this.log = o.log ?? silentLogger;
    this.heartbeatMs = o.heartbeatMs ?? 2000;
    this.outboxLimit = o.outboxLimit ?? 1000;
    // 20 tries with waits doubling from 250 ms to 15 s: about three minutes of outage.
    this.retryAttempts = o.reportRetry?.attempts ?? 20;
    this.retryBackoff = o.reportRetry?.backoff ?? (() => new Backoff(250, 15_000));
    if (!/^wss?:\/\//.test(o.url)) throw new RangeError('url must be ws:// or wss://');
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.connect();
  }

  /** Sends now when connected, otherwise after the next welcome. */
  send(msg: HostOutbound): void {
    this.sendReport(msg, null);
  }

  private sendReport(msg: HostOutbound, earlier: SentReport | null): void {
    if (this.state === 'open' && this.ws?.readyState === WebSocket.OPEN) {
      const id = this.id();
      if (REPORTS.has(msg.type)) this.remember(id, earlier ?? { msg, attempts: 0, backoff: this.retryBackoff() });
      this.ws.send(JSON.stringify({ ...msg, id }));
      return;
    }
    if (msg.type === 'host.heartbeat' || msg.type === 'ping') return; // stale by the time we are back
    this.outbox.push(msg);
    if (this.outbox.length > this.outboxLimit) this.outbox.shift();
  }

  async stop(): Promise<void> {
    this.state = 'closed';
    this.clearTimers();
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    const ws = this.ws;
    this.ws = null;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      ws.once('close', () => resolve());
      ws.close(1000, 'host stopping');
      setTimeout(() => { ws.terminate(); resolve(); }, 1000).unref();
    });
  }

  private id(): string {
    return `h${this.nextId++}`;
  }

  private remember(id: string, report: SentReport): void {
    this.recent.set(id, report);
    if (this.recent.size > RECENT_REPORTS) this.recent.delete(this.recent.keys().next().value!);
  }

  /** The server could not take a report (its Redis is down): send it again after a while. */
  private retryReport(ref: string): boolean {
    const report = this.recent.get(ref);
    if (!report) return false;
    this.recent.delete(ref);
    if (++report.attempts > this.retryAttempts) {
      this.log.warn({ type: report.msg.type, attempts: report.attempts - 1 }, 'server stayed unavailable; report dropped');
      return true;
    }
    const delayMs = report.backoff.next();
    this.log.debug({ type: report.msg.type, attempt: report.attempts, delayMs }, 'server unavailable; report will be sent again');
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      if (this.state !== 'closed') this.sendReport(report.msg, report);
    }, delayMs);
    this.retryTimers.add(timer);
    return true;
  }

  private connect(): void {
    this.state = 'connecting';
    const url = new URL('/ws/render-host', this.o.url);
    if (this.sessionId) {
      url.searchParams.set('session', this.sessionId);
      url.searchParams.set('lastSeq', String(this.lastSeq));
    }
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${this.o.token}` }, handshakeTimeout: 10_000 });
    this.ws = ws;
    ws.on('message', (data, isBinary) => {
      if (ws === this.ws && !isBinary) this.receive(data.toString());
    });
    ws.on('unexpected-response', (_req, res) => {
      this.log.warn({ status: res.statusCode }, 'server refused the connection');
      ws.terminate();
    });
    ws.on('error', (err) => this.log.debug({ err: err.message }, 'server socket error'));
    ws.on('close', (code) => {
      if (ws !== this.ws) return;
      this.ws = null;
      this.stopHeartbeat();
      if (this.state === 'closed') return;
      this.scheduleReconnect(this.backoff.next(), `closed ${code}`);
    });
  }

  private scheduleReconnect(delayMs: number, why: string): void {
    if (this.state === 'closed') return;
    this.state = 'backoff';
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.log.info({ delayMs, why }, 'reconnecting to server');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.state === 'backoff') this.connect();
    }, delayMs);
  }

  private receive(raw: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      this.log.warn('server frame is not JSON; ignored');
      return;
    }
    const v = this.validator.check(parsed);
    if (!v.ok) {
      this.log.warn({ type: (parsed as { type?: unknown })?.type, error: v.error }, 'invalid server frame; ignored');
      return;
    }
    const msg = v.value;
    if ('seq' in msg && msg.seq !== undefined) {
      if (msg.seq <= this.lastSeq) return; // a replay of something already handled
      this.lastSeq = msg.seq;
    }
    switch (msg.type) {
      case 'welcome':
        return this.onWelcome(msg);
      case 'reconnect':
        // The server is going away: come back (resuming) a little after it asks.
        this.scheduleReconnectAfterClose(msg.afterMs);
        break;
      case 'error':
        if (msg.code === 'unavailable' && msg.ref !== null && this.retryReport(msg.ref)) return;
        // An outage refuses heartbeats too; it is over when they stop being refused.
        if (msg.code === 'unavailable') this.log.debug({ ref: msg.ref }, 'server unavailable');
        else this.log.warn({ code: msg.code, ref: msg.ref, message: msg.message }, 'server reported an error');
        return;
      case 'pong':
      case 'ack':
        return;
    }
    try {
      this.o.onMessage(msg);
    } catch (err) {
      this.log.error({ err, type: msg.type }, 'handler failed');
    }
  }

  private onWelcome(msg: Extract<ServerToRenderHost, { type: 'welcome' }>): void {
    if (!msg.resumed || msg.sessionId !== this.sessionId) {
      // A fresh session numbers its frames afresh.
      this.sessionId = msg.sessionId;
      this.lastSeq = msg.lastSeq;
    }
    this.state = 'open';
    this.backoff.reset();
    this.log.info({ session: msg.sessionId, resumed: msg.resumed, instance: msg.instanceId }, 'connected to server');
    this.send({ type: 'host.register', ...this.o.register() });
    for (const m of this.outbox.splice(0)) this.send(m);
    this.startHeartbeat();
  }

  private scheduleReconnectAfterClose(afterMs: number): void {
    const ws = this.ws;
    const delay = afterMs + Math.round(Math.random() * 250);
    if (ws) {
      this.ws = null;
      this.stopHeartbeat();
      ws.close(1000, 'server asked to reconnect');
    }
    this.scheduleReconnect(delay, 'server asked to reconnect');
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.heartbeatTimer = setInterval(() => this.send({ type: 'host.heartbeat', ...this.o.heartbeat() }), this.heartbeatMs);
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private clearTimers(): void {
    this.stopHeartbeat();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }
}
