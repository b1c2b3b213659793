import { GatewayError } from './errors.js';
import { parseRedisUrl } from '../protocol/redis-connection.js';
import type { GatewayOptions } from './gateway.js';

/** The listener settings are the gateway's own options; the rest feeds distribution and logging. */
export interface GatewayConfig extends Required<Pick<GatewayOptions,
  'host' | 'rtmpPort' | 'httpPort' | 'publishSecret' | 'playAuth' | 'redisUrl' | 'redisPrefix' | 'dataDir' | 'publishGraceMs'>> {
  logLevel: string;
  /** Record every show for on-demand (`<dataDir>/recordings`). */
  recording: boolean;
  /** How long the slate holds a show after its publisher is gone (ms). */
  slateHoldMs: number;
  /** No live video for this long and the program switches to the slate (ms). */
  stallMs: number;
  /** Still image for the slate; empty: the default card. */
  slateImage: string;
  /** CloudWatch namespace for PutMetricData; empty: CloudWatch off (Prometheus /metrics only). */
  cloudwatchNamespace: string;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const TRUE = ['1', 'true', 'on', 'yes'];
const FALSE = ['0', 'false', 'off', 'no'];

/** Reads the gateway's environment; every problem is reported at once, naming its variable. */
export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const problems: string[] = [];
  const text = (name: string, fallback: string) => {
    const v = env[name];
    return v === undefined || v === '' ? fallback : v;
  };
  const integer = (name: string, fallback: number, min: number, max: number) => {
    const raw = text(name, String(fallback));
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
    return n;
  };
  const flag = (name: string, fallback: boolean) => {
    const raw = text(name, String(fallback)).toLowerCase();
    if (TRUE.includes(raw)) return true;
    if (!FALSE.includes(raw)) problems.push(`${name} must be one of ${[...TRUE, ...FALSE].join('/')}, got "${raw}"`);
    return false;
  };

  const config: GatewayConfig = {
    host: text('LIVEHOST_GATEWAY_HOST', '0.0.0.0'),
    rtmpPort: integer('LIVEHOST_RTMP_PORT', 1935, 1, 65535),
    httpPort: integer('LIVEHOST_GATEWAY_HTTP_PORT', 8000, 1, 65535),
    publishSecret: text('LIVEHOST_PUBLISH_SECRET', ''),
    playAuth: flag('LIVEHOST_PLAY_AUTH', false),
    redisUrl: text('REDIS_URL', 'redis://127.0.0.1:6379'),
    redisPrefix: text('LIVEHOST_REDIS_PREFIX', 'livehost'),
    dataDir: text('LIVEHOST_DATA_DIR', './data'),
    publishGraceMs: integer('LIVEHOST_PUBLISH_GRACE_MS', 3000, 0, 600_000),
    logLevel: text('LOG_LEVEL', 'info'),
    recording: flag('LIVEHOST_RECORDING', true),
    slateHoldMs: integer('LIVEHOST_SLATE_HOLD_MS', 300_000, 0, 86_400_000),
    stallMs: integer('LIVEHOST_PROGRAM_STALL_MS', 500, 100, 60_000),
    slateImage: text('LIVEHOST_SLATE_IMAGE', ''),
    cloudwatchNamespace: text('LIVEHOST_CLOUDWATCH_NAMESPACE', ''),
  };
  if (config.cloudwatchNamespace && (!/^[^:][\x20-\x7e]{0,254}$/.test(config.cloudwatchNamespace) || config.cloudwatchNamespace.startsWith('AWS/'))) {
    problems.push('LIVEHOST_CLOUDWATCH_NAMESPACE must be 1-255 printable ASCII characters, not starting with ":" or "AWS/"');
  }
  // Same floor as the server, which signs the keys with this secret.
  if (config.publishSecret.length < 32) problems.push('LIVEHOST_PUBLISH_SECRET is required: at least 32 characters, shared with the server');
  try {
    parseRedisUrl(config.redisUrl);
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (!/^[a-zA-Z0-9_{}:-]+$/.test(config.redisPrefix)) problems.push('LIVEHOST_REDIS_PREFIX may hold only letters, digits and _ - : { }');
  if (config.rtmpPort === config.httpPort && problems.length === 0) problems.push('LIVEHOST_RTMP_PORT and LIVEHOST_GATEWAY_HTTP_PORT must differ');
  if (!LOG_LEVELS.includes(config.logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  if (problems.length) throw new GatewayError('config', `invalid stream gateway configuration:\n  ${problems.join('\n  ')}`);
  return config;
}
