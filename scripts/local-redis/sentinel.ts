// A local Redis Sentinel set from Debian's redis-server: a primary, a replica and three
// sentinels (quorum 2), loopback, free ports, its own directory. Used by the failover test
// and for trying Sentinel by hand:
//
//   npx tsx scripts/local-redis/sentinel.ts
//
// prints REDIS_URL=redis+sentinel://…/livehost and runs until Ctrl-C.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RedisProcess, startOnFreePorts, until } from './redis-process.js';

export const SENTINEL_MASTER = 'livehost';

export interface LocalSentinelSet {
  /** `redis+sentinel://127.0.0.1:s1,127.0.0.1:s2,127.0.0.1:s3/livehost` */
  url: string;
  /** The two data nodes; which is primary changes on a failover (see `primary()`). */
  nodes: RedisProcess[];
  sentinels: RedisProcess[];
  /** The data node the sentinels name as primary now. */
  primary(): Promise<RedisProcess>;
  /** Resolves once the sentinels name a primary other than `old` and it accepts writes. */
  failedOver(old: RedisProcess, timeoutMs?: number): Promise<RedisProcess>;
  dir: string;
  stop(): Promise<void>;
}

export interface LocalSentinelOptions {
  /** A primary that does not answer for this long is failed over (sentinel down-after-milliseconds). */
  downAfterMs?: number;
  timeoutMs?: number;
}

export async function startLocalSentinelSet(o: LocalSentinelOptions = {}): Promise<LocalSentinelSet> {
  const timeoutMs = o.timeoutMs ?? 60_000;
  const downAfterMs = o.downAfterMs ?? 1000;
  const dir = mkdtempSync(path.join(tmpdir(), 'livehost-sentinel-'));
  const common = ['--appendonly', 'yes', '--appendfsync', 'everysec'];
  const nodes: RedisProcess[] = [];
  const sentinels: RedisProcess[] = [];
  const stop = async () => {
    await Promise.all([...sentinels, ...nodes].map((n) => n.kill()));
    rmSync(dir, { recursive: true, force: true });
  };
  const ask = async <T>(node: RedisProcess, f: (c: ReturnType<RedisProcess['client']>) => Promise<T>): Promise<T> => {
    const c = node.client();
    try {
      return await f(c);
    } finally {
      c.disconnect();
    }
  };
  const primary = async () => {
    for (const s of sentinels.filter((x) => x.running)) {
      try {
        const addr = await ask(s, (c) => c.call('SENTINEL', 'get-master-addr-by-name', SENTINEL_MASTER) as Promise<[string, string]>);
        const found = nodes.find((n) => n.port === Number(addr[1]));
        if (found) return found;
      } catch {
        // ask the next one
      }
    }
    throw new Error('no sentinel names a primary');
  };
  try {
    const first = await startOnFreePorts(1, ([port]) => new RedisProcess(`data-${port}`, port!, dir, () => common), timeoutMs);
    nodes.push(first);
    // The replica follows the first node; after a failover the sentinels repoint whoever is left.
    nodes.push(await startOnFreePorts(1, ([port]) => new RedisProcess(`data-${port}`, port!, dir, () => [...common, '--replicaof', '127.0.0.1', String(first.port)]), timeoutMs));
    await until('the replica in sync with the primary', () => ask(nodes[1]!, async (c) => /master_link_status:up/.test(await c.info('replication'))), timeoutMs);
    for (let i = 0; i < 3; i++) {
      sentinels.push(await startOnFreePorts(1, ([port]) => {
        const s = new RedisProcess(`sentinel-${port}`, port!, dir, () => [], true);
        // Sentinel rewrites its own configuration file, so each has one in its directory.
        writeFileSync(path.join(s.dir, 'sentinel.conf'), [
          `sentinel monitor ${SENTINEL_MASTER} 127.0.0.1 ${first.port} 2`,
          `sentinel down-after-milliseconds ${SENTINEL_MASTER} ${downAfterMs}`,
          `sentinel failover-timeout ${SENTINEL_MASTER} ${Math.max(3000, downAfterMs * 3)}`,
          `sentinel parallel-syncs ${SENTINEL_MASTER} 1`,
          '',
        ].join('\n'));
        return s;
      }, timeoutMs));
    }
    await until('every sentinel to see the replica and the other sentinels', async () => {
      for (const s of sentinels) {
        const info = await ask(s, (c) => c.call('SENTINEL', 'master', SENTINEL_MASTER) as Promise<string[]>);
        const field = (name: string) => Number(info[info.indexOf(name) + 1]);
        if (field('num-slaves') < 1 || field('num-other-sentinels') < 2) return false;
      }
      return true;
    }, timeoutMs, 200);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url: `redis+sentinel://${sentinels.map((s) => s.address).join(',')}/${SENTINEL_MASTER}`,
    nodes, sentinels, primary, dir, stop,
    failedOver: (old, waitMs = timeoutMs) => until('the sentinels to fail over to the other node', async () => {
      const now = await primary();
      if (now === old) return false;
      return ask(now, async (c) => (/role:master/.test(await c.info('replication')) ? now : false));
    }, waitMs, 100),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const set = await startLocalSentinelSet();
  process.stdout.write(`REDIS_URL=${set.url}\n(primary 127.0.0.1:${(await set.primary()).port}; files in ${set.dir}; Ctrl-C stops it)\n`);
  const quit = () => void set.stop().then(() => process.exit(0));
  process.on('SIGINT', quit);
  process.on('SIGTERM', quit);
}
