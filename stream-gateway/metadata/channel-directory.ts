import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { DestinationsChanged, StoredDestination, compile, redisKeys } from '../../protocol/index.js';
import { subscribeWhenReady } from '../../protocol/redis-outage.js';

const validStored = compile(StoredDestination);
const validNotice = compile(DestinationsChanged);

/** An IVS low-latency channel a room forwards to, by destination id (never its key). */
export interface RoomChannel {
  destination: string;
  channelArn: string;
}

/**
 * Which IVS channels (by ARN) each room's destinations name, for the calls that need the
 * channel rather than its ingest (PutMetadata, GetStream). Read from the destinations the
 * server keeps in Redis, cached per room, forgotten when a change notice names the room.
 * Destinations given as ingest endpoint + key have no ARN and get no channel calls.
 */
export class ChannelDirectory {
  private readonly keys;
  private readonly cache = new Map<string, Promise<RoomChannel[]>>();
  private readonly onMessage = (channel: string, message: string) => {
    if (channel !== this.keys.destinationEvents) return;
    let parsed: unknown;
    try { parsed = JSON.parse(message); } catch { return; }
    const notice = validNotice.check(parsed);
    if (notice.ok) this.cache.delete(notice.value.room);
  };

  constructor(private readonly redis: Redis, prefix: string, private readonly log: Logger) {
    this.keys = redisKeys(prefix);
  }

  /** Listens for change notices on a connection in subscriber mode (may be shared). */
  async start(subscriber: Redis): Promise<void> {
    subscriber.on('message', this.onMessage);
    await subscribeWhenReady(subscriber, [this.keys.destinationEvents]);
  }

  stop(subscriber: Redis): void {
    subscriber.off('message', this.onMessage);
  }

  channels(room: string): Promise<RoomChannel[]> {
    let found = this.cache.get(room);
    if (!found) {
      found = this.load(room);
      this.cache.set(room, found);
    }
    return found;
  }

  private async load(room: string): Promise<RoomChannel[]> {
    try {
      const all = await this.redis.hgetall(this.keys.destinations(room));
      return Object.values(all).flatMap((json) => {
        const checked = validStored.check(JSON.parse(json));
        if (!checked.ok || checked.value.kind !== 'ivs-channel' || !checked.value.channelArn) return [];
        return [{ destination: checked.value.id, channelArn: checked.value.channelArn }];
      }).sort((a, b) => a.destination.localeCompare(b.destination));
    } catch (err) {
      this.cache.delete(room); // try again next time rather than remember a failure
      this.log.warn({ room, err: (err as Error).message }, 'IVS channels of room not read');
      return [];
    }
  }
}
