import type { AnswerInput, AnswerProvider, AnswerSentence } from './answer-provider.js';
import { KbIndexCache, type KbHit } from './kb-index.js';
import { splitSentences } from './sentence-splitter.js';

export interface KbProviderOptions {
  /** Minimum share of the question's terms the best item must match (0..1). */
  minConfidence?: number;
  indexes?: KbIndexCache;
}

const DEFAULTS = { minConfidence: 0.5 };

/**
 * The embedded answer engine: retrieval over the room's Q&A pairs and facts. Below the
 * confidence threshold it says the room's fallback line rather than a wrong answer.
 */
export class KbProvider implements AnswerProvider {
  readonly name = 'kb' as const;
  readonly minConfidence: number;
  readonly indexes: KbIndexCache;

  constructor(options: KbProviderOptions = {}) {
    const minConfidence = options.minConfidence ?? DEFAULTS.minConfidence;
    if (!(minConfidence > 0 && minConfidence <= 1)) {
      throw new RangeError(`KbProvider: minConfidence must be in (0, 1], got ${minConfidence}`);
    }
    this.minConfidence = minConfidence;
    this.indexes = options.indexes ?? new KbIndexCache();
  }

  /** The best item when it is confident enough, else null. */
  best(input: Pick<AnswerInput, 'question' | 'kb'>): KbHit | null {
    const [top] = this.indexes.get(input.kb).query(input.question, 1);
    return top && top.confidence >= this.minConfidence ? top : null;
  }

  async *answer(input: AnswerInput): AsyncIterable<AnswerSentence> {
    const hit = this.best(input);
    const source = hit ? 'kb' : 'fallback';
    const sentences = splitSentences(hit ? hit.answer : input.context.fallbackLine);
    for (let i = 0; i < sentences.length; i++) {
      if (input.signal.aborted) return;
      yield { text: sentences[i]!, last: i === sentences.length - 1, source };
    }
  }
}
