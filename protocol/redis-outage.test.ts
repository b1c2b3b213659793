import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivateRedis, type PrivateRedis } from '../test/helpers/redis-server.js';
import { isRedisOutage, outageQuiet, watchRedis } from './redis-outage.js';

function captureLog() {
  const lines: Array<{ level: string; obj: object; msg: string }> = [];
  const at = (level: string) => (obj: object, msg: string) => { lines.push({ level, obj, msg }); };
  return { lines, log: { warn: at('warn'), info: at('info'), error: at('error') } };
}

describe('Redis outages (a redis-server of the test\'s own, killed and restarted)', () => {
  let redis: PrivateRedis;
  beforeAll(async () => { redis = await startPrivateRedis(); });
  afterAll(async () => redis?.close());

  it('a connection logs one warning when lost and one line when back, however many retries in between', async () => {
    const { lines, log } = captureLog();
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: (n) => Math.min(n * 20, 100) });
    let errors = 0;
    client.on('error', () => { errors += 1; });
    const watched = watchRedis(client, 'commands', log);
    await client.ping();
    expect(watched.state()).toBe('ready');
    const queue = new Queue('outage-test', { connection: new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 }) });
    const quiet = captureLog();
    queue.on('error', outageQuiet(quiet.log, 'test queue'));
    await queue.waitUntilReady();

    await redis.kill();
    // Commands during the outage fail with errors that say "outage", not "bug".
    const failed = await client.get('k').catch((err: unknown) => err);
    expect(isRedisOutage(failed)).toBe(true);
    const added = await queue.add('x', {}).catch((err: unknown) => err);
    expect(isRedisOutage(added)).toBe(true);
    for (const end = Date.now() + 10_000; errors < 5;) {
      if (Date.now() > end) throw new Error('ioredis did not retry');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(watched.state()).toBe('down');

    await redis.start();
    for (const end = Date.now() + 10_000; watched.state() !== 'ready';) {
      if (Date.now() > end) throw new Error('not ready again');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      ['warn', 'redis connection lost; retrying'],
      ['info', 'redis connection restored'],
    ]);
    expect(lines[0]!.obj).toMatchObject({ redis: 'commands' });
    expect(lines[1]!.obj).toMatchObject({ redis: 'commands', downMs: expect.any(Number) });
    expect(quiet.lines).toEqual([]);
    await queue.close();
    await client.quit();
    // A deliberate quit is not an outage, and a closed client's error says so.
    expect(lines).toHaveLength(2);
    expect(isRedisOutage(await client.get('k').catch((err: unknown) => err))).toBe(true);
  });

  it('tells outages from other errors', () => {
    expect(isRedisOutage(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isRedisOutage(new Error('LOADING Redis is loading the dataset in memory'))).toBe(true);
    expect(isRedisOutage(new Error('wrapped', { cause: Object.assign(new Error('x'), { name: 'MaxRetriesPerRequestError' }) }))).toBe(true);
    expect(isRedisOutage(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'))).toBe(false);
    expect(isRedisOutage(new TypeError('undefined is not a function'))).toBe(false);
    expect(isRedisOutage(null)).toBe(false);
    const { lines, log } = captureLog();
    outageQuiet(log, 'q')(new Error('a real bug'));
    expect(lines.map((l) => [l.level, l.msg])).toEqual([['error', 'q error']]);
  });
});
