import type { Logger } from 'pino';
import type { KnowledgeBase, QaJobData, TtsJobData } from '../../protocol/index.js';
import type { AnswerProvider, AnswerSource } from './answer-provider.js';
import { createOutputCheck, type RejectReason } from './output-check.js';
import { splitSentences } from './sentence-splitter.js';
import { segmentIdFor } from './tts-jobs.js';

export interface RejectedLine {
  index: number;
  reason: RejectReason;
  detail: string;
  text: string;
}

/** A qa job's return value: what was spoken, and what the output check held back. */
export interface QaJobResult {
  questionId: string;
  provider: AnswerProvider['name'];
  /**
   * answered: the provider's answer; fallback: only the fallback line; silent: nothing;
   * cancelled: called off before or while it was made; stale: too old to air when its turn came.
   */
  outcome: 'answered' | 'fallback' | 'silent' | 'cancelled' | 'stale';
  sources: AnswerSource[];
  segments: string[];
  /**
   * The segment that carries final=true, or null when the answer ended early (a
   * rejected tail line, an LLM failure mid-answer): then no spoken line is marked final
   * and this result is the signal that the answer is over.
   */
  finalSegmentId: string | null;
  rejected: RejectedLine[];
}

export interface AnswerQuestionDeps {
  provider: AnswerProvider;
  kb: KnowledgeBase;
  /** Queues one line for a voice; must be idempotent per segmentId. */
  emit: (line: TtsJobData) => Promise<void>;
  signal: AbortSignal;
  log: Logger;
}

export class AnswerAbortedError extends Error {
  readonly code = 'qa_aborted';
  constructor(questionId: string) {
    super(`answer to ${questionId} was interrupted (worker shutting down)`);
    this.name = 'AnswerAbortedError';
  }
}

/**
 * Streams one answer into tts jobs. Each accepted sentence is queued the moment the
 * provider yields it: no sentence waits for the next one, which keeps the first
 * line's latency at the provider's. The last sentence carries final=true; providers
 * know it because their splitter only releases a sentence once more text follows it.
 *
 * The first rejected line ends the answer (what follows it was written in its
 * context). When nothing was spoken at all, the room's fallback line is said instead.
 */
export async function answerQuestion(job: QaJobData, deps: AnswerQuestionDeps): Promise<QaJobResult> {
  const { room, questionId, question, context } = job;
  const log = deps.log.child({ room, questionId, provider: deps.provider.name });
  const check = createOutputCheck(context);
  const result: QaJobResult = {
    questionId, provider: deps.provider.name, outcome: 'silent', sources: [], segments: [], finalSegmentId: null, rejected: [],
  };
  const sources = new Set<AnswerSource>();

  const say = async (text: string, final: boolean, source: AnswerSource): Promise<void> => {
    const index = result.segments.length;
    const segmentId = segmentIdFor(questionId, index);
    await deps.emit({
      room, segmentId, answerId: questionId, questionId, index, final, text,
      language: context.language, voice: context.voice, priority: 'answer',
    });
    result.segments.push(segmentId);
    sources.add(source);
    if (final) result.finalSegmentId = segmentId;
  };

  const reject = (index: number, reason: RejectReason, detail: string, text: string): void => {
    result.rejected.push({ index, reason, detail, text });
    log.warn({ index, reason, detail, text }, 'output check rejected a line; it will not be spoken');
  };

  // Stopping early (rejection) must also stop the provider's generation.
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  deps.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const sentences = deps.provider.answer({ room, questionId, question, context, kb: deps.kb, signal: stop.signal });
    for await (const sentence of sentences) {
      if (deps.signal.aborted) break;
      const verdict = check.check(sentence.text);
      if (!verdict.ok) {
        reject(result.segments.length, verdict.reason, verdict.detail, sentence.text);
        break;
      }
      await say(sentence.text, sentence.last, sentence.source);
      if (sentence.last) break;
    }
  } finally {
    deps.signal.removeEventListener('abort', onAbort);
    stop.abort();
  }
  if (deps.signal.aborted) throw new AnswerAbortedError(questionId);

  if (result.segments.length === 0 && result.rejected.length > 0) {
    const lines = splitSentences(context.fallbackLine);
    const blocked = lines.map((l) => check.checkBlocklist(l)).find((v) => !v.ok);
    if (blocked && !blocked.ok) reject(0, blocked.reason, `fallback line ${blocked.detail}`, context.fallbackLine);
    else for (let i = 0; i < lines.length; i++) await say(lines[i]!, i === lines.length - 1, 'fallback');
  }

  result.sources = [...sources];
  result.outcome = result.sources.some((s) => s !== 'fallback') ? 'answered' : result.segments.length ? 'fallback' : 'silent';
  if (result.segments.length > 0 && !result.finalSegmentId) log.warn({ segments: result.segments.length }, 'answer ended early; no line carries final');
  log.info({ outcome: result.outcome, segments: result.segments.length, rejected: result.rejected.length }, 'answer queued');
  return result;
}
