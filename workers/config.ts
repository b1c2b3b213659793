/**
 * The workers process's settings, read from the environment and checked at start, so
 * bad configuration stops the process with a message naming the variable instead of
 * surfacing at the first question.
 */
import { DEFAULT_MIN_CONFIDENCE } from '../retrieval/index.js';
import { parseRedisUrl } from '../protocol/redis-connection.js';
import { describeModerationConfig, loadModerationConfig, ModerationConfigError, type ModerationConfig } from '../moderation/index.js';

type Env = Readonly<Record<string, string | undefined>>;

/** auto: rooms get the provider they ask for (kb without an LLM); kb: never call an LLM; openai: an LLM is required. */
export type AnswersSetting = 'auto' | 'kb' | 'openai';

export interface LlmConfig {
  /** Undefined: the SDK's default (api.openai.com). */
  baseURL: string | undefined;
  /** A secret: never logged. */
  apiKey: string | undefined;
  model: string;
  firstTokenTimeoutMs: number;
  totalTimeoutMs: number;
}

export interface WorkersConfig {
  redisUrl: string;
  redisPrefix: string;
  answers: AnswersSetting;
  /** Null when no OpenAI-compatible endpoint is configured (or LIVEHOST_ANSWERS=kb). */
  llm: LlmConfig | null;
  kbMinConfidence: number;
  /** The moderation service answer lines also go to (LIVEHOST_MODERATION; moderation/config.ts). */
  moderation: ModerationConfig;
  qaConcurrency: number;
  ttsConcurrency: number;
  /** BullMQ lock of a qa job: a crashed worker's answer is taken over after about this long. */
  jobLockMs: number;
  /** On SIGTERM, how long active jobs may run before they are handed back to the queue. */
  shutdownGraceMs: number;
}

export class WorkersConfigError extends Error {
  readonly code = 'invalid_config';
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'WorkersConfigError';
  }
}

function integer(env: Env, variable: string, fallback: number, min: number, max: number): number {
  const raw = env[variable]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new WorkersConfigError(variable, `must be an integer from ${min} to ${max}`);
  }
  return n;
}

function httpUrl(env: Env, variable: string): string | undefined {
  const raw = env[variable]?.trim();
  if (!raw) return undefined;
  let ok = false;
  try {
    ok = ['http:', 'https:'].includes(new URL(raw).protocol);
  } catch { /* reported below */ }
  if (!ok) throw new WorkersConfigError(variable, 'must be an http(s) URL');
  return raw;
}

export function loadWorkersConfig(env: Env = process.env): WorkersConfig {
  const redisUrl = env.REDIS_URL?.trim() || 'redis://127.0.0.1:6379';
  try {
    parseRedisUrl(redisUrl);
  } catch (err) {
    throw new WorkersConfigError('REDIS_URL', (err as Error).message.replace(/^REDIS_URL:? ?/, ''));
  }

  const redisPrefix = env.LIVEHOST_REDIS_PREFIX?.trim() || 'livehost';
  // Hash tags ({…}) are allowed so Redis Cluster deployments can pin a prefix to one slot.
  if (!/^[a-zA-Z0-9_{}:-]{1,64}$/.test(redisPrefix)) {
    throw new WorkersConfigError('LIVEHOST_REDIS_PREFIX', 'may hold only letters, digits and _{}:- (at most 64)');
  }

  const answers = (env.LIVEHOST_ANSWERS?.trim() || 'auto') as AnswersSetting;
  if (!['auto', 'kb', 'openai'].includes(answers)) {
    throw new WorkersConfigError('LIVEHOST_ANSWERS', 'must be "auto", "kb" or "openai"');
  }

  const baseURL = httpUrl(env, 'OPENAI_BASE_URL');
  const apiKey = env.OPENAI_API_KEY?.trim() || undefined;
  const endpoint = Boolean(baseURL || apiKey);
  if (answers === 'openai' && !endpoint) {
    throw new WorkersConfigError('OPENAI_BASE_URL', 'LIVEHOST_ANSWERS=openai needs OPENAI_BASE_URL (a local server) or OPENAI_API_KEY (OpenAI)');
  }
  const model = env.LIVEHOST_LLM_MODEL?.trim() || 'gpt-4o-mini';
  const firstTokenTimeoutMs = integer(env, 'LIVEHOST_LLM_FIRST_TOKEN_MS', 4000, 100, 120_000);
  const totalTimeoutMs = integer(env, 'LIVEHOST_LLM_TIMEOUT_MS', 20_000, 500, 600_000);
  if (totalTimeoutMs < firstTokenTimeoutMs) {
    throw new WorkersConfigError('LIVEHOST_LLM_TIMEOUT_MS', 'must not be shorter than LIVEHOST_LLM_FIRST_TOKEN_MS');
  }

  // A calibrated probability that the best entry is right (retrieval/scoring.ts); the
  // default is the one measured best on the evaluation set (npm run eval:kb).
  const rawConfidence = env.LIVEHOST_KB_MIN_CONFIDENCE?.trim();
  const kbMinConfidence = rawConfidence ? Number(rawConfidence) : DEFAULT_MIN_CONFIDENCE;
  if (!(kbMinConfidence > 0 && kbMinConfidence <= 1)) {
    throw new WorkersConfigError('LIVEHOST_KB_MIN_CONFIDENCE', 'must be a number in (0, 1]');
  }

  let moderation: ModerationConfig;
  try {
    moderation = loadModerationConfig(env);
  } catch (err) {
    if (err instanceof ModerationConfigError) throw new WorkersConfigError(err.variable, err.problem);
    throw err;
  }

  return {
    redisUrl,
    redisPrefix,
    answers,
    moderation,
    llm: endpoint && answers !== 'kb' ? { baseURL, apiKey, model, firstTokenTimeoutMs, totalTimeoutMs } : null,
    kbMinConfidence,
    qaConcurrency: integer(env, 'LIVEHOST_QA_CONCURRENCY', 4, 1, 256),
    ttsConcurrency: integer(env, 'LIVEHOST_TTS_CONCURRENCY', 2, 1, 256),
    jobLockMs: integer(env, 'LIVEHOST_JOB_LOCK_MS', 5000, 1000, 600_000),
    shutdownGraceMs: integer(env, 'LIVEHOST_SHUTDOWN_GRACE_MS', 2500, 0, 60_000),
  };
}

/** The config as it may be logged: the API key reduced to whether one is set. */
export function describeConfig(config: WorkersConfig): Record<string, unknown> {
  const { llm, redisUrl, moderation, ...rest } = config;
  return {
    ...rest,
    moderation: describeModerationConfig(moderation),
    redisUrl: redisUrl.replace(/\/\/[^@/]*@/, '//***@'),
    llm: llm ? { baseURL: llm.baseURL ?? 'https://api.openai.com/v1', model: llm.model, apiKey: llm.apiKey ? 'set' : 'none', firstTokenTimeoutMs: llm.firstTokenTimeoutMs, totalTimeoutMs: llm.totalTimeoutMs } : null,
  };
}
