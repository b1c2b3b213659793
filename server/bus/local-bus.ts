import { EventEmitter } from 'node:events';
import type { Bus, BusEnvelope, BusHandler } from './bus.js';

/** In-process bus: several instances in one process share one `LocalBusHub` (tests, single node). */
export class LocalBusHub extends EventEmitter {
  constructor() {
    super();
    this.setMaxListeners(0);
  }
}

export class LocalBus implements Bus {
  constructor(readonly instanceId: string, private readonly hub = new LocalBusHub()) {}

  async publish(channel: string, data: unknown, opts: { echo?: boolean } = {}): Promise<void> {
    // Round-trip through JSON like the Redis bus, so both deliver the same shapes.
    const envelope: BusEnvelope = JSON.parse(JSON.stringify({ i: opts.echo ? '*' : this.instanceId, d: data }));
    queueMicrotask(() => this.hub.emit(channel, envelope));
  }

  async subscribe(channel: string, handler: BusHandler): Promise<() => Promise<void>> {
    const listener = (env: BusEnvelope) => {
      if (env.i !== this.instanceId) handler(env.d, env.i);
    };
    this.hub.on(channel, listener);
    return async () => {
      this.hub.off(channel, listener);
    };
  }

  async close(): Promise<void> {}
}
