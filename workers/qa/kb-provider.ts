import { DEFAULT_MIN_CONFIDENCE, warmLanguageResources } from '../../retrieval/index.js';
import type { AnswerInput, AnswerProvider, AnswerSentence } from './answer-provider.js';
import { KbIndexCache, type KbHit } from './kb-index.js';
import { splitSentences } from './sentence-splitter.js';

export interface KbProviderOptions {
  /**
   * Minimum calibrated confidence (the probability that the best entry is the right
   * answer) for answering; below it the room's fallback line is said. LIVEHOST_KB_MIN_CONFIDENCE.
   */
  minConfidence?: number;
  indexes?: KbIndexCache;
}

const DEFAULTS = { minConfidence: DEFAULT_MIN_CONFIDENCE };

/**
 * The embedded answer engine: hybrid retrieval (retrieval/) over the room's Q&A pairs
 * and facts in the room's language. Below the confidence threshold it says the room's
 * fallback line rather than a wrong answer.
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
    // Loaded now, at the worker's start: the first question's index build would otherwise
    // load them, inside the LLM provider's first-token window when it asks for KB context.
    warmLanguageResources('en-US');
  }

  /** The best item when it is confident enough, else null. `language`: the room's (default en-US). */
  best(input: Pick<AnswerInput, 'question' | 'kb'> & { language?: string }): KbHit | null {
    const [top] = this.indexes.get(input.kb, input.language).query(input.question, 1);
    return top && top.confidence >= this.minConfidence ? top : null;
  }

  async *answer(input: AnswerInput): AsyncIterable<AnswerSentence> {
    await this.indexes.ready(input.kb, input.context.language);
    const hit = this.best({ question: input.question, kb: input.kb, language: input.context.language });
    const source = hit ? 'kb' : 'fallback';
    const sentences = splitSentences(hit ? hit.answer : input.context.fallbackLine);
    for (let i = 0; i < sentences.length; i++) {
      if (input.signal.aborted) return;
      yield {
        text: sentences[i]!, last: i === sentences.length - 1, source,
        ...(hit ? { basis: { text: hit.question || hit.answer, confidence: hit.confidence } } : {}),
      };
    }
  }
}
