import WebSocket from 'ws';

type Frame = Record<string, unknown> & { type: string };

/**
 * How long a wait gives up after: far (100×+) from the milliseconds a frame takes, so a
 * loaded machine slows a test down but never fails it; a missing frame still fails.
 */
const WAIT_MS = 20_000;

/** A real WebSocket client that records every frame and can wait for one. */
export class TestClient {
  readonly frames: Frame[] = [];
  closed: { code: number; reason: string } | null = null;
  private waiters: Array<{ pred: (f: Frame) => boolean; resolve: (f: Frame) => void }> = [];
  private closeWaiters: Array<(c: { code: number; reason: string }) => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((w) => (w.pred(frame) ? (w.resolve(frame), false) : true));
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      for (const w of this.closeWaiters) w(this.closed);
    });
  }

  /** Connects and resolves after the server's welcome. */
  static async connect(url: string, token?: string, query: Record<string, string | number> = {}): Promise<TestClient> {
    const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString();
    const ws = new WebSocket(qs ? `${url}?${qs}` : url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
    await client.next((f) => f.type === 'welcome');
    return client;
  }

  get welcome(): Frame {
    return this.frames.find((f) => f.type === 'welcome')!;
  }

  send(frame: object | string): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The first recorded or future frame matching `pred`. */
  next(pred: (f: Frame) => boolean, timeoutMs = WAIT_MS): Promise<Frame> {
    const seen = this.frames.find(pred);
    if (seen) return Promise.resolve(seen);
    return this.waitNew(pred, timeoutMs);
  }

  /** A future frame matching `pred` (ignores what was already recorded). */
  waitNew(pred: (f: Frame) => boolean, timeoutMs = WAIT_MS): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame in ${timeoutMs} ms; got ${JSON.stringify(this.frames.slice(-3))}`)), timeoutMs);
      this.waiters.push({ pred, resolve: (f) => { clearTimeout(timer); resolve(f); } });
    });
  }

  waitClose(timeoutMs = WAIT_MS): Promise<{ code: number; reason: string }> {
    if (this.closed) return Promise.resolve(this.closed);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('socket did not close')), timeoutMs);
      this.closeWaiters.push((c) => { clearTimeout(timer); resolve(c); });
    });
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
  }
}
