import type { AnswerContext, KnowledgeBase } from '../../protocol/index.js';

export interface AnswerInput {
  room: string;
  questionId: string;
  question: string;
  context: AnswerContext;
  /** The room's knowledge base as it was when the job started. */
  kb: KnowledgeBase;
  /** Aborted when the consumer stops (output check, shutdown): stop generating. */
  signal: AbortSignal;
}

/** Where a sentence came from, for the job's result and the logs. */
export type AnswerSource = 'kb' | 'openai' | 'fallback';

export interface AnswerSentence {
  text: string;
  /**
   * True on the last sentence of the answer. Providers know it only when their text
   * ends; every earlier sentence is yielded the moment it is complete.
   */
  last: boolean;
  source: AnswerSource;
  /** What the sentence rests on: the knowledge-base entry (its question or fact) and how sure the match is. */
  basis?: { text: string | null; confidence: number | null };
}

/**
 * One interface for every way of answering a viewer question. A provider yields complete
 * sentences as soon as each is complete, so the first one can be voiced while the rest
 * is still being written. Adding a provider touches no pipeline code.
 */
export interface AnswerProvider {
  readonly name: 'kb' | 'openai';
  answer(input: AnswerInput): AsyncIterable<AnswerSentence>;
}
