import { PutMetadataCommand, type IvsClient } from '@aws-sdk/client-ivs';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { TimedMetadataEvent, compile, redisKeys } from '../../protocol/index.js';
import { arnRegion } from '../../protocol/aws-retry.js';
import { IvsClients } from '../aws/ivs-clients.js';
import { ChannelBatcher, type BatcherOptions } from './channel-batcher.js';
import type { ChannelDirectory } from './channel-directory.js';
import type { MetadataFeed } from './metadata-feed.js';
import { toItem } from './metadata-payload.js';
import { subscribeWhenReady } from '../../protocol/redis-outage.js';

const validEvent = compile(TimedMetadataEvent);

export interface TimedMetadataRelayOptions {
  prefix: string;
  channels: ChannelDirectory;
  feed: MetadataFeed;
  /** True while this gateway has the room's show on: only the gateway forwarding a room sends its metadata. */
  onAir: (room: string) => boolean;
  /** One client per AWS region (a channel's ARN names its region); default: SDK retries off, ours on. */
  ivsClient?: (region: string) => IvsClient;
  batching?: BatcherOptions;
  log: Logger;
}

/**
 * Sends captions and question cards to IVS viewers as timed metadata: events from the
 * server's timed-metadata channel, for rooms on air here, go to every IVS channel the
 * room forwards to (PutMetadata, batched per channel) and to local preview players (SSE).
 */
export class TimedMetadataRelay {
  private readonly channel: string;
  private readonly batchers = new Map<string, ChannelBatcher>();
  private readonly clients: IvsClients;
  private subscriber: Redis | null = null;
  private readonly onMessage = (channel: string, message: string) => {
    if (channel !== this.channel) return;
    let parsed: unknown;
    try { parsed = JSON.parse(message); } catch { return; }
    const checked = validEvent.check(parsed);
    if (checked.ok) void this.handle(checked.value);
  };

  constructor(private readonly options: TimedMetadataRelayOptions) {
    this.clients = new IvsClients(this.options.ivsClient);
    this.channel = redisKeys(options.prefix).timedMetadata;
  }

  async start(subscriber: Redis): Promise<void> {
    this.subscriber = subscriber;
    subscriber.on('message', this.onMessage);
    await subscribeWhenReady(subscriber, [this.channel]);
  }

  /** Routes one event; resolves once it is queued on every channel (tests await it). */
  async handle(event: TimedMetadataEvent): Promise<void> {
    if (!this.options.onAir(event.room)) return;
    this.options.feed.publish(event);
    const item = toItem(event);
    for (const { channelArn } of await this.options.channels.channels(event.room)) this.batcher(channelArn).push(item);
  }

  close(): void {
    this.subscriber?.off('message', this.onMessage);
    for (const b of this.batchers.values()) b.close();
    this.batchers.clear();
  }

  private batcher(channelArn: string): ChannelBatcher {
    let b = this.batchers.get(channelArn);
    if (!b) {
      const client = this.client(arnRegion(channelArn) ?? process.env.AWS_REGION ?? 'us-east-1');
      b = new ChannelBatcher(channelArn, async (metadata) => {
        await client.send(new PutMetadataCommand({ channelArn, metadata }));
      }, this.options.log, this.options.batching);
      this.batchers.set(channelArn, b);
    }
    return b;
  }

  private client(region: string): IvsClient {
    return this.clients.for(region);
  }
}
