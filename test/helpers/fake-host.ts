import type { SpeechSegment } from '../../protocol/index.js';
import { TestClient } from './ws-client.js';

export interface FakeHostOptions {
  /** How long a segment "plays": its own duration (default), or a fixed time so tests run fast. */
  playMs?: (segment: SpeechSegment) => number;
  /** Segments end only when the test calls `finish()` (it moves a test clock instead of waiting). */
  manual?: boolean;
  /** The clock the played times are read from (a test clock). */
  now?: () => number;
  capacity?: number;
  standby?: boolean;
}

/** What FakeHost needs of its socket: TestClient, or ResumingClient (which reconnects and resumes). */
export interface HostLink {
  readonly frames: Array<Record<string, unknown> & { type: string }>;
  readonly ws: { on(event: 'message', listener: (data: { toString(): string }) => void): unknown };
  closed: unknown;
  send(frame: object): void;
  next(pred: (f: Record<string, unknown> & { type: string }) => boolean, timeoutMs?: number): Promise<Record<string, unknown> & { type: string }>;
  close(): void;
}

export interface Played {
  segmentId: string;
  text: string;
  priority: string;
  startedAt: number;
  endedAt: number | null;
  interrupted: boolean;
}

/**
 * A render host over a real WebSocket that plays like the real one, minus the pixels:
 * segments in seq order, each once (by segment id), started/finished reported on its own
 * clock, `speech.stop` obeyed (the playing one cut, queued ones dropped, later ones refused),
 * commands acknowledged.
 */
export class FakeHost<C extends HostLink = TestClient> {
  readonly played: Played[] = [];
  private queue: SpeechSegment[] = [];
  private seen = new Set<string>();
  private refused = new Set<string>();
  private playing: { segment: SpeechSegment; timer: NodeJS.Timeout; index: number } | null = null;
  private ids = 0;

  private constructor(readonly client: C, private readonly o: FakeHostOptions) {
    client.ws.on('message', (data) => this.onFrame(JSON.parse(data.toString()) as Record<string, unknown>));
  }

  static async connect(wsUrl: string, token: string, o: FakeHostOptions = {}): Promise<FakeHost> {
    return FakeHost.attach(await TestClient.connect(`${wsUrl}/ws/render-host`, token), o);
  }

  /** Plays over a socket the test opened itself (a render-host hub's, welcomed); registers first. */
  static async attach<L extends HostLink>(client: L, o: FakeHostOptions = {}): Promise<FakeHost<L>> {
    const host = new FakeHost(client, o);
    client.send({
      type: 'host.register', id: 'reg', capacity: o.capacity ?? 1, ...(o.standby ? { standby: true } : {}),
      capabilities: { renderer: 'reference', resolutions: ['720p'], encoders: ['libx264'] },
    });
    await client.next((f) => f.type === 'ack' && f.ref === 'reg');
    return host;
  }

  get segments(): SpeechSegment[] {
    return this.client.frames.filter((f) => f.type === 'speech.segment').map((f) => f.segment as SpeechSegment);
  }

  /** Texts played so far; `!` marks a line cut before its end. */
  texts(): string[] {
    return this.played.map((p) => `${p.text}${p.interrupted ? '!' : ''}`);
  }

  async waitPlayed(n: number, timeoutMs = 20_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.played.filter((p) => p.endedAt !== null).length < n) {
      if (Date.now() > until) throw new Error(`played ${this.played.length} of ${n}: ${JSON.stringify(this.texts())}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Reports not yet answered, by id: refused as `unavailable` (Redis failing over), they are sent again, as the real host does. */
  private readonly unanswered = new Map<string, object>();

  private send(frame: object): void {
    const id = `fh${++this.ids}`;
    this.unanswered.set(id, frame);
    if (this.unanswered.size > 200) this.unanswered.delete(this.unanswered.keys().next().value!);
    this.client.send({ ...frame, id });
  }

  private onFrame(f: Record<string, unknown>): void {
    if (f.type === 'error' && f.code === 'unavailable' && typeof f.ref === 'string') {
      const frame = this.unanswered.get(f.ref);
      this.unanswered.delete(f.ref);
      if (frame) setTimeout(() => { if (!this.client.closed) this.send(frame); }, 200);
      return;
    }
    if (f.type === 'speech.segment') {
      const seg = f.segment as SpeechSegment;
      if (this.seen.has(seg.segmentId)) return;
      this.seen.add(seg.segmentId);
      if (this.refused.delete(seg.segmentId)) return;
      this.queue.push(seg);
      this.queue.sort((a, b) => a.segmentSeq - b.segmentSeq);
      this.next();
    } else if (f.type === 'speech.stop') {
      for (const id of f.segmentIds as string[]) {
        if (this.playing?.segment.segmentId === id) this.finish(true);
        else if (this.queue.some((s) => s.segmentId === id)) this.queue = this.queue.filter((s) => s.segmentId !== id);
        else if (!this.seen.has(id)) this.refused.add(id);
      }
      this.next();
    } else if (f.type === 'command') {
      this.send({ type: 'command.ack', ref: f.commandId, room: f.room, ok: true });
    }
  }

  private now(): number {
    return this.o.now ? this.o.now() : Date.now();
  }

  /** The segment playing now, if any. */
  get current(): SpeechSegment | null {
    return this.playing?.segment ?? null;
  }

  /** Waits for the `n`-th segment (0-based) to start, and returns it. */
  async started(n: number, timeoutMs = 20_000): Promise<SpeechSegment> {
    const until = Date.now() + timeoutMs;
    while (this.played.length <= n) {
      if (Date.now() > until) throw new Error(`segment #${n} never started; played ${JSON.stringify(this.texts())}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const id = this.played[n]!.segmentId;
    return this.segments.find((s) => s.segmentId === id)!;
  }

  private next(): void {
    if (this.playing || this.queue.length === 0) return;
    const segment = this.queue.shift()!;
    this.played.push({ segmentId: segment.segmentId, text: segment.text, priority: segment.priority, startedAt: this.now(), endedAt: null, interrupted: false });
    const ms = this.o.playMs ? this.o.playMs(segment) : segment.durationMs;
    const timer = this.o.manual ? setTimeout(() => undefined, 0) : setTimeout(() => this.finish(false), ms);
    this.playing = { segment, index: this.played.length - 1, timer };
    this.send({ type: 'speech.started', room: segment.room, segmentId: segment.segmentId, mediaTimeMs: this.now() % 1e9 });
  }

  /** Manual hosts: the segment playing reaches its end now. */
  finish(interrupted = false): void {
    const p = this.playing;
    if (!p) return;
    clearTimeout(p.timer);
    this.playing = null;
    const rec = this.played[p.index]!;
    rec.endedAt = this.now();
    rec.interrupted = interrupted;
    this.send({ type: 'speech.finished', room: p.segment.room, segmentId: p.segment.segmentId, mediaTimeMs: this.now() % 1e9, interrupted });
    setImmediate(() => this.next());
  }

  close(): void {
    if (this.playing) clearTimeout(this.playing.timer);
    this.client.close();
  }
}
