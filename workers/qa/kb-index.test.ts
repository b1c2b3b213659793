import { describe, expect, it } from 'vitest';
import type { KnowledgeBase } from '../../protocol/index.js';
import { englishSentenceEncoder, type SentenceEncoder } from '../../retrieval/index.js';
import { KbIndex } from './kb-index.js';

const KB: KnowledgeBase = {
  qa: [
    { question: 'How long does shipping take?', answer: 'Orders arrive in 3 to 5 business days.' },
    { question: 'Do the headphones have active noise cancellation?', answer: 'Yes, three levels of it.' },
  ],
  facts: ['The store is open from 9 to 6.'],
};
const Q = 'do they block outside noise';
const summary = (hits: Array<{ kind: string; index: number; confidence: number }>) => hits.map((h) => [`${h.kind}:${h.index}`, h.confidence]);

describe('KbIndex with the sentence encoder', () => {
  it('a question that comes before the encoder is loaded waits for it and gets the same answer as one after', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const late = new KbIndex(KB, 'en-US', gate.then(() => englishSentenceEncoder()));
    let settled = false;
    const early = late.search(Q, 2, 600_000).then((hits) => { settled = true; return hits; });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(settled).toBe(false);
    release();
    const ready = new KbIndex(KB, 'en-US', englishSentenceEncoder());
    const expected = await ready.search(Q, 2, 600_000);
    expect(summary(await early)).toEqual(summary(expected));
    // The sentence ranker is what answered: the two rankers alone are less sure.
    expect(expected[0]!.confidence).toBeGreaterThan(ready.query(Q, 1)[0]!.confidence);
  }, 120_000);

  it('answers with the two rankers when the encoder is not there within the bound, or the room is not English', async () => {
    const never = new Promise<SentenceEncoder>(() => undefined);
    const index = new KbIndex(KB, 'en-US', never);
    expect(summary(await index.search(Q, 2, 20))).toEqual(summary(index.query(Q, 2)));
    const failed = new KbIndex(KB, 'en-US', Promise.reject(new Error('no model')));
    expect(summary(await failed.search(Q, 2))).toEqual(summary(failed.query(Q, 2)));
    const german = new KbIndex(KB, 'de-DE', englishSentenceEncoder());
    expect(summary(await german.search(Q, 2))).toEqual(summary(german.query(Q, 2)));
  }, 120_000);
});
