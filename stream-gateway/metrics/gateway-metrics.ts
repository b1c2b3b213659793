import { Counter, Gauge, Registry } from 'prom-client';
import { collectProcessMetrics } from '../../protocol/process-metrics.js';
import type { DestinationState, DestinationStatus } from '../destinations/destination-state.js';
import type { ProgramSource } from '../program/room-program.js';
import type { ViewerCount } from './viewer-count-poller.js';

const STATES: DestinationState[] = ['idle', 'connecting', 'live', 'retrying', 'failed'];

export interface ShowMetrics { room: string; source: ProgramSource; slateSeconds: number }

export interface MetricsSources {
  destinations: () => DestinationStatus[];
  shows: () => ShowMetrics[];
  viewers: () => ViewerCount[];
}

/** One reading of everything the gateway reports, shared by /metrics and CloudWatch. */
export interface GatewaySnapshot {
  destinations: Array<{ room: string; destination: string; state: DestinationState; bitrateKbps: number; reconnects: number }>;
  shows: ShowMetrics[];
  viewers: ViewerCount[];
}

/**
 * The gateway's Prometheus metrics, in a Registry of its own (so a process that also runs
 * other parts never mixes their names). Values are read at scrape time from the parts that
 * own them. Labels are room and destination ids only: a destination's URL carries its
 * stream key and never becomes a label.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly reconnectCounts = new Map<string, number>();
  private readonly reconnects: Counter<'room' | 'destination'>;

  constructor(private readonly sources: MetricsSources, options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.defaultMetrics) collectProcessMetrics(this.registry, 'livehost_gateway_');
    const snapshot = () => this.snapshot();
    new Gauge({
      name: 'livehost_gateway_destination_state', help: 'Destination state: 1 for the current state, 0 for the others',
      labelNames: ['room', 'destination', 'state'], registers,
      collect() {
        this.reset();
        for (const d of snapshot().destinations) for (const s of STATES) this.set({ room: d.room, destination: d.destination, state: s }, d.state === s ? 1 : 0);
      },
    });
    new Gauge({
      name: 'livehost_gateway_destination_bitrate_kbps', help: 'Output bitrate ffmpeg reports per destination',
      labelNames: ['room', 'destination'], registers,
      collect() {
        this.reset();
        for (const d of snapshot().destinations) this.set({ room: d.room, destination: d.destination }, d.bitrateKbps);
      },
    });
    this.reconnects = new Counter({
      name: 'livehost_gateway_destination_reconnects_total', help: 'Reconnect attempts per destination (each retry)',
      labelNames: ['room', 'destination'], registers,
    });
    new Gauge({
      name: 'livehost_gateway_slate_seconds', help: 'Seconds of slate sent in the current show',
      labelNames: ['room'], registers,
      collect() {
        this.reset();
        for (const s of snapshot().shows) this.set({ room: s.room }, s.slateSeconds);
      },
    });
    new Gauge({
      name: 'livehost_gateway_show_source', help: 'What a show is airing: 1 for the current source (starting, live, slate)',
      labelNames: ['room', 'source'], registers,
      collect() {
        this.reset();
        for (const s of snapshot().shows) for (const src of ['starting', 'live', 'slate']) this.set({ room: s.room, source: src }, s.source === src ? 1 : 0);
      },
    });
    new Gauge({
      name: 'livehost_gateway_shows', help: 'Shows on air on this gateway', registers,
      collect() { this.set(snapshot().shows.length); },
    });
    new Gauge({
      name: 'livehost_gateway_viewers', help: 'Concurrent viewers of an IVS channel (GetStream viewerCount, polled)',
      labelNames: ['room', 'destination'], registers,
      collect() {
        this.reset();
        for (const v of snapshot().viewers) this.set({ room: v.room, destination: v.destination }, v.viewers);
      },
    });
  }

  /** The destination manager's onStatus: counts each retry as a reconnect. */
  noteStatus(status: DestinationStatus): void {
    if (status.state !== 'retrying') return;
    const key = `${status.room}/${status.id}`;
    this.reconnectCounts.set(key, (this.reconnectCounts.get(key) ?? 0) + 1);
    this.reconnects.inc({ room: status.room, destination: status.id });
  }

  snapshot(): GatewaySnapshot {
    return {
      destinations: this.sources.destinations().map((d) => ({
        room: d.room, destination: d.id, state: d.state, bitrateKbps: d.bitrateKbps ?? 0,
        reconnects: this.reconnectCounts.get(`${d.room}/${d.id}`) ?? 0,
      })),
      shows: this.sources.shows(),
      viewers: this.sources.viewers(),
    };
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
