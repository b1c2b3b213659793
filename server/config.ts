import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { RoomId } from '../protocol/common.js';
import { parseRedisUrl, REDIS_URL_PATTERN } from '../protocol/redis-connection.js';

const Port = Type.Integer({ minimum: 0, maximum: 65535 });

export const ConfigSchema = Type.Object({
  host: Type.String({ minLength: 1 }),
  port: Port,
  redisUrl: Type.String({ pattern: REDIS_URL_PATTERN }),
  redisPrefix: Type.String({ pattern: '^[a-zA-Z0-9_{}:-]+$' }),
  dataDir: Type.String({ minLength: 1 }),
  jwtSecret: Type.String({ minLength: 32 }),
  publishSecret: Type.String({ minLength: 32 }),
  /** RTMP ingest the render hosts publish to (the stream gateway). */
  rtmpUrl: Type.String({ pattern: '^rtmps?://' }),
  /** HTTP-FLV base the viewer page plays from. */
  previewUrl: Type.String({ pattern: '^https?://' }),
  logLevel: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))),
  /** Sustained message rate a WebSocket client may send, and the burst above it. */
  wsRatePerSecond: Type.Integer({ minimum: 1 }),
  wsBurst: Type.Integer({ minimum: 1 }),
  /** How long a disconnected session can be resumed. */
  resumeWindowSeconds: Type.Integer({ minimum: 1 }),
  /** A render host silent for this long is considered lost and its rooms re-placed. */
  hostTimeoutSeconds: Type.Integer({ minimum: 1 }),
  /** Graceful shutdown: how long to let clients drain before closing. */
  drainMs: Type.Integer({ minimum: 0 }),
  /** A room's director lease; another instance takes a dead owner's rooms within about this long. */
  directorLeaseMs: Type.Integer({ minimum: 600, maximum: 60_000 }),
  /** An operator command the render host has not acknowledged after this long is answered `host_timeout`. */
  commandTimeoutMs: Type.Integer({ minimum: 100, maximum: 120_000 }),
  /** A render host whose socket closed gets this long to resume before its rooms move. */
  hostGraceMs: Type.Integer({ minimum: 0, maximum: 120_000 }),
  /** CloudWatch namespace for fleet metrics; empty: Prometheus only. */
  cloudwatchNamespace: Type.String({ pattern: '^$|^(?!AWS/)[^:][\\x20-\\x7e]{0,254}$' }),
  /** The AWS guidance's API (server/compat/aws-guidance/): off unless enabled. */
  compatAwsGuidance: Type.Boolean(),
  /** Where its routes live: `/…/` (the original's stage, `prod/`, kept as the last part). */
  compatAwsGuidancePrefix: Type.String({ pattern: '^/(?:[A-Za-z0-9._-]+/)*$', maxLength: 200 }),
  /** vr_module id → room, from `0001=demo,0002=mall`. */
  compatAwsGuidanceModules: Type.Record(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }), RoomId, { additionalProperties: false }),
  /** Origins its CORS answers allow (`*`: any); empty: no CORS headers. */
  compatAwsGuidanceCorsOrigins: Type.Array(Type.String({ pattern: '^\\*$|^https?://[^/\\s]+$' }), { maxItems: 50 }),
  /** Base of the URLs it hands out (audio, pictures, uploads); empty: the request's own host. */
  compatAwsGuidancePublicUrl: Type.String({ pattern: '^$|^https?://[^\\s]+[^/\\s]$' }),
}, { additionalProperties: false });
export type Config = Static<typeof ConfigSchema>;

/** Env variable behind each setting, so an error names what the user has to fix. */
const ENV: Record<keyof Config, string> = {
  host: 'HOST', port: 'PORT', redisUrl: 'REDIS_URL',
  redisPrefix: 'LIVEHOST_REDIS_PREFIX', dataDir: 'LIVEHOST_DATA_DIR', jwtSecret: 'LIVEHOST_JWT_SECRET',
  publishSecret: 'LIVEHOST_PUBLISH_SECRET', rtmpUrl: 'LIVEHOST_RTMP_URL', previewUrl: 'LIVEHOST_PREVIEW_URL',
  logLevel: 'LOG_LEVEL', wsRatePerSecond: 'LIVEHOST_WS_RATE', wsBurst: 'LIVEHOST_WS_BURST',
  resumeWindowSeconds: 'LIVEHOST_RESUME_WINDOW_S', hostTimeoutSeconds: 'LIVEHOST_HOST_TIMEOUT_S',
  drainMs: 'LIVEHOST_DRAIN_MS', cloudwatchNamespace: 'LIVEHOST_CLOUDWATCH_NAMESPACE',
  directorLeaseMs: 'LIVEHOST_DIRECTOR_LEASE_MS', commandTimeoutMs: 'LIVEHOST_COMMAND_TIMEOUT_MS', hostGraceMs: 'LIVEHOST_HOST_GRACE_MS',
  compatAwsGuidance: 'LIVEHOST_COMPAT_AWS_GUIDANCE', compatAwsGuidancePrefix: 'LIVEHOST_COMPAT_AWS_GUIDANCE_PREFIX',
  compatAwsGuidanceModules: 'LIVEHOST_COMPAT_AWS_GUIDANCE_MODULES', compatAwsGuidanceCorsOrigins: 'LIVEHOST_COMPAT_AWS_GUIDANCE_CORS_ORIGINS',
  compatAwsGuidancePublicUrl: 'LIVEHOST_COMPAT_AWS_GUIDANCE_PUBLIC_URL',
};
const NUMERIC = new Set<keyof Config>([
  'port', 'wsRatePerSecond', 'wsBurst', 'resumeWindowSeconds', 'hostTimeoutSeconds', 'drainMs', 'directorLeaseMs', 'commandTimeoutMs', 'hostGraceMs',
]);

/** Settings that are not plain strings or integers in the environment: how each is read. */
const PARSED: Partial<Record<keyof Config, (value: string) => unknown>> = {
  compatAwsGuidance: (v) => ({ true: true, 1: true, on: true, false: false, 0: false, off: false } as Record<string, boolean>)[v.trim().toLowerCase()] ?? v,
  // `0001=demo,0002=mall`: a value that does not split this way is kept whole, so the schema names it.
  compatAwsGuidanceModules: (v) => Object.fromEntries(v.split(',').map((pair) => pair.trim()).filter(Boolean).map((pair) => {
    const at = pair.indexOf('=');
    return at < 0 ? [pair, ''] : [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
  })),
  compatAwsGuidanceCorsOrigins: (v) => v.split(',').map((o) => o.trim()).filter(Boolean),
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads the environment; every problem is reported at once, naming its variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const port = Number(env.PORT ?? 8080);
  const defaults: Config = {
    host: '127.0.0.1',
    port,
    redisUrl: 'redis://127.0.0.1:6379',
    redisPrefix: 'livehost',
    dataDir: './data',
    jwtSecret: '',
    publishSecret: '',
    rtmpUrl: 'rtmp://127.0.0.1:1935/live',
    previewUrl: 'http://127.0.0.1:8000/live',
    logLevel: 'info',
    wsRatePerSecond: 50,
    wsBurst: 100,
    resumeWindowSeconds: 60,
    hostTimeoutSeconds: 15,
    drainMs: 1500,
    cloudwatchNamespace: '',
    directorLeaseMs: 3000,
    // Above the render host's own 10 s command timeout (a panel image that is slow to load).
    commandTimeoutMs: 12_000,
    hostGraceMs: 3000,
    compatAwsGuidance: false,
    compatAwsGuidancePrefix: '/compat/aws-guidance/prod/',
    compatAwsGuidanceModules: {},
    compatAwsGuidanceCorsOrigins: [],
    compatAwsGuidancePublicUrl: '',
  };
  const problems: string[] = [];
  const raw: Record<string, unknown> = { ...defaults };
  for (const [key, name] of Object.entries(ENV) as [keyof Config, string][]) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    if (PARSED[key]) {
      raw[key] = PARSED[key](value);
    } else if (NUMERIC.has(key)) {
      const n = Number(value);
      if (!Number.isInteger(n)) problems.push(`${name} must be an integer, got "${value}"`);
      raw[key] = n;
    } else {
      raw[key] = value;
    }
  }
  Object.assign(raw, overrides);
  for (const error of Value.Errors(ConfigSchema, raw)) {
    const key = error.path.replace(/^\//, '').split('/')[0] as keyof Config;
    const secret = key === 'jwtSecret' || key === 'publishSecret';
    // Secrets are never echoed back, even when wrong (nor a Redis URL, which may hold a password).
    const detail = secret ? 'must be at least 32 characters (a random secret)'
      : key === 'redisUrl' ? 'must start with redis://, rediss://, redis+sentinel:// or redis+cluster://'
        : `${error.message} (got ${JSON.stringify(error.value)})`;
    if (!problems.some((p) => p.startsWith(ENV[key] ?? key))) problems.push(`${ENV[key] ?? key} is invalid: ${detail}`);
  }
  if (raw.compatAwsGuidance === true && Object.keys(raw.compatAwsGuidanceModules as object).length === 0) {
    problems.push(`${ENV.compatAwsGuidanceModules} must map at least one vr_module to a room (e.g. 0001=demo) when ${ENV.compatAwsGuidance} is on`);
  }
  if (typeof raw.redisUrl === 'string' && !problems.some((p) => p.startsWith(ENV.redisUrl))) {
    try {
      parseRedisUrl(raw.redisUrl);
    } catch (err) {
      // The message names REDIS_URL and never repeats its password.
      problems.push((err as Error).message);
    }
  }
  if (problems.length) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  return raw as Config;
}
