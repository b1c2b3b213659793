import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { compile, packetCarries, redisKeys, StreamStampRequest, type StreamStampReply } from '../../protocol/index.js';
import { subscribeWhenReady } from '../../protocol/redis-outage.js';

/** How far back a line's packet is still found (a host reports within a second or two). */
const KEEP_MS = 15_000;
/** How long a request waits for its packet to arrive; then for the program to pass it on. */
const INGEST_WAIT_MS = 2500;
const PROGRAM_WAIT_MS = 500;

interface Arrival { ts: number; at: number }

/** Audio packets of one room's stream as they arrived, oldest first, the last KEEP_MS of them. */
class ArrivalLog {
  private readonly list: Arrival[] = [];

  add(ts: number, at: number): void {
    this.list.push({ ts, at });
    let drop = 0;
    while (drop < this.list.length && this.list[drop]!.at < at - KEEP_MS) drop++;
    if (drop) this.list.splice(0, drop);
  }

  /** The first packet that `pick` accepts. */
  find(pick: (ts: number) => boolean): Arrival | undefined {
    return this.list.find((a) => pick(a.ts));
  }
}

/**
 * When each audio packet of a room's stream reached the gateway and when its program feed
 * passed it on, kept for a few seconds, so the server can ask where a line's first packet
 * spent its time (protocol/timing.ts). Ingest times are kept by the publisher's timestamp —
 * the host's stream time — and the program's by its input timestamp, which node-media-server
 * shifts past the previous publish when a publisher comes back (`offset`).
 */
export class StreamStamps {
  private readonly ingest = new Map<string, { log: ArrivalLog; offset: number }>();
  private readonly program = new Map<string, ArrivalLog>();
  private readonly wakers = new Map<string, Set<() => void>>();

  private readonly now: () => number;
  private readonly ingestWaitMs: number;
  private readonly programWaitMs: number;

  constructor(o: { now?: () => number; ingestWaitMs?: number; programWaitMs?: number } = {}) {
    this.now = o.now ?? Date.now;
    this.ingestWaitMs = o.ingestWaitMs ?? INGEST_WAIT_MS;
    this.programWaitMs = o.programWaitMs ?? PROGRAM_WAIT_MS;
  }

  /** A publish of the room begins: its timestamps start again. */
  published(room: string): void {
    this.ingest.set(room, { log: new ArrivalLog(), offset: 0 });
  }

  /** An audio packet of the room arrived from its publisher; `offset` is added to it downstream. */
  ingested(room: string, ts: number, offset: number): void {
    let entry = this.ingest.get(room);
    if (!entry) this.ingest.set(room, (entry = { log: new ArrivalLog(), offset }));
    entry.offset = offset;
    entry.log.add(ts, this.now());
    this.wake(room);
  }

  /** The room's program sent a live audio packet on; `ts` is its input timestamp. */
  programmed(room: string, ts: number): void {
    let log = this.program.get(room);
    if (!log) this.program.set(room, (log = new ArrivalLog()));
    log.add(ts, this.now());
    this.wake(room);
  }

  /** Whether this gateway ingests the room (another gateway may). */
  has(room: string): boolean {
    return this.ingest.has(room);
  }

  /**
   * When the packet carrying `streamTimeMs` arrived and left through the program, waiting
   * for each a little while; what was not seen in time is left out.
   */
  async lookup(room: string, streamTimeMs: number): Promise<{ ingestAt?: number; programAt?: number }> {
    const entry = await this.until(room, this.ingestWaitMs, () => {
      const e = this.ingest.get(room);
      const hit = e?.log.find((ts) => packetCarries(ts, streamTimeMs));
      return hit && e ? { hit, offset: e.offset } : undefined;
    });
    if (!entry) return {};
    const shifted = entry.hit.ts + entry.offset;
    const out = await this.until(room, this.programWaitMs, () => this.program.get(room)?.find((ts) => ts >= shifted));
    return { ingestAt: entry.hit.at, ...(out ? { programAt: out.at } : {}) };
  }

  private until<T>(room: string, timeoutMs: number, probe: () => T | undefined): Promise<T | undefined> {
    const first = probe();
    if (first !== undefined) return Promise.resolve(first);
    return new Promise((resolve) => {
      let set = this.wakers.get(room);
      if (!set) this.wakers.set(room, (set = new Set()));
      const done = (v: T | undefined) => {
        clearTimeout(timer);
        set.delete(check);
        if (set.size === 0) this.wakers.delete(room);
        resolve(v);
      };
      const check = () => {
        const v = probe();
        if (v !== undefined) done(v);
      };
      const timer = setTimeout(() => done(undefined), timeoutMs);
      set.add(check);
    });
  }

  private wake(room: string): void {
    const set = this.wakers.get(room);
    if (set) for (const check of [...set]) check();
  }
}

const validRequest = compile(StreamStampRequest);

/**
 * Answers the servers' StreamStampRequests for the rooms this gateway ingests. Requests
 * and replies travel in the server bus's envelope (`{i, d}`, server/bus/redis-bus.ts); a
 * reply goes only to a server instance's reply channel, never to a channel a request names
 * freely (that could wake a director or forge a bus message).
 */
export class StreamStampResponder {
  private readonly channel: string;
  private readonly replyPrefix: string;
  private readonly onMessage = (channel: string, raw: string) => {
    if (channel === this.channel) void this.answer(raw);
  };

  constructor(private readonly redis: Redis, private readonly subscriber: Redis, prefix: string, private readonly stamps: StreamStamps, private readonly log: Logger) {
    const keys = redisKeys(prefix);
    this.channel = keys.streamStampRequests;
    this.replyPrefix = keys.streamStampReplies('');
  }

  async start(): Promise<void> {
    this.subscriber.on('message', this.onMessage);
    await subscribeWhenReady(this.subscriber, [this.channel]);
  }

  stop(): void {
    this.subscriber.off('message', this.onMessage);
    void this.subscriber.unsubscribe(this.channel).catch(() => undefined);
  }

  private async answer(raw: string): Promise<void> {
    let data: unknown;
    try {
      data = (JSON.parse(raw) as { d?: unknown }).d;
    } catch {
      return;
    }
    const c = validRequest.check(data);
    if (!c.ok) return this.log.debug({ error: c.error }, 'invalid stream stamp request ignored');
    const req = c.value;
    if (!req.replyTo.startsWith(this.replyPrefix) || !/^[A-Za-z0-9_-]+$/.test(req.replyTo.slice(this.replyPrefix.length))) return;
    if (!this.stamps.has(req.room)) return;
    const stamps = await this.stamps.lookup(req.room, req.streamTimeMs);
    const reply: StreamStampReply = { ref: req.ref, room: req.room, ...stamps };
    await this.redis.publish(req.replyTo, JSON.stringify({ i: 'gateway', d: reply }))
      .catch((err: Error) => this.log.warn({ room: req.room, err: err.message }, 'stream stamps not sent'));
  }
}
