/**
 * Calling AWS politely, for every part that does (server provisioning, gateway metadata and
 * metrics). Node-only helpers, not re-exported from protocol/index.ts.
 *
 * Retries a throttled call with exponential backoff and full jitter (AWS Architecture Blog,
 * "Exponential Backoff and Jitter"). IVS allows few requests per second (PutMetadata: 5 per
 * channel; CreateChannel/GetStreamKey: a handful) and CloudWatch PutMetricData is limited per
 * account. Anything else fails at once: a validation or access error will not get better by
 * asking again, and neither will a hard quota.
 */
export interface RetryOptions {
  attempts?: number;
  baseMs?: number;
  maxMs?: number;
  /** No retry waits less than this (ms): keeps a retried call inside a per-second rate. */
  minMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const THROTTLES = new Set(['ThrottlingException', 'TooManyRequestsException', 'Throttling', 'RequestLimitExceeded', 'LimitExceededException']);

export function isThrottle(err: unknown): boolean {
  const e = err as { name?: string; $retryable?: { throttling?: boolean }; $metadata?: { httpStatusCode?: number } } | undefined;
  if (!e || e.name === 'ServiceQuotaExceededException') return false;
  return Boolean(e.$retryable?.throttling) || THROTTLES.has(e.name ?? '') || e.$metadata?.httpStatusCode === 429;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function retryThrottled<T>(call: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const { attempts = 4, baseMs = 200, maxMs = 3000, minMs = 0, sleep = realSleep } = options;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (err) {
      if (attempt >= attempts || !isThrottle(err)) throw err;
      const cap = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
      await sleep(Math.max(minMs, Math.round(cap / 2 + (Math.random() * cap) / 2)));
    }
  }
}

/** An AWS error as text that is safe to log: its name and HTTP status, never the request. */
export function describeAwsError(err: unknown): string {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return `${e?.name ?? 'Error'}${e?.$metadata?.httpStatusCode ? ` (HTTP ${e.$metadata.httpStatusCode})` : ''}`;
}

/** `arn:aws:ivs:us-west-2:123456789012:channel/AbCd` → `us-west-2`: calls go to the resource's own region. */
export function arnRegion(arn: string): string | null {
  return /^arn:aws[a-z-]*:[a-z0-9-]+:([a-z0-9-]+):/.exec(arn)?.[1] ?? null;
}
