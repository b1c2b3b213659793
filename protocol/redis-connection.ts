/**
 * The one Redis connection setting every part uses (server, workers, gateway, BullMQ,
 * scripts). `REDIS_URL` names the deployment; nothing else changes between them:
 *
 * - `redis://[user:password@]host:port[/db]` (or `rediss://`, TLS): one server — a local
 *   redis-server, or ElastiCache with cluster mode off (its primary endpoint).
 * - `redis+sentinel://[user:password@]host:port,host:port,…/<master name>[/db]`
 *   (`rediss+sentinel://`: TLS to the data nodes and the sentinels): a primary with replicas
 *   watched by Redis Sentinel; the client asks the sentinels where the primary is and
 *   follows a failover. `?sentinelPassword=` when the sentinels have a password of their own.
 * - `redis+cluster://[user:password@]host:port,host:port,…` (`rediss+cluster://`): Redis
 *   Cluster, or ElastiCache with cluster mode on (its configuration endpoint as the one
 *   node). Every multi-key command, transaction and script of this project touches one
 *   hash slot, so the same code runs on all three.
 *
 * Node-only (ioredis), not re-exported from protocol/index.ts.
 */
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

export interface HostPort { host: string; port: number }

export type RedisTarget =
  | { mode: 'standalone'; url: string }
  | { mode: 'sentinel'; sentinels: HostPort[]; masterName: string; db: number; tls: boolean; username?: string; password?: string; sentinelPassword?: string }
  | { mode: 'cluster'; nodes: HostPort[]; tls: boolean; username?: string; password?: string };

/** A REDIS_URL that cannot be used; the message never repeats a password. */
export class RedisUrlError extends Error {
  override readonly name = 'RedisUrlError';
}

const SCHEME = /^(rediss?)(\+sentinel|\+cluster)?:\/\//i;

/** Whether a string has one of the schemes above (the config schemas' first check). */
export const REDIS_URL_PATTERN = '^rediss?(\\+sentinel|\\+cluster)?://';

function hostList(list: string, what: string): HostPort[] {
  const hosts = list.split(',').map((entry) => entry.trim()).filter(Boolean).map((entry) => {
    // [v6]:port or name:port
    const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/.exec(entry);
    if (!m) throw new RedisUrlError(`REDIS_URL: "${entry.slice(0, 80)}" is not a host[:port] of a ${what}`);
    const port = Number(m[2] ?? (what === 'sentinel' ? 26379 : 6379));
    if (port < 1 || port > 65535) throw new RedisUrlError(`REDIS_URL: port ${port} of a ${what} is out of range`);
    return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
  });
  if (hosts.length === 0) throw new RedisUrlError(`REDIS_URL names no ${what}`);
  return hosts;
}

function credentials(userinfo: string | undefined): { username?: string; password?: string } {
  if (!userinfo) return {};
  const at = userinfo.indexOf(':');
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new RedisUrlError('REDIS_URL: the user or password is not valid percent-encoding');
    }
  };
  const username = decode(at < 0 ? userinfo : userinfo.slice(0, at));
  const password = at < 0 ? undefined : decode(userinfo.slice(at + 1));
  return { ...(username ? { username } : {}), ...(password ? { password } : {}) };
}

/** Reads a REDIS_URL (see the top of this file); throws RedisUrlError naming what is wrong. */
export function parseRedisUrl(url: string): RedisTarget {
  const scheme = SCHEME.exec(url);
  if (!scheme) throw new RedisUrlError('REDIS_URL must start with redis://, rediss://, redis+sentinel://, rediss+sentinel://, redis+cluster:// or rediss+cluster://');
  const tls = scheme[1]!.toLowerCase() === 'rediss';
  const kind = scheme[2]?.toLowerCase();
  if (!kind) {
    try {
      new URL(url);
    } catch {
      throw new RedisUrlError('REDIS_URL is not a valid URL');
    }
    return { mode: 'standalone', url };
  }
  const rest = url.slice(scheme[0].length);
  const [beforeQuery = '', query = ''] = rest.split('?', 2);
  const at = beforeQuery.lastIndexOf('@');
  const auth = credentials(at < 0 ? undefined : beforeQuery.slice(0, at));
  const [hosts = '', ...path] = beforeQuery.slice(at + 1).split('/');
  const params = new URLSearchParams(query);
  if (kind === '+cluster') {
    if (path.some(Boolean)) throw new RedisUrlError('REDIS_URL: a cluster has no database number or path (Redis Cluster has only db 0)');
    return { mode: 'cluster', nodes: hostList(hosts, 'cluster node'), tls, ...auth };
  }
  const [masterName = '', dbText = '0'] = path;
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(masterName)) throw new RedisUrlError('REDIS_URL: a sentinel URL ends with /<master name> (letters, digits, . _ -), e.g. redis+sentinel://s1:26379,s2:26379/mymaster');
  const db = Number(dbText || '0');
  if (!Number.isInteger(db) || db < 0 || db > 15) throw new RedisUrlError(`REDIS_URL: database "${dbText.slice(0, 10)}" must be 0–15`);
  const sentinelPassword = params.get('sentinelPassword') ?? undefined;
  return { mode: 'sentinel', sentinels: hostList(hosts, 'sentinel'), masterName, db, tls, ...auth, ...(sentinelPassword ? { sentinelPassword } : {}) };
}

/** What a log line may say about the target: the mode and hosts, never a password. */
export function describeRedisTarget(target: RedisTarget): string {
  const list = (hs: HostPort[]) => hs.map((h) => `${h.host}:${h.port}`).join(',');
  if (target.mode === 'standalone') {
    try {
      const u = new URL(target.url);
      return `standalone ${u.hostname}:${u.port || 6379}${u.pathname && u.pathname !== '/' ? u.pathname : ''}`;
    } catch {
      return 'standalone';
    }
  }
  if (target.mode === 'sentinel') return `sentinel ${list(target.sentinels)} master ${target.masterName}${target.db ? ` db ${target.db}` : ''}`;
  return `cluster ${list(target.nodes)}`;
}

export interface RedisClientOptions {
  /** Connect on the first command, or with `connect()` (default false: at once). */
  lazyConnect?: boolean;
  /**
   * How many reconnect rounds a command waits for before it fails. `null` for BullMQ
   * workers and anything that blocks (BullMQ refuses anything else there); the default,
   * 20, is ioredis's.
   */
  maxRetriesPerRequest?: number | null;
  /** Batch commands issued in one tick into one write (only where nothing waits on them). */
  enableAutoPipelining?: boolean;
  /** This connection is a subscriber: on a cluster, SSUBSCRIBE goes to each slot's own node. */
  subscriber?: boolean;
}

/**
 * A failover turns the old primary into a replica; a client still connected to it gets
 * READONLY for writes. Reconnecting (and re-sending the command) finds the new primary.
 */
const reconnectOnError = (err: Error): 1 | 2 | false => (err.message.startsWith('READONLY') ? 2 : false);

/**
 * One connection to the configured Redis. A Cluster is returned as the `Redis` type: it
 * speaks the same commands (routed by key slot), so every part keeps one client type.
 */
export function createRedis(target: RedisTarget | string, opts: RedisClientOptions = {}): Redis {
  const t = typeof target === 'string' ? parseRedisUrl(target) : target;
  const common: RedisOptions = {
    lazyConnect: opts.lazyConnect ?? false,
    ...(opts.maxRetriesPerRequest !== undefined ? { maxRetriesPerRequest: opts.maxRetriesPerRequest } : {}),
    ...(opts.enableAutoPipelining ? { enableAutoPipelining: true } : {}),
    reconnectOnError,
  };
  if (t.mode === 'standalone') return new Redis(t.url, common);
  const auth = { ...(t.username ? { username: t.username } : {}), ...(t.password ? { password: t.password } : {}) };
  if (t.mode === 'sentinel') {
    return new Redis({
      ...common, ...auth, sentinels: t.sentinels, name: t.masterName, db: t.db,
      ...(t.sentinelPassword ? { sentinelPassword: t.sentinelPassword } : {}),
      ...(t.tls ? { tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true } : {}),
      // Listen to the sentinels' +switch-master, so a failover is followed at once rather
      // than on the next failed reconnect.
      failoverDetector: true,
    });
  }
  const clusterOptions: ClusterOptions = {
    lazyConnect: common.lazyConnect ?? false,
    ...(opts.enableAutoPipelining ? { enableAutoPipelining: true } : {}),
    ...(opts.subscriber ? { shardedSubscribers: true } : {}),
    redisOptions: {
      ...auth,
      ...(opts.maxRetriesPerRequest !== undefined ? { maxRetriesPerRequest: opts.maxRetriesPerRequest } : {}),
      reconnectOnError,
      ...(t.tls ? { tls: {} } : {}),
    },
    // ElastiCache's TLS certificates name the configuration endpoint, not the node IPs
    // CLUSTER SLOTS returns: resolve nothing, let TLS check the name we were given.
    ...(t.tls ? { dnsLookup: (address: string, callback: (err: Error | null, address: string) => void) => callback(null, address) } : {}),
    // A failover or a slot move is retried rather than failed (MOVED/ASK, CLUSTERDOWN).
    maxRedirections: 16,
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    retryDelayOnTryAgain: 100,
  };
  return new Cluster(t.nodes, clusterOptions) as unknown as Redis;
}

/** Whether a client from createRedis talks to a Redis Cluster. */
export function isCluster(client: Redis): boolean {
  return (client as unknown) instanceof Cluster;
}

/**
 * Every key matching a pattern, in batches (SCAN, never KEYS). On a cluster each primary
 * holds its own keys, so each is scanned in turn.
 */
export async function* scanKeys(client: Redis, pattern: string, count = 500): AsyncGenerator<string[]> {
  const nodes = isCluster(client) ? (client as unknown as Cluster).nodes('master') : [client];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      if (keys.length) yield keys;
    } while (cursor !== '0');
  }
}

/**
 * Deletes keys found by scanKeys. One DEL per key: keys of one batch may live in
 * different slots, and a multi-key DEL must not span them.
 */
export async function deleteKeys(client: Redis, pattern: string): Promise<number> {
  let n = 0;
  for await (const keys of scanKeys(client, pattern)) {
    const removed = await Promise.all(keys.map((k) => client.unlink(k)));
    n += removed.reduce((a, b) => a + b, 0);
  }
  return n;
}
