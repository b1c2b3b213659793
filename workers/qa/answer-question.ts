import type { Logger } from 'pino';
import type { KnowledgeBase, LineTiming, ModerationAction, OutputReason, QaJobData, TtsJobData } from '../../protocol/index.js';
import { createOutputCheck, noModeration, type ModerationProvider } from '../../moderation/index.js';
import type { AnswerProvider, AnswerSource } from './answer-provider.js';
import { splitSentences } from './sentence-splitter.js';
import { segmentIdFor } from './tts-jobs.js';

/** A line the output check held back (`rejected`) or flagged and kept (`flags`). */
export interface RejectedLine {
  index: number;
  reason: OutputReason;
  action: ModerationAction;
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
  /** Lines that did not go on: a reject, or a flag while flags count as rejects (`auto`). The first one ended the answer. */
  rejected: RejectedLine[];
  /** Lines flagged for a person and kept (`flagged: 'keep'`): a review mode holds the answer until an operator decides. */
  flags: RejectedLine[];
  /** The knowledge-base entries the answer rests on (for an operator reviewing it). */
  basis: Array<{ source: AnswerSource; text: string | null; confidence: number | null }>;
}

export interface AnswerQuestionDeps {
  provider: AnswerProvider;
  kb: KnowledgeBase;
  /** Queues one line for a voice; must be idempotent per segmentId. */
  emit: (line: TtsJobData) => Promise<void>;
  signal: AbortSignal;
  log: Logger;
  /** The moderation service each line also goes to (default: none). */
  moderation?: ModerationProvider;
  /**
   * What a `flag` verdict does: `reject` (auto: the line ends the answer like a reject) or
   * `keep` (a review mode whose `emit` drafts rather than airs: the line goes on and is
   * listed in `flags` for the operator). Default `reject`.
   */
  flagged?: 'reject' | 'keep';
  /** Told of every held-back or flagged line as it happens (the room's rejection log); must not throw. */
  record?: (line: RejectedLine) => Promise<void>;
  /** The answer's stamps so far (asked, queued, taken): each line carries them on, with when its sentence came. */
  timing?: LineTiming;
  /** Wall clock for the stamps (tests). */
  now?: () => number;
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
 * Every line goes through the output check (moderation/output-check.ts) and the room's
 * moderation provider. The first rejected line ends the answer (what follows it was written in its
 * context). When nothing was spoken at all, the room's fallback line is said instead.
 */
export async function answerQuestion(job: QaJobData, deps: AnswerQuestionDeps): Promise<QaJobResult> {
  const { room, questionId, question, context } = job;
  const log = deps.log.child({ room, questionId, provider: deps.provider.name });
  const check = createOutputCheck(context, { kb: deps.kb, moderation: deps.moderation ?? noModeration });
  const keepFlagged = deps.flagged === 'keep';
  const result: QaJobResult = {
    questionId, provider: deps.provider.name, outcome: 'silent', sources: [], segments: [], finalSegmentId: null, rejected: [], flags: [], basis: [],
  };
  const sources = new Set<AnswerSource>();

  const now = deps.now ?? Date.now;
  const say = async (text: string, final: boolean, source: AnswerSource, sentenceAt = now()): Promise<void> => {
    const index = result.segments.length;
    const segmentId = segmentIdFor(questionId, index);
    await deps.emit({
      room, segmentId, answerId: questionId, questionId, index, final, text,
      language: context.language, voice: context.voice, priority: 'answer',
      ...(deps.timing ? { timing: { ...deps.timing, sentenceAt, index } } : {}),
    });
    result.segments.push(segmentId);
    sources.add(source);
    if (final) result.finalSegmentId = segmentId;
  };

  const hold = async (line: RejectedLine, kept: boolean): Promise<void> => {
    (kept ? result.flags : result.rejected).push(line);
    if (kept) log.info({ ...line }, 'output check flagged a line for review');
    else log.warn({ ...line }, 'output check held back a line; it will not be spoken');
    await deps.record?.(line);
  };

  // Stopping early (rejection) must also stop the provider's generation.
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  deps.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const sentences = deps.provider.answer({ room, questionId, question, context, kb: deps.kb, signal: stop.signal });
    // The room credits the askers first ("Ana and 3 others asked…"), checked like any line.
    // Its count is ours, not a claim: the price rule is skipped for it.
    if (context.credit && (await check.check(context.credit, { signal: stop.signal, kbNumbers: false })).ok) await say(context.credit, false, 'kb');
    for await (const sentence of sentences) {
      const sentenceAt = now();
      if (deps.signal.aborted) break;
      if (sentence.basis && !result.basis.some((b) => b.text === sentence.basis!.text)) result.basis.push({ source: sentence.source, ...sentence.basis });
      const verdict = await check.check(sentence.text, { signal: stop.signal });
      if (deps.signal.aborted) break;
      if (!verdict.ok) {
        const kept = verdict.action === 'flag' && keepFlagged;
        await hold({ index: result.segments.length, reason: verdict.reason, action: verdict.action, detail: verdict.detail, text: sentence.text }, kept);
        if (!kept) break;
      }
      await say(sentence.text, sentence.last, sentence.source, sentenceAt);
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
    if (blocked && !blocked.ok) {
      await hold({ index: 0, reason: blocked.reason, action: blocked.action, detail: `fallback line ${blocked.detail}`, text: context.fallbackLine }, false);
    } else for (let i = 0; i < lines.length; i++) await say(lines[i]!, i === lines.length - 1, 'fallback');
  }

  result.sources = [...sources];
  result.outcome = result.sources.some((s) => s !== 'fallback') ? 'answered' : result.segments.length ? 'fallback' : 'silent';
  if (result.segments.length > 0 && !result.finalSegmentId) log.warn({ segments: result.segments.length }, 'answer ended early; no line carries final');
  log.info({ outcome: result.outcome, segments: result.segments.length, rejected: result.rejected.length, flags: result.flags.length }, 'answer queued');
  return result;
}
