import type { Redis } from 'ioredis';
import type { Bus, BusEnvelope, BusHandler, ChannelOptions } from './bus.js';
import { subscribeWhenReady } from '../../protocol/redis-outage.js';

/**
 * Redis pub/sub bus. Subscribing puts a connection in subscriber mode, so the bus owns a
 * dedicated connection for it and publishes on the shared command connection. Shard
 * channels (SSUBSCRIBE) share that connection on a standalone Redis; on a cluster the
 * client keeps one per primary (createRedis's `subscriber`).
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
    subscriber.on('smessage', (channel: string, raw: string) => this.dispatch(channel, raw));
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

  async publish(channel: string, data: unknown, opts: { echo?: boolean } & ChannelOptions = {}): Promise<void> {
    await this.publishAndCount(channel, data, opts);
  }

  async publishAndCount(channel: string, data: unknown, opts: { echo?: boolean } & ChannelOptions = {}): Promise<number> {
    const env: BusEnvelope = { i: opts.echo ? '*' : this.instanceId, d: data };
    const full = this.channel(channel);
    // Each instance listens on one connection (per shard, on a cluster), so connections are instances.
    return Number(opts.shard ? await this.commands.spublish(full, JSON.stringify(env)) : await this.commands.publish(full, JSON.stringify(env)));
  }

  async subscribe(channel: string, handler: BusHandler, opts: ChannelOptions = {}): Promise<() => Promise<void>> {
    const full = this.channel(channel);
    let set = this.handlers.get(full);
    if (!set) {
      set = new Set();
      this.handlers.set(full, set);
      await subscribeWhenReady(this.subscriber, [full], opts);
    }
    set.add(handler);
    return async () => {
      const current = this.handlers.get(full);
      if (!current) return;
      current.delete(handler);
      if (current.size === 0) {
        this.handlers.delete(full);
        await (opts.shard ? this.subscriber.sunsubscribe(full) : this.subscriber.unsubscribe(full)).catch(() => undefined);
      }
    };
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}
