/**
 * Redis going away, as every part sees it (server, workers, gateway). Node-only helpers,
 * not re-exported from protocol/index.ts.
 *
 * - `isRedisOutage`: whether an error means "Redis is unreachable right now" (so clients are
 *   told `unavailable` and retry, instead of `internal`).
 * - `watchRedis`: one structured log line per change of a connection's state — lost (warn,
 *   with why), back (info, with how long it was down) — instead of ioredis's error event on
 *   every reconnect attempt, or its unhandled-error stack when nobody listens.
 * - `outageQuiet`: an `error` listener for BullMQ queues and workers, which re-emit their
 *   connection's errors once per retry: an outage is already reported by the watcher, so
 *   only other errors are logged.
 */

export interface OutageLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Socket errors of a connection that went away (or never came). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED']);
/** Replies of a Redis that is up but cannot serve (loading its AOF, a failover in progress). */
const UNSERVING_REPLY = /^(LOADING|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|READONLY)\b/;
const IOREDIS_GONE = [
  'Connection is closed.',
  "Stream isn't writeable and enableOfflineQueue options is false",
  "Cluster isn't ready and enableOfflineQueue options is false",
  'None of startup nodes is available',
];

export function isRedisOutage(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 4) return false;
  const e = err as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (e.name === 'MaxRetriesPerRequestError') return true;
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  if (IOREDIS_GONE.some((m) => message.startsWith(m)) || UNSERVING_REPLY.test(message)) return true;
  // BullMQ and AggregateError wrap the connection's error.
  if (Array.isArray(e.errors) && e.errors.some((x) => isRedisOutage(x, depth + 1))) return true;
  return isRedisOutage(e.cause, depth + 1);
}

/** What a log line may say about an error: its code or message, never a stack. */
export function errorSummary(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown } | null | undefined;
  if (typeof e?.code === 'string' && NETWORK_CODES.has(e.code)) return e.code;
  return typeof e?.message === 'string' ? e.message.slice(0, 200) : String(err).slice(0, 200);
}

interface RedisEvents {
  on(event: 'error', listener: (err: Error) => void): unknown;
  on(event: 'ready' | 'reconnecting', listener: () => void): unknown;
}

export type RedisConnectionState = 'connecting' | 'ready' | 'down';

/**
 * Logs a connection's state changes, once each: connecting → ready (silent), ready →
 * down (warn: "redis connection lost", with the reason), down → ready (info: "redis
 * connection restored", with the outage's length). Also the connection's `error`
 * listener, so ioredis never prints an unhandled error of its own.
 */
export function watchRedis(client: RedisEvents, name: string, log: OutageLog, now: () => number = Date.now): { state(): RedisConnectionState } {
  let state: RedisConnectionState = 'connecting';
  let lastError = '';
  let downSince = 0;
  const down = (reason: string) => {
    if (state === 'down') return;
    const first = state === 'connecting';
    state = 'down';
    downSince = now();
    log.warn({ redis: name, reason }, first ? 'redis unreachable; retrying' : 'redis connection lost; retrying');
  };
  client.on('error', (err) => {
    lastError = errorSummary(err);
    down(lastError);
  });
  // 'close' alone is also a quit(); only a connection that retries was lost.
  client.on('reconnecting', () => down(lastError || 'connection closed'));
  client.on('ready', () => {
    if (state === 'down') log.info({ redis: name, downMs: now() - downSince }, 'redis connection restored');
    state = 'ready';
    lastError = '';
  });
  return { state: () => state };
}

/**
 * Resolves once a connection is ready, connecting it when it is lazy. Subscribe only after
 * this: a SUBSCRIBE that ioredis sends while it still runs its ready check (status
 * "connect", INFO in flight) turns the connection into a subscriber under the check, which
 * then fails ("only subscriber commands may be used"); the client reconnects and the
 * subscription is gone, silently. Under load that window is wide enough to hit.
 */
export async function whenReady(client: { status: string; connect(): Promise<void>; once(event: 'ready' | 'end', listener: () => void): unknown }): Promise<void> {
  if (client.status === 'ready') return;
  if (client.status === 'wait') return client.connect();
  await new Promise<void>((resolve, reject) => {
    client.once('ready', resolve);
    client.once('end', () => reject(new Error('the redis connection ended before it was ready')));
  });
}

/**
 * The one way to subscribe: once the connection is ready (whenReady; redis/ioredis#2037),
 * to plain channels or, with `shard`, to shard channels.
 */
export async function subscribeWhenReady(
  client: Parameters<typeof whenReady>[0] & { subscribe(...channels: string[]): Promise<unknown>; ssubscribe(...channels: string[]): Promise<unknown> },
  channels: string[],
  opts: { shard?: boolean } = {},
): Promise<void> {
  await whenReady(client);
  await (opts.shard ? client.ssubscribe(...channels) : client.subscribe(...channels));
}

/** An `error` listener for BullMQ queues and workers: outages are left to watchRedis. */
export function outageQuiet(log: OutageLog, what: string): (err: Error) => void {
  return (err) => {
    if (!isRedisOutage(err)) log.error({ err }, `${what} error`);
  };
}
