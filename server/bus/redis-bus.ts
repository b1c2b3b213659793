import type { Redis } from 'ioredis';
import type { Bus, BusEnvelope, BusHandler } from './bus.js';
import { whenReady } from '../../protocol/redis-outage.js';

/**
 * Redis pub/sub bus. Subscribing puts a connection in subscriber mode, so the bus owns a
 * dedicated connection for it and publishes on the shared command connection.
 */
export class RedisBus implements Bus {
  private readonly handlers = new Map<string, Set<BusHandler>>();

  constructor(
    readonly instanceId: string,
    private readonly commands: Redis,
    private readonly subscriber: Redis,
    private readonly prefix: string,
  ) {
    subscriber.on('message', (channel: string, raw: string) => this.dispatch(channel, raw));
  }

  private dispatch(channel: string, raw: string): void {
    const set = this.handlers.get(channel);
    if (!set) return;
    let env: BusEnvelope;
    try {
      env = JSON.parse(raw) as BusEnvelope;
    } catch {
      return; // not ours: someone else published on our channel
    }
    if (env.i === this.instanceId) return;
    for (const h of set) h(env.d, env.i);
  }

  channel(name: string): string {
    return `${this.prefix}:bus:${name}`;
  }

  async publish(channel: string, data: unknown, opts: { echo?: boolean } = {}): Promise<void> {
    const env: BusEnvelope = { i: opts.echo ? '*' : this.instanceId, d: data };
    await this.commands.publish(this.channel(channel), JSON.stringify(env));
  }

  async subscribe(channel: string, handler: BusHandler): Promise<() => Promise<void>> {
    const full = this.channel(channel);
    let set = this.handlers.get(full);
    if (!set) {
      set = new Set();
      this.handlers.set(full, set);
      await whenReady(this.subscriber);
      await this.subscriber.subscribe(full);
    }
    set.add(handler);
    return async () => {
      const current = this.handlers.get(full);
      if (!current) return;
      current.delete(handler);
      if (current.size === 0) {
        this.handlers.delete(full);
        await this.subscriber.unsubscribe(full).catch(() => undefined);
      }
    };
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}
