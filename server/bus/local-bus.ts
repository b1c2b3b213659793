import { EventEmitter } from 'node:events';
import type { Bus, BusEnvelope, BusHandler } from './bus.js';

/** In-process bus: several instances in one process share one `LocalBusHub` (tests, single node). */
export class LocalBusHub extends EventEmitter {
  /** channel → instance id → its subscriptions, to count instances as Redis counts connections. */
  readonly subscribers = new Map<string, Map<string, number>>();

  constructor() {
    super();
    this.setMaxListeners(0);
  }
}

export class LocalBus implements Bus {
  constructor(readonly instanceId: string, private readonly hub = new LocalBusHub()) {}

  async publish(channel: string, data: unknown, opts: { echo?: boolean } = {}): Promise<void> {
    await this.publishAndCount(channel, data, opts);
  }

  async publishAndCount(channel: string, data: unknown, opts: { echo?: boolean } = {}): Promise<number> {
    // Round-trip through JSON like the Redis bus, so both deliver the same shapes.
    const envelope: BusEnvelope = JSON.parse(JSON.stringify({ i: opts.echo ? '*' : this.instanceId, d: data }));
    queueMicrotask(() => this.hub.emit(channel, envelope));
    return this.hub.subscribers.get(channel)?.size ?? 0;
  }

  async subscribe(channel: string, handler: BusHandler): Promise<() => Promise<void>> {
    const listener = (env: BusEnvelope) => {
      if (env.i !== this.instanceId) handler(env.d, env.i);
    };
    this.hub.on(channel, listener);
    const counts = this.hub.subscribers.get(channel) ?? new Map<string, number>();
    counts.set(this.instanceId, (counts.get(this.instanceId) ?? 0) + 1);
    this.hub.subscribers.set(channel, counts);
    let subscribed = true;
    return async () => {
      if (!subscribed) return;
      subscribed = false;
      this.hub.off(channel, listener);
      const n = (counts.get(this.instanceId) ?? 1) - 1;
      if (n > 0) counts.set(this.instanceId, n);
      else counts.delete(this.instanceId);
    };
  }

  async close(): Promise<void> {}
}
