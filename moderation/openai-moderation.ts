import OpenAI from 'openai';
import type { OutputVerdict } from '../protocol/index.js';
import { spokenText } from '../protocol/index.js';
import type { ModerationProvider } from './provider.js';

export interface OpenAiModerationOptions {
  /** An `openai` client for an OpenAI-compatible endpoint that serves `/moderations`. */
  client: OpenAI;
  /** Default `omni-moderation-latest`. */
  model?: string;
  /** A verdict not back after this long is a flag (the policy in provider.ts). Default 2000 ms. */
  timeoutMs?: number;
}

export const DEFAULT_MODERATION_MODEL = 'omni-moderation-latest';
export const DEFAULT_MODERATION_TIMEOUT_MS = 2000;

/**
 * Moderation through `client.moderations.create` (OpenAI's free moderation endpoint, or
 * any server speaking its wire format). What is judged is what the voice will say
 * (`spokenText`). The endpoint's own `flagged` decides; the categories it set go into the
 * detail. Failures and timeouts become flags with the reason (never the request's headers).
 */
export class OpenAiModeration implements ModerationProvider {
  readonly name = 'openai' as const;
  private readonly model: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: OpenAiModerationOptions) {
    this.model = options.model ?? DEFAULT_MODERATION_MODEL;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_MODERATION_TIMEOUT_MS;
    if (!this.model) throw new RangeError('OpenAiModeration: model must not be empty');
    if (!Number.isInteger(this.timeoutMs) || this.timeoutMs < 1) {
      throw new RangeError(`OpenAiModeration: timeoutMs must be a positive integer, got ${this.timeoutMs}`);
    }
  }

  async moderate(text: string, signal?: AbortSignal): Promise<OutputVerdict> {
    const input = spokenText(text);
    if (!input) return { ok: true };
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const response = await this.options.client.moderations.create(
        { model: this.model, input },
        { signal: combined, maxRetries: 0, timeout: this.timeoutMs },
      );
      const result = response?.results?.[0];
      if (!result || typeof result.flagged !== 'boolean') return unavailable('the endpoint answered without a result');
      if (!result.flagged) return { ok: true };
      const categories = Object.entries(result.categories ?? {}).filter(([, on]) => on === true).map(([name]) => name);
      return { ok: false, reason: 'moderation', action: 'reject', detail: `flagged by ${this.model}: ${categories.join(', ') || 'no category given'}` };
    } catch (err) {
      if (timeout.aborted) return unavailable(`no verdict within ${this.timeoutMs} ms`);
      if (signal?.aborted) return unavailable('the answer was stopped');
      return unavailable(describeError(err));
    }
  }
}

function unavailable(why: string): OutputVerdict {
  return { ok: false, reason: 'moderation', action: 'flag', detail: `moderation unavailable (${why}); the line needs a person` };
}

/** Status and error code only: an endpoint's message may quote the API key back. */
function describeError(err: unknown): string {
  if (err instanceof OpenAI.APIError && err.status !== undefined) {
    const code = typeof err.code === 'string' ? ` ${err.code}` : '';
    return `HTTP ${err.status}${code}`;
  }
  if (err instanceof OpenAI.APIConnectionError) return 'connection failed';
  return err instanceof Error ? err.name : 'unknown error';
}
