import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { StreamEvent, compile, redisKeys } from '../protocol/index.js';

const validEvent = compile(StreamEvent);

/**
 * Where the gateway reports which rooms are on air: every change is PUBLISHed on the
 * stream-events channel and mirrored in the live-streams hash, in one MULTI so a server
 * that reads the hash and then subscribes misses nothing it cannot re-read. Commands go
 * out on one connection in call order, so `live` and `offline` of a short publish can
 * never arrive swapped.
 */
export class RedisStreamState {
  private readonly keys;
  private readonly live = new Set<string>();
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly redis: Redis, prefix: string, private readonly log: Logger) {
    this.keys = redisKeys(prefix);
  }

  /** Rooms this gateway reported live and has not reported offline yet. */
  liveRooms(): string[] {
    return [...this.live];
  }

  /** Reports the room live; false when it already was (a resumed or duplicate publish). */
  setLive(room: string, at = Date.now()): boolean {
    if (this.live.has(room)) return false;
    this.live.add(room);
    this.report({ room, state: 'live', at });
    return true;
  }

  setOffline(room: string, at = Date.now()): boolean {
    if (!this.live.delete(room)) return false;
    this.report({ room, state: 'offline', at });
    return true;
  }

  /** Waits for every report issued so far (shutdown calls it before closing Redis). */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  private report(event: StreamEvent): void {
    const checked = validEvent.check(event);
    if (!checked.ok) {
      this.log.error({ room: event.room, error: checked.error }, 'stream event does not match the protocol; not reported');
      return;
    }
    const json = JSON.stringify(checked.value);
    const tx = this.redis.multi();
    if (event.state === 'live') tx.hset(this.keys.liveStreams, event.room, json);
    else tx.hdel(this.keys.liveStreams, event.room);
    tx.publish(this.keys.streamEvents, json);
    const p: Promise<void> = tx.exec().then(
      () => { this.log.info({ room: event.room, state: event.state }, 'stream state reported'); },
      (err: unknown) => { this.log.error({ room: event.room, state: event.state, err }, 'stream state not reported: Redis failed'); },
    ).finally(() => { this.pending.delete(p); });
    this.pending.add(p);
  }
}
