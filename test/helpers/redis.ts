import { randomUUID } from 'node:crypto';
import { createRedis, deleteKeys } from '../../protocol/redis-connection.js';

export const redisUrl = (): string => process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix of its own for each test, so parallel tests never see each other's keys. */
export function testPrefix(name = 't'): string {
  return `lhtest:${name}:${randomUUID().slice(0, 8)}`;
}

/**
 * Deletes every key under a prefix (SCAN, not KEYS, so a shared Redis is not blocked; each
 * primary in turn when REDIS_URL is a cluster).
 */
export async function deletePrefix(prefix: string, url = redisUrl()): Promise<void> {
  const redis = createRedis(url, { lazyConnect: true });
  await redis.connect();
  await deleteKeys(redis, `${prefix}*`);
  await redis.quit();
}
