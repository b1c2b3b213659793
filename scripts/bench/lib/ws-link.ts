import WebSocket from 'ws';
import { outboundValidator } from '../../../protocol/index.js';
import { BenchTimeoutError, EventLog } from './event-log.js';

export type Frame = Record<string, unknown> & { type: string };
export interface Received { at: number; frame: Frame }

/** Frames that answer a client message by its id. */
const REPLIES = new Set(['ack', 'command.ack', 'question.ack', 'error']);

/**
 * An operator's or a bot's WebSocket as a console or chat bot holds it: every frame the
 * server sends is checked against protocol/ and kept, stamped on arrival, so the bench
 * can wait for "the first room event of this kind after that moment".
 */
export class WsLink {
  readonly log = new EventLog<Received>(2000);
  private readonly validator;
  private invalid: string | null = null;
  private ids = 0;

  private constructor(private readonly ws: WebSocket, role: 'operator' | 'bot', private readonly label: string) {
    this.validator = outboundValidator(role);
    ws.on('message', (data) => {
      const at = performance.now();
      let parsed: unknown;
      try {
        parsed = JSON.parse(data.toString());
      } catch {
        this.invalid ??= 'a frame that is not JSON';
        return;
      }
      const v = this.validator.check(parsed);
      if (!v.ok) this.invalid ??= `a frame outside the protocol (${v.error})`;
      this.log.push({ at, frame: parsed as Frame });
    });
  }

  static async connect(url: string, token: string, role: 'operator' | 'bot', label: string): Promise<WsLink> {
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false });
    const link = new WsLink(ws, role, label);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new Error(`${label}: HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
    await link.log.next(`${label}: welcome`, 0, (r) => r.frame.type === 'welcome', 10_000);
    return link;
  }

  nextId(prefix: string): string {
    return `${prefix}${++this.ids}`;
  }

  /** Sends now; returns the moment it was handed to the socket. */
  send(frame: Frame): number {
    this.check();
    const at = performance.now();
    this.ws.send(JSON.stringify(frame));
    return at;
  }

  /** The server's reply to message `id`; an error frame throws with its code and message. */
  async reply(id: string, after: number, timeoutMs = 15_000): Promise<Frame> {
    const r = await this.log.next(`${this.label}: reply to ${id}`, after, (x) => REPLIES.has(x.frame.type) && x.frame.ref === id, timeoutMs);
    if (r.frame.type === 'error') throw new Error(`${this.label}: ${id} refused: ${String(r.frame.code)} ${String(r.frame.message)}`);
    if (r.frame.type === 'command.ack' && r.frame.ok !== true) throw new Error(`${this.label}: ${id} failed at the host: ${String(r.frame.error)}`);
    return r.frame;
  }

  /** The first room event after `after` matching `pred`. */
  async event(what: string, after: number, pred: (event: Record<string, unknown>) => boolean, timeoutMs = 15_000): Promise<{ at: number; event: Record<string, unknown> }> {
    const r = await this.log.next(`${this.label}: ${what}`, after, (x) => x.frame.type === 'room.event' && pred(x.frame.event as Record<string, unknown>), timeoutMs);
    return { at: r.at, event: r.frame.event as Record<string, unknown> };
  }

  /** Throws when the server sent something outside the protocol or the socket closed. */
  check(): void {
    if (this.invalid) throw new Error(`${this.label}: the server sent ${this.invalid}`);
    if (this.ws.readyState !== WebSocket.OPEN) throw new BenchTimeoutError(`${this.label}: the socket is closed`);
  }

  close(): void {
    this.ws.terminate();
  }
}
