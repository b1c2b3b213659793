import OpenAI from 'openai';
import { DEFAULT_MODERATION_MODEL, DEFAULT_MODERATION_TIMEOUT_MS, OpenAiModeration } from './openai-moderation.js';
import { noModeration, type ModerationProvider } from './provider.js';

/**
 * The moderation provider's settings, read from the environment by every process that
 * moderates (workers now; the server when it moderates viewer text through a service):
 *
 * - `LIVEHOST_MODERATION`: `none` (default) or `openai`;
 * - `LIVEHOST_MODERATION_BASE_URL` / `LIVEHOST_MODERATION_API_KEY`: the endpoint, when it is
 *   not the answers' one (a local LLM server rarely serves `/moderations`); default
 *   `OPENAI_BASE_URL` / `OPENAI_API_KEY`;
 * - `LIVEHOST_MODERATION_MODEL` (default `omni-moderation-latest`);
 * - `LIVEHOST_MODERATION_TIMEOUT_MS` (default 2000): after it, the line is flagged.
 */
export type ModerationConfig =
  | { provider: 'none' }
  | {
    provider: 'openai';
    /** Undefined: the SDK's default (api.openai.com). */
    baseURL: string | undefined;
    /** A secret: never logged. */
    apiKey: string | undefined;
    model: string;
    timeoutMs: number;
  };

export class ModerationConfigError extends Error {
  readonly code = 'invalid_config';
  constructor(readonly variable: string, readonly problem: string) {
    super(`${variable}: ${problem}`);
    this.name = 'ModerationConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function url(env: Env, variable: string): string | undefined {
  const raw = env[variable]?.trim();
  if (!raw) return undefined;
  let ok = false;
  try {
    ok = ['http:', 'https:'].includes(new URL(raw).protocol);
  } catch { /* reported below */ }
  if (!ok) throw new ModerationConfigError(variable, 'must be an http(s) URL');
  return raw;
}

export function loadModerationConfig(env: Env): ModerationConfig {
  const provider = env.LIVEHOST_MODERATION?.trim() || 'none';
  if (provider !== 'none' && provider !== 'openai') throw new ModerationConfigError('LIVEHOST_MODERATION', 'must be "none" or "openai"');
  if (provider === 'none') return { provider };
  const baseURL = url(env, 'LIVEHOST_MODERATION_BASE_URL') ?? url(env, 'OPENAI_BASE_URL');
  const apiKey = env.LIVEHOST_MODERATION_API_KEY?.trim() || env.OPENAI_API_KEY?.trim() || undefined;
  if (!baseURL && !apiKey) {
    throw new ModerationConfigError('LIVEHOST_MODERATION', 'openai needs LIVEHOST_MODERATION_BASE_URL or OPENAI_BASE_URL (a local server), or LIVEHOST_MODERATION_API_KEY or OPENAI_API_KEY (OpenAI)');
  }
  const model = env.LIVEHOST_MODERATION_MODEL?.trim() || DEFAULT_MODERATION_MODEL;
  const rawTimeout = env.LIVEHOST_MODERATION_TIMEOUT_MS?.trim();
  const timeoutMs = rawTimeout ? Number(rawTimeout) : DEFAULT_MODERATION_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 50 || timeoutMs > 30_000) {
    throw new ModerationConfigError('LIVEHOST_MODERATION_TIMEOUT_MS', 'must be an integer from 50 to 30000');
  }
  return { provider, baseURL, apiKey, model, timeoutMs };
}

/** The config as it may be logged: the API key reduced to whether one is set. */
export function describeModerationConfig(config: ModerationConfig): Record<string, unknown> {
  if (config.provider === 'none') return { provider: 'none' };
  return { provider: 'openai', baseURL: config.baseURL ?? 'https://api.openai.com/v1', model: config.model, timeoutMs: config.timeoutMs, apiKey: config.apiKey ? 'set' : 'none' };
}

export function createModerationProvider(config: ModerationConfig): ModerationProvider {
  if (config.provider === 'none') return noModeration;
  // The provider times each call itself and a retry would outlive its timeout: SDK retries off.
  const client = new OpenAI({ baseURL: config.baseURL, apiKey: config.apiKey || 'not-needed', maxRetries: 0, timeout: config.timeoutMs });
  return new OpenAiModeration({ client, model: config.model, timeoutMs: config.timeoutMs });
}
