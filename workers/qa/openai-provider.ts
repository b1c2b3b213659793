import OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { Logger } from 'pino';
import type { Language } from '../../protocol/index.js';
import type { AnswerInput, AnswerProvider, AnswerSentence } from './answer-provider.js';
import type { KbProvider } from './kb-provider.js';
import { SentenceSplitter } from './sentence-splitter.js';

export interface OpenAiProviderOptions {
  /** An `openai` client for any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, a Bedrock gateway). */
  client: OpenAI;
  model: string;
  /** Give up on an attempt when no token arrived after this long (ms). */
  firstTokenTimeoutMs?: number;
  /** Give up on an attempt that has not finished after this long (ms). */
  totalTimeoutMs?: number;
  /** Further attempts after a failed one, only while nothing has been spoken. */
  retries?: number;
  /** Spoken instead when the LLM fails: the show never goes silent. */
  fallback: KbProvider;
  /** How many KB items go into the prompt as context. */
  contextHits?: number;
  log: Logger;
  /** Where the two deadlines are scheduled: real timers, or a test's own (so no test depends on machine speed). */
  deadlines?: Deadlines;
}

/** Schedules a deadline; `cancel` once it no longer applies. */
export interface Deadlines {
  after(ms: number, expire: () => void): { cancel(): void };
}

export const realDeadlines: Deadlines = {
  after(ms, expire) {
    const timer = setTimeout(expire, ms);
    return { cancel: () => clearTimeout(timer) };
  },
};

const DEFAULTS = { firstTokenTimeoutMs: 4000, totalTimeoutMs: 20_000, retries: 1, contextHits: 3, deadlines: realDeadlines };

export const LlmErrorCode = {
  firstTokenTimeout: 'llm_first_token_timeout',
  totalTimeout: 'llm_total_timeout',
  empty: 'llm_empty_answer',
  failed: 'llm_failed',
} as const;
export type LlmErrorCode = (typeof LlmErrorCode)[keyof typeof LlmErrorCode];

export class LlmError extends Error {
  constructor(readonly code: LlmErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LlmError';
  }
}

const LANGUAGE_NAMES: Record<Language, string> = {
  'en-US': 'English (American)',
  'en-GB': 'English (British)',
  'zh-CN': 'Simplified Chinese (Mandarin)',
  'fr-FR': 'French',
  'de-DE': 'German',
};

/** Creates a client from the standard OPENAI_* variables; local servers need no key. */
export function createOpenAiClient(env: { baseURL?: string; apiKey?: string }): OpenAI {
  // The SDK's own retries and timeouts are off: this provider times the first token
  // and retries itself, and must know whether anything was already spoken.
  return new OpenAI({ baseURL: env.baseURL, apiKey: env.apiKey || 'not-needed', maxRetries: 0, timeout: 60_000 });
}

/**
 * Answers with an LLM through the `openai` SDK's streaming chat completions, the KB's
 * best items as context. Tokens go through a sentence splitter and each sentence is
 * yielded the moment it is complete.
 *
 * Failure policy: an attempt that fails before its first sentence is retried once,
 * then the KB provider answers. An attempt that fails after sentences were spoken ends
 * the answer there: repeating or re-generating would contradict what is already on air.
 */
export class OpenAiProvider implements AnswerProvider {
  readonly name = 'openai' as const;
  private readonly opts: Required<OpenAiProviderOptions>;

  constructor(options: OpenAiProviderOptions) {
    this.opts = { ...DEFAULTS, ...options };
    for (const key of ['firstTokenTimeoutMs', 'totalTimeoutMs', 'retries', 'contextHits'] as const) {
      const v = this.opts[key];
      if (!Number.isInteger(v) || v < 0) throw new RangeError(`OpenAiProvider: ${key} must be a non-negative integer, got ${v}`);
    }
    if (!this.opts.model) throw new RangeError('OpenAiProvider: model is required');
  }

  async *answer(input: AnswerInput): AsyncIterable<AnswerSentence> {
    const { log } = this.opts;
    // The KB context's index, built (in slices) before the first-token window opens.
    if (this.opts.contextHits > 0) await this.opts.fallback.indexes.ready(input.kb, input.context.language);
    for (let attempt = 0; attempt <= this.opts.retries; attempt++) {
      let spoken = 0;
      try {
        for await (const sentence of this.attempt(input)) {
          spoken++;
          yield sentence;
        }
        return;
      } catch (err) {
        if (input.signal.aborted) return;
        const code = err instanceof LlmError ? err.code : LlmErrorCode.failed;
        log.warn({ room: input.room, questionId: input.questionId, attempt, code, err: errorForLog(err) }, 'LLM answer failed');
        if (spoken > 0) return;
      }
    }
    log.warn({ room: input.room, questionId: input.questionId }, 'LLM unavailable; answering from the knowledge base');
    yield* this.opts.fallback.answer(input);
  }

  /** The messages for one question: persona and rules, KB context, the question. */
  messages(input: AnswerInput): ChatCompletionMessageParam[] {
    const { context } = input;
    const hits = this.opts.contextHits > 0
      ? this.opts.fallback.indexes.get(input.kb, context.language).query(input.question, this.opts.contextHits).filter((h) => h.confidence > 0)
      : [];
    const rules = [
      `Answer in ${LANGUAGE_NAMES[context.language]}.`,
      'You are speaking live on a video stream: answer in a few short spoken sentences,',
      'no lists, no markdown, no links, no emoji.',
      `Keep the whole answer under ${context.maxAnswerChars} characters.`,
      'If the knowledge below does not cover the question and you are not sure, say so briefly.',
    ].join(' ');
    const knowledge = hits.length
      ? `\n\nKnowledge base (most relevant first):\n${hits.map((h) => (h.question ? `- Q: ${h.question}\n  A: ${h.answer}` : `- ${h.answer}`)).join('\n')}`
      : '';
    return [
      { role: 'system', content: `${context.persona.trim()}\n\n${rules}${knowledge}` },
      { role: 'user', content: input.question },
    ];
  }

  private async *attempt(input: AnswerInput): AsyncIterable<AnswerSentence> {
    const controller = new AbortController();
    let timeout = null as LlmError | null;
    const abortWith = (err: LlmError) => () => {
      timeout = err;
      controller.abort();
    };
    const onOuterAbort = (): void => controller.abort();
    input.signal.addEventListener('abort', onOuterAbort, { once: true });
    const { deadlines } = this.opts;
    let firstToken: { cancel(): void } | null = deadlines.after(this.opts.firstTokenTimeoutMs,
      abortWith(new LlmError(LlmErrorCode.firstTokenTimeout, `no token within ${this.opts.firstTokenTimeoutMs} ms`)));
    const total = deadlines.after(this.opts.totalTimeoutMs,
      abortWith(new LlmError(LlmErrorCode.totalTimeout, `answer not finished within ${this.opts.totalTimeoutMs} ms`)));
    // The first line goes to the voice the moment its end is plain (one token sooner: it is
    // what the viewer waits for); later lines wait for the next token so the last one is
    // known as last. A single-line answer ends with the stream (answer.end), not a flag.
    const splitter = new SentenceSplitter({ eager: true });
    let produced = false;
    try {
      const stream = await this.opts.client.chat.completions.create(
        { model: this.opts.model, messages: this.messages(input), stream: true },
        { signal: controller.signal },
      );
      for await (const chunk of stream) {
        const delta = chunk.choices[0]?.delta?.content;
        if (!delta) continue;
        firstToken?.cancel();
        firstToken = null;
        for (const text of splitter.push(delta)) {
          produced = true;
          splitter.eager = false;
          yield { text, last: false, source: 'openai' };
        }
      }
      const rest = splitter.flush();
      if (!produced && rest.length === 0) throw new LlmError(LlmErrorCode.empty, 'the model returned no text');
      for (let i = 0; i < rest.length; i++) yield { text: rest[i]!, last: i === rest.length - 1, source: 'openai' };
    } catch (err) {
      if (timeout) throw timeout;
      if (err instanceof LlmError) throw err;
      throw new LlmError(LlmErrorCode.failed, 'the LLM request failed', { cause: err });
    } finally {
      firstToken?.cancel();
      total.cancel();
      input.signal.removeEventListener('abort', onOuterAbort);
      // Stops the HTTP stream when the consumer leaves early (output check, shutdown).
      controller.abort();
    }
  }
}

/** An error for the logs: its class, code, status and message, never request headers (API keys). */
function errorForLog(err: unknown): Record<string, unknown> {
  const e = err instanceof LlmError && err.cause ? err.cause : err;
  if (e instanceof OpenAI.APIError) return { type: e.constructor.name, status: e.status, message: e.message };
  if (e instanceof Error) return { type: e.name, message: e.message };
  return { message: String(e) };
}
