/**
 * Retries an AWS call that was throttled. IVS allows few requests per second per account
 * (PutMetadata: 5 TPS per channel; CreateChannel/GetStreamKey: a handful), so a burst of
 * operators adding destinations, or a chatty show, meets ThrottlingException; backing off
 * with jitter is what AWS asks for. Anything else fails at once: a validation or access
 * error will not get better by asking again.
 */
export interface RetryOptions {
  attempts?: number;
  baseMs?: number;
  maxMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const THROTTLE_NAMES = new Set(['ThrottlingException', 'TooManyRequestsException', 'Throttling', 'RequestLimitExceeded', 'LimitExceededException', 'ServiceQuotaExceededException']);

export function isThrottle(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { name?: string; $retryable?: { throttling?: boolean }; $metadata?: { httpStatusCode?: number } };
  // Quota exceeded (a hard limit) is not worth retrying; only rate limits are.
  if (e.name === 'ServiceQuotaExceededException') return false;
  return Boolean(e.$retryable?.throttling) || THROTTLE_NAMES.has(e.name ?? '') || e.$metadata?.httpStatusCode === 429;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function retryThrottled<T>(call: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const { attempts = 4, baseMs = 200, maxMs = 3000, sleep = realSleep } = options;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (err) {
      if (attempt >= attempts || !isThrottle(err)) throw err;
      // Full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter").
      const cap = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
      await sleep(Math.round(cap / 2 + Math.random() * cap / 2));
    }
  }
}
