import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

export const redisUrl = (): string => process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix of its own for each test, so parallel tests never see each other's keys. */
export function testPrefix(name = 't'): string {
  return `lhtest:${name}:${randomUUID().slice(0, 8)}`;
}

/** Deletes every key under a prefix (SCAN, not KEYS, so a shared Redis is not blocked). */
export async function deletePrefix(prefix: string): Promise<void> {
  const redis = new Redis(redisUrl(), { lazyConnect: true });
  await redis.connect();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
  await redis.quit();
}
