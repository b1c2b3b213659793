import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  compile, lineSpan, lineStages, redisKeys, StreamStampReply, TTS_PROVIDERS, type LineTiming, type RoomEvent, type StreamStampRequest,
} from '../../protocol/index.js';
import type { Bus } from '../bus/bus.js';
import type { Metrics } from '../metrics.js';

const validReply = compile(StreamStampReply);
const ANSWER_PROVIDERS = ['kb', 'openai'] as const;
/** Lines already assembled, by air id: a host that sends a report twice is counted once. */
const REMEMBERED = 1000;

export interface SpeechTimingDeps {
  bus: Bus;
  prefix: string;
  emit: (room: string, event: RoomEvent) => Promise<void>;
  metrics: Metrics;
  log: Logger;
  /** How long the gateway has to say when the line's first packet arrived (ms). */
  gatewayTimeoutMs?: number;
}

type Stamps = Pick<LineTiming, 'ingestAt' | 'programAt'>;

/** A label from a fixed set, so nothing a host echoes back can grow the metrics without bound. */
const label = (value: string | undefined, known: readonly string[]): string => (value === undefined ? 'none' : known.includes(value) ? value : 'other');

/**
 * Puts together each line's timing once it went on air (issue 15). The line's record comes
 * back from the render host with every stamp up to its encoder; the gateway that ingests
 * the room adds when that packet arrived and when its program passed it on (asked over
 * Redis by the line's stream time, answered on this instance's reply channel, given up
 * after a timeout). The result goes to the room's operators as `speech.timing` and into
 * the stage histograms.
 */
export class SpeechTiming {
  private readonly waiting = new Map<string, (stamps: Stamps) => void>();
  private readonly seen = new Set<string>();
  private unsubscribe: (() => Promise<void>) | null = null;
  private readonly replyChannel: string;

  constructor(private readonly d: SpeechTimingDeps) {
    // The bus prefixes its channel names; redisKeys names the full channel the gateway publishes on.
    this.replyChannel = `stream-stamps:${d.bus.instanceId}`;
    const full = redisKeys(d.prefix).streamStampReplies(d.bus.instanceId);
    if (full !== `${d.prefix}:bus:${this.replyChannel}`) throw new Error(`stream stamp reply channel ${full} is not on the bus`);
  }

  async start(): Promise<void> {
    this.unsubscribe = await this.d.bus.subscribe(this.replyChannel, (data) => {
      const c = validReply.check(data);
      if (!c.ok) return;
      const { ref, ingestAt, programAt } = c.value;
      this.waiting.get(ref)?.({ ...(ingestAt !== undefined ? { ingestAt } : {}), ...(programAt !== undefined ? { programAt } : {}) });
    });
  }

  async close(): Promise<void> {
    for (const resolve of this.waiting.values()) resolve({});
    this.waiting.clear();
    await this.unsubscribe?.();
  }

  /** The host's report of a line on air; resolves once the event is out (the gateway asked, or given up on). */
  async report(room: string, hostId: string, segmentId: string, reported: LineTiming): Promise<void> {
    const key = `${room}/${segmentId}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    if (this.seen.size > REMEMBERED) this.seen.delete(this.seen.values().next().value!);
    // A host reports only its own stream's stamps; the gateway's are asked for here.
    const { ingestAt: _i, programAt: _p, ...fromHost } = reported;
    const gateway = fromHost.streamTimeMs !== undefined ? await this.askGateway(room, fromHost.streamTimeMs) : {};
    const timing: LineTiming = { ...fromHost, ...gateway };
    const stages = lineStages(timing);
    const span = lineSpan(timing);
    this.observe(room, timing, stages);
    await this.d.emit(room, { kind: 'speech.timing', segmentId, hostId, timing, stages, totalMs: span?.ms ?? 0 });
  }

  private observe(room: string, timing: LineTiming, stages: ReturnType<typeof lineStages>): void {
    const answers = label(timing.answers, ANSWER_PROVIDERS);
    const voice = label(timing.voice, TTS_PROVIDERS);
    for (const { stage, ms } of stages) {
      // A stage across two machines can come out negative when their clocks disagree: not a duration.
      if (ms < 0) continue;
      const provider = stage === 'answer' ? answers : stage === 'synthesis' ? (timing.cached ? 'cache' : voice) : '';
      this.d.metrics.speechStage.observe({ room, stage, provider }, ms / 1000);
    }
    // The answer reaches the stream: its first line at the gateway (or on air, when no gateway said).
    const reached = timing.ingestAt ?? timing.onAirAt;
    if (timing.askedAt !== undefined && timing.index === 0 && reached !== undefined && reached >= timing.askedAt) {
      this.d.metrics.questionToStream.observe({ room, answers, voice }, (reached - timing.askedAt) / 1000);
    }
  }

  private askGateway(room: string, streamTimeMs: number): Promise<Stamps> {
    const ref = `st-${randomUUID()}`;
    const request: StreamStampRequest = { ref, room, streamTimeMs, replyTo: redisKeys(this.d.prefix).streamStampReplies(this.d.bus.instanceId) };
    return new Promise<Stamps>((resolve) => {
      const timer = setTimeout(() => done({}), this.d.gatewayTimeoutMs ?? 3000);
      const done = (stamps: Stamps) => {
        clearTimeout(timer);
        this.waiting.delete(ref);
        resolve(stamps);
      };
      this.waiting.set(ref, done);
      this.d.bus.publish('stream-stamps', request).catch((err: Error) => {
        this.d.log.debug({ room, err: err.message }, 'stream stamp request not sent');
        done({});
      });
    });
  }
}
