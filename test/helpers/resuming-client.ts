import { EventEmitter } from 'node:events';
import WebSocket from 'ws';

type Frame = Record<string, unknown> & { type: string };

export interface ResumingClientOptions {
  /** Sent every `everyMs` while connected (a render host's heartbeat); dropped while away, as the real host does. */
  heartbeat?: { frame: () => object; everyMs: number };
  /** First wait before a reconnect; doubles up to `maxDelayMs`. */
  delayMs?: number;
  maxDelayMs?: number;
}

/** One socket's life: which instance welcomed it and the frames it carried. */
export interface SocketRun {
  instanceId: string;
  resumed: boolean;
  sessionId: string;
  frames: Frame[];
}

/**
 * A client that behaves as the project's own clients do after a drop (the render host's
 * ServerClient, the console's OperatorClient): it reconnects to the same URL, resuming with
 * `?session=&lastSeq=`, and sends what was said while away after the welcome. Unlike them it
 * keeps every frame as it arrived, replays included, so a test can check that a session's
 * numbering has no gap and no repeat across instances. Its surface matches TestClient's, so
 * FakeHost can play over it.
 */
export class ResumingClient {
  /** Every frame from every socket, in arrival order. */
  readonly frames: Frame[] = [];
  readonly runs: SocketRun[] = [];
  /** Re-emits each raw frame of the current socket (`message`), as a `ws` socket does. */
  readonly ws = new EventEmitter();
  /** Set only by `close()`: a drop is not the end of this client. */
  closed: { code: number; reason: string } | null = null;
  sessionId = '';
  /** The highest seq received on the session. */
  lastSeq = 0;
  private socket: WebSocket | null = null;
  private open = false;
  private readonly outbox: object[] = [];
  private waiters: Array<{ pred: (f: Frame) => boolean; resolve: (f: Frame) => void }> = [];
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private delay: number;

  private constructor(private readonly url: string, private readonly token: string, private readonly o: ResumingClientOptions) {
    this.delay = o.delayMs ?? 100;
  }

  /** Connects and resolves after the first welcome. */
  static async connect(url: string, token: string, o: ResumingClientOptions = {}): Promise<ResumingClient> {
    const client = new ResumingClient(url, token, o);
    const welcomed = client.next((f) => f.type === 'welcome', 20_000);
    client.dial();
    await welcomed;
    return client;
  }

  /** The instance holding the session now (the last welcome's). */
  get instanceId(): string {
    return this.runs.at(-1)?.instanceId ?? '';
  }

  get connected(): boolean {
    return this.open;
  }

  /** Sends now when connected, otherwise after the next welcome (heartbeats excepted). */
  send(frame: object): void {
    if (this.open && this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(frame));
    else this.outbox.push(frame);
  }

  next(pred: (f: Frame) => boolean, timeoutMs = 20_000): Promise<Frame> {
    const seen = this.frames.find(pred);
    if (seen) return Promise.resolve(seen);
    return this.waitNew(pred, timeoutMs);
  }

  waitNew(pred: (f: Frame) => boolean, timeoutMs = 20_000): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame in ${timeoutMs} ms; got ${JSON.stringify(this.frames.slice(-3))}`)), timeoutMs);
      this.waiters.push({ pred, resolve: (f) => { clearTimeout(timer); resolve(f); } });
    });
  }

  /** Waits until the client has been welcomed `n` times in all (the first connect counts). */
  async welcomed(n: number, timeoutMs = 60_000): Promise<SocketRun> {
    const until = Date.now() + timeoutMs;
    while (this.runs.length < n || !this.open) {
      if (Date.now() > until) throw new Error(`welcomed ${this.runs.length} of ${n} times in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.runs[n - 1]!;
  }

  /** Every numbered frame's seq, in arrival order, over all sockets. */
  seqs(): number[] {
    return this.frames.filter((f) => typeof f.seq === 'number').map((f) => f.seq as number);
  }

  close(): void {
    this.closed = { code: 1000, reason: 'closed by the test' };
    this.stopTimers();
    this.open = false;
    this.socket?.terminate();
    this.socket = null;
  }

  private dial(): void {
    if (this.closed) return;
    const u = new URL(this.url);
    if (this.sessionId) {
      u.searchParams.set('session', this.sessionId);
      u.searchParams.set('lastSeq', String(this.lastSeq));
    }
    const ws = new WebSocket(u, { headers: { authorization: `Bearer ${this.token}` }, handshakeTimeout: 10_000 });
    this.socket = ws;
    ws.on('message', (data) => {
      if (ws === this.socket) this.receive(data.toString());
    });
    // A refused upgrade (the balancer's 503 while no instance is up) or a refused connection: try again.
    ws.on('unexpected-response', () => ws.terminate());
    ws.on('error', () => undefined);
    ws.on('close', () => {
      if (ws !== this.socket) return;
      this.socket = null;
      this.open = false;
      if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
      this.heartbeatTimer = null;
      if (this.closed) return;
      this.retryTimer = setTimeout(() => this.dial(), this.delay);
      this.delay = Math.min(this.delay * 2, this.o.maxDelayMs ?? 1000);
    });
  }

  private receive(raw: string): void {
    const frame = JSON.parse(raw) as Frame;
    this.frames.push(frame);
    if (frame.type === 'welcome') this.onWelcome(frame);
    else this.runs.at(-1)?.frames.push(frame);
    if (typeof frame.seq === 'number') this.lastSeq = Math.max(this.lastSeq, frame.seq);
    this.ws.emit('message', raw);
    this.waiters = this.waiters.filter((w) => (w.pred(frame) ? (w.resolve(frame), false) : true));
  }

  private onWelcome(w: Frame): void {
    const sessionId = String(w.sessionId);
    const resumed = w.resumed === true && sessionId === this.sessionId;
    // A fresh session numbers afresh; a test that expects a resume sees it in `runs`.
    if (!resumed) {
      this.sessionId = sessionId;
      this.lastSeq = Number(w.lastSeq ?? 0);
    }
    this.runs.push({ instanceId: String(w.instanceId), resumed, sessionId, frames: [] });
    this.open = true;
    this.delay = this.o.delayMs ?? 100;
    for (const frame of this.outbox.splice(0)) this.send(frame);
    if (this.o.heartbeat) {
      const hb = this.o.heartbeat;
      this.heartbeatTimer = setInterval(() => {
        if (this.open) this.send(hb.frame());
      }, hb.everyMs);
    }
  }

  private stopTimers(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.heartbeatTimer = null;
    this.retryTimer = null;
  }
}
