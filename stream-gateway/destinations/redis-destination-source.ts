import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { DestinationsChanged, StoredDestination, compile, redisKeys, type DestinationHealth } from '../../protocol/index.js';
import { destinationAad, open } from '../../protocol/secret-box.js';
import type { DestinationManager } from './destination-manager.js';
import type { DestinationStatus } from './destination-state.js';
import { subscribeWhenReady } from '../../protocol/redis-outage.js';

const validStored = compile(StoredDestination);
const validNotice = compile(DestinationsChanged);

/**
 * Feeds the DestinationManager from what the server's REST keeps in Redis: a room's
 * destinations are (re)loaded when it goes live and whenever a change notice names it;
 * sealed URLs are opened here, in memory only. Health goes back to Redis for the API.
 */
export class RedisDestinationSource {
  private readonly keys;
  private readonly reconnects = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly subscriber: Redis,
    prefix: string,
    private readonly secretKey: Buffer,
    private readonly manager: DestinationManager,
    private readonly log: Logger,
  ) {
    this.keys = redisKeys(prefix);
  }

  async start(healthEveryMs = 2000): Promise<void> {
    await subscribeWhenReady(this.subscriber, [this.keys.destinationEvents]);
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.keys.destinationEvents) return;
      let parsed: unknown;
      try { parsed = JSON.parse(message); } catch { return; }
      const notice = validNotice.check(parsed);
      if (notice.ok) void this.load(notice.value.room);
    });
    this.timer = setInterval(() => void this.writeHealth(), healthEveryMs);
    this.timer.unref();
  }

  /** Loads a room's destinations into the manager; a destination that does not open is skipped and logged. */
  async load(room: string): Promise<void> {
    try {
      const all = await this.redis.hgetall(this.keys.destinations(room));
      const destinations = Object.values(all).flatMap((json) => {
        const checked = validStored.check(JSON.parse(json));
        if (!checked.ok) return [];
        try {
          return [{ id: checked.value.id, url: open(this.secretKey, checked.value.url, destinationAad(room, checked.value.id)) }];
        } catch (err) {
          this.log.error({ room, destination: checked.value.id, err: (err as Error).message }, 'destination secret does not open; check LIVEHOST_SECRETS_KEY');
          return [];
        }
      });
      await this.manager.setDestinations(room, destinations);
    } catch (err) {
      this.log.warn({ room, err: (err as Error).message }, 'destinations not loaded');
    }
  }

  /** Counts reconnects (each retry) for the health view; the manager's onStatus calls it. */
  noteStatus(status: DestinationStatus): void {
    if (status.state === 'retrying') {
      const key = `${status.room}/${status.id}`;
      this.reconnects.set(key, (this.reconnects.get(key) ?? 0) + 1);
    }
  }

  health(status: DestinationStatus): DestinationHealth {
    return {
      state: status.state, bitrateKbps: status.bitrateKbps ?? 0, lastError: status.lastError ?? null,
      reconnects: this.reconnects.get(`${status.room}/${status.id}`) ?? 0, since: status.since,
    };
  }

  async writeHealth(): Promise<void> {
    const statuses = this.manager.statuses();
    if (!statuses.length) return;
    const fields: string[] = [];
    for (const s of statuses) fields.push(`${s.room}/${s.id}`, JSON.stringify(this.health(s)));
    await this.redis.hset(this.keys.destinationHealth, ...fields).catch((err: Error) => this.log.warn({ err: err.message }, 'destination health not written'));
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.writeHealth();
  }
}
