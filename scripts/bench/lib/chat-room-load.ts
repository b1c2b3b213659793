import WebSocket from 'ws';
import { outboundValidator } from '../../../protocol/index.js';
import type { PlannedMessage } from './chat-mix.js';

/** One latency sample: when the message was sent (ms from the run's start) and how long its answer took. */
export interface Sample { sentMs: number; ms: number }

export interface QuestionOutcome { plan: PlannedMessage; questionId: string | null; status: string }

type Frame = Record<string, unknown> & { type: string };

/** A message awaiting its reply; a ping has no plan. */
interface InFlight { plan: PlannedMessage | null; sentAt: number }

/** A chat line the operator should see: its viewer, and whether the server has since refused it. */
interface ExpectedChat { id: string; userId: string; sentAt: number; refused: boolean }

function connect(url: string, token: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`${url}: HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/**
 * One room of bench:chat as its chat bot and one subscribed operator see it, over real
 * WebSockets. Every frame from the server is checked against protocol/ and stamped on
 * arrival; the bot's sends are matched to their replies by id (`ack` for chat,
 * `question.ack` for questions, `error` for a refusal), and the operator's `chat` events
 * to the lines sent: the bot's frames are handled one at a time in order, so a room's
 * chat events come in send order, and the first line still expected from that viewer is
 * the one shown.
 */
export class ChatRoomLoad {
  readonly latency = { chat: [] as Sample[], question: [] as Sample[], refused: [] as Sample[], operator: [] as Sample[], ping: [] as Sample[] };
  /** Replies by outcome: `ack`, `question.ack:duplicate`, `error:rate_limited` … */
  readonly outcomes = new Map<string, number>();
  readonly questions: QuestionOutcome[] = [];
  /** Room events the operator got, by kind. */
  readonly events = new Map<string, number>();
  sent = 0;
  private readonly inFlight = new Map<string, InFlight>();
  private expected: ExpectedChat[] = [];
  private invalid: string | null = null;
  private ids = 0;
  private t0 = 0;

  private constructor(readonly room: string, private readonly bot: WebSocket, private readonly op: WebSocket) {
    const botCheck = outboundValidator('bot');
    const opCheck = outboundValidator('operator');
    bot.on('message', (data) => {
      const at = performance.now();
      const f = this.parse(data, botCheck, 'bot');
      if (f) this.onReply(f, at);
    });
    op.on('message', (data) => {
      const at = performance.now();
      const f = this.parse(data, opCheck, 'operator');
      if (f?.type === 'room.event') this.onEvent(f.event as Frame & { kind: string }, at);
    });
  }

  static async open(wsUrl: string, room: string, botToken: string, operatorToken: string): Promise<ChatRoomLoad> {
    const bot = await connect(`${wsUrl}/ws/bot`, botToken);
    const op = await connect(`${wsUrl}/ws/operator`, operatorToken);
    const load = new ChatRoomLoad(room, bot, op);
    op.send(JSON.stringify({ type: 'room.subscribe', id: 'sub', room }));
    const deadline = Date.now() + 10_000;
    while (!load.events.has('chat.history')) {
      if (Date.now() > deadline) throw new Error(`${room}: the operator's subscription was not answered`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return load;
  }

  private parse(data: WebSocket.RawData, check: { check(v: unknown): { ok: boolean; error?: string } }, who: string): Frame | null {
    let f: unknown;
    try {
      f = JSON.parse(data.toString());
    } catch {
      this.invalid ??= `${who}: a frame that is not JSON`;
      return null;
    }
    const v = check.check(f);
    if (!v.ok) this.invalid ??= `${who}: a frame outside the protocol (${v.error})`;
    return f as Frame;
  }

  /** Marks the moment the measured run starts (sample times are kept from it). */
  start(t0: number): void {
    this.t0 = t0;
  }

  send(plan: PlannedMessage): void {
    const id = `${plan.type === 'chat' ? 'c' : 'q'}${++this.ids}`;
    const frame = { type: plan.type, id, user: plan.user, text: plan.text };
    const sentAt = performance.now();
    this.bot.send(JSON.stringify(frame));
    this.sent++;
    this.inFlight.set(id, { plan, sentAt });
    if (plan.type === 'chat' && plan.intent !== 'banned' && plan.intent !== 'blocklist') {
      this.expected.push({ id, userId: plan.user.id, sentAt, refused: false });
    }
  }

  /** The baseline: a ping, answered with a pong and nothing else. */
  ping(): void {
    const id = `p${++this.ids}`;
    this.inFlight.set(id, { plan: null, sentAt: performance.now() });
    this.bot.send(JSON.stringify({ type: 'ping', id }));
    this.sent++;
  }

  get pending(): number {
    return this.inFlight.size;
  }

  private count(map: Map<string, number>, key: string) {
    map.set(key, (map.get(key) ?? 0) + 1);
  }

  private onReply(f: Frame, at: number) {
    const ref = typeof f.ref === 'string' ? f.ref : null;
    const sent = ref ? this.inFlight.get(ref) : undefined;
    if (!sent || !ref) return; // question.answered and the like: not a reply
    this.inFlight.delete(ref);
    const sample = { sentMs: sent.sentAt - this.t0, ms: at - sent.sentAt };
    if (!sent.plan) {
      if (f.type === 'pong') this.latency.ping.push(sample);
      else this.count(this.outcomes, `ping ${f.type}`);
      return;
    }
    if (f.type === 'error') {
      this.count(this.outcomes, `${sent.plan.type} error:${String(f.code)}`);
      this.latency.refused.push(sample);
      const e = this.expected.find((x) => x.id === ref);
      if (e) e.refused = true;
      return;
    }
    if (f.type === 'question.ack') {
      this.count(this.outcomes, `question ${String(f.status)}`);
      this.latency.question.push(sample);
      this.questions.push({ plan: sent.plan, questionId: String(f.questionId), status: String(f.status) });
      return;
    }
    this.count(this.outcomes, 'chat ack');
    this.latency.chat.push(sample);
  }

  private onEvent(event: Frame & { kind: string }, at: number) {
    this.count(this.events, event.kind);
    if (event.kind !== 'chat') return;
    const userId = (event.message as { user: { id: string } }).user.id;
    // Lines before this viewer's that showed nothing were dropped (refused, or moderated).
    const i = this.expected.findIndex((x) => !x.refused && x.userId === userId);
    if (i < 0) {
      this.count(this.events, 'chat (unexpected)');
      return;
    }
    const e = this.expected[i]!;
    this.latency.operator.push({ sentMs: e.sentAt - this.t0, ms: at - e.sentAt });
    this.expected = this.expected.slice(i + 1);
  }

  /** Throws when the server sent something outside the protocol or a socket closed. */
  check(): void {
    if (this.invalid) throw new Error(`${this.room}: the server sent ${this.invalid}`);
    if (this.bot.readyState !== WebSocket.OPEN || this.op.readyState !== WebSocket.OPEN) throw new Error(`${this.room}: a socket closed during the run`);
  }

  close(): void {
    this.bot.terminate();
    this.op.terminate();
  }
}
