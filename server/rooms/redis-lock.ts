import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * A short Redis lock (SET NX PX, released only by its holder) for side effects that must
 * happen once across instances, such as placing a room on a render host.
 */
export async function withLock<T>(redis: Redis, key: string, fn: () => Promise<T>, { ttlMs = 5000, waitMs = 3000 } = {}): Promise<T> {
  const token = randomUUID();
  const deadline = Date.now() + waitMs;
  for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
    if (await redis.set(key, token, 'PX', ttlMs, 'NX')) break;
    if (Date.now() > deadline) throw new Error(`lock ${key} busy`);
    await new Promise((r) => setTimeout(r, delay));
  }
  try {
    return await fn();
  } finally {
    await redis.eval(RELEASE, 1, key, token);
  }
}
