import { ConfigError } from './errors.js';
import type { Resolution, VideoCodec } from './encoder/encoder-settings.js';

export interface BridgeConfig {
  serverUrl: string;
  hostToken: string;
  capacity: number;
  renderer: 'reference' | 'external';
  resolution: Resolution;
  keyframeSeconds: 1 | 2;
  encoder: 'auto' | VideoCodec;
  externalRendererPort: number;
  /** A standby host keeps its capacity for failover: rooms come to it only when their host is lost. */
  standby: boolean;
}

type Env = Record<string, string | undefined>;

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const v = env[name]?.trim();
  if (!v) return fallback;
  if (!(allowed as readonly string[]).includes(v)) throw new ConfigError(name, `must be one of ${allowed.join(', ')}`);
  return v as T;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const v = env[name]?.trim();
  if (!v) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(name, `must be an integer in ${min}..${max}`);
  return n;
}

/** Reads and checks the bridge's environment once, at start; errors name the variable. */
export function loadConfig(env: Env = process.env): BridgeConfig {
  const serverUrl = env.LIVEHOST_SERVER_URL?.trim() || 'ws://127.0.0.1:8080';
  if (!/^wss?:\/\/[^/]+/.test(serverUrl)) throw new ConfigError('LIVEHOST_SERVER_URL', 'must be a ws:// or wss:// URL');
  const hostToken = env.LIVEHOST_HOST_TOKEN?.trim();
  if (!hostToken) throw new ConfigError('LIVEHOST_HOST_TOKEN', 'is required (a render-host token issued by the server)');
  return {
    serverUrl,
    hostToken,
    capacity: int(env, 'LIVEHOST_HOST_CAPACITY', 2, 0, 64),
    renderer: oneOf(env, 'LIVEHOST_RENDERER', ['reference', 'external'] as const, 'reference'),
    resolution: oneOf(env, 'LIVEHOST_RESOLUTION', ['720p', '1080p'] as const, '720p'),
    keyframeSeconds: Number(oneOf(env, 'LIVEHOST_KEYFRAME_SECONDS', ['2', '1'] as const, '2')) as 1 | 2,
    encoder: oneOf(env, 'LIVEHOST_ENCODER', ['auto', 'libx264', 'h264_nvenc'] as const, 'auto'),
    externalRendererPort: int(env, 'LIVEHOST_EXTERNAL_RENDERER_PORT', 7070, 1, 65535),
    standby: oneOf(env, 'LIVEHOST_HOST_STANDBY', ['false', 'true'] as const, 'false') === 'true',
  };
}
