import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { StreamEvent, compile, redisKeys, type RoomEvent } from '../../protocol/index.js';
import { subscribeWhenReady } from '../../protocol/redis-outage.js';

const valid = compile(StreamEvent);

/**
 * Relays the gateway's live/offline reports to the room's operators. Every instance hears
 * the report; a short Redis claim makes exactly one of them tell the operators.
 */
export async function listenToStreamEvents(
  subscriber: Redis, redis: Redis, prefix: string, emit: (room: string, e: RoomEvent) => Promise<void>, log: Logger,
): Promise<void> {
  const channel = redisKeys(prefix).streamEvents;
  subscriber.on('message', (ch: string, raw: string) => {
    if (ch !== channel) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return log.warn('unparseable stream event ignored');
    }
    const check = valid.check(parsed);
    if (!check.ok) return log.warn({ error: check.error }, 'invalid stream event ignored');
    const ev = check.value;
    void redis.set(`${prefix}:streamevt:${ev.room}:${ev.state}:${ev.at}`, '1', 'EX', 30, 'NX')
      .then((claimed) => (claimed ? emit(ev.room, { kind: 'stream', state: ev.state }) : undefined))
      .catch((err: Error) => log.warn({ err: err.message }, 'stream event relay failed'));
  });
  await subscribeWhenReady(subscriber, [channel]);
}
