import { GetStreamCommand, type IvsClient } from '@aws-sdk/client-ivs';
import { IvsClients } from '../aws/ivs-clients.js';
import type { Logger } from 'pino';
import { arnRegion, describeAwsError, retryThrottled, type RetryOptions } from '../../protocol/aws-retry.js';
import type { ChannelDirectory } from '../metadata/channel-directory.js';

export interface ViewerCount { room: string; destination: string; viewers: number }

export interface ViewerCountPollerOptions {
  channels: ChannelDirectory;
  /** Rooms whose show is on here now. */
  rooms: () => string[];
  /** IVS updates viewerCount within ~15 s of a change; 30 s keeps GetStream well under its rate limit. */
  everyMs?: number;
  ivsClient?: (region: string) => IvsClient;
  retry?: RetryOptions;
  log: Logger;
}

/**
 * Viewer counts of the IVS channels live rooms forward to, from GetStream's viewerCount.
 * A channel that is not broadcasting (yet) has no viewers; a failed call keeps the last
 * count rather than reporting a fall to zero that did not happen.
 */
export class ViewerCountPoller {
  private counts = new Map<string, ViewerCount>();
  private timer: NodeJS.Timeout | null = null;
  private readonly clients: IvsClients;
  private polling: Promise<void> | null = null;

  constructor(private readonly options: ViewerCountPollerOptions) {
    this.clients = new IvsClients(options.ivsClient);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), this.options.everyMs ?? 30_000);
    this.timer.unref();
  }

  current(): ViewerCount[] {
    return [...this.counts.values()];
  }

  /** One round of GetStream calls; overlapping rounds share one promise. */
  poll(): Promise<void> {
    this.polling ??= this.round().finally(() => { this.polling = null; });
    return this.polling;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async round(): Promise<void> {
    const next = new Map<string, ViewerCount>();
    for (const room of this.options.rooms()) {
      for (const { destination, channelArn } of await this.options.channels.channels(room)) {
        const key = `${room}/${destination}`;
        try {
          const client = this.client(arnRegion(channelArn) ?? process.env.AWS_REGION ?? 'us-east-1');
          const out = await retryThrottled(() => client.send(new GetStreamCommand({ channelArn })), this.options.retry);
          const viewers = out.stream?.viewerCount ?? 0;
          // -1: IVS timed out counting; keep what we had.
          next.set(key, { room, destination, viewers: viewers >= 0 ? viewers : this.counts.get(key)?.viewers ?? 0 });
        } catch (err) {
          if ((err as { name?: string }).name === 'ChannelNotBroadcasting') {
            next.set(key, { room, destination, viewers: 0 });
            continue;
          }
          this.options.log.warn({ room, destination, err: describeAwsError(err) }, 'GetStream failed');
          const last = this.counts.get(key);
          if (last) next.set(key, last);
        }
      }
    }
    this.counts = next;
  }

  private client(region: string): IvsClient {
    return this.clients.for(region);
  }
}
