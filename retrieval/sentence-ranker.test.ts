import { beforeAll, describe, expect, it } from 'vitest';
import { embedEntries, KbRetriever, type KbInput } from './kb-retriever.js';
import { DEFAULT_MIN_CONFIDENCE } from './scoring.js';
import { englishSentenceEncoder, type SentenceEncoder } from './sentence-encoder.js';
import { createSimilarity, NotEmbeddedError } from './similarity.js';

const SHOP: KbInput = {
  qa: [
    { question: 'How long does shipping take?', answer: 'Orders arrive in 3 to 5 business days.' },
    { question: 'Do you ship internationally?', answer: 'Yes, we ship to 40 countries.' },
    { question: 'What is the warranty?', answer: 'Every product has a two-year warranty.' },
    { question: 'Which payment methods do you take?', answer: 'We accept cards and PayPal.' },
    { question: 'Do the headphones have active noise cancellation?', answer: 'Yes, three levels of it.' },
    { question: 'Can I return an item?', answer: 'Returns are free within 30 days.' },
  ],
  facts: ['The store is open from 9 to 6.'],
};

// The model loads in ~1 s on a quiet machine; far more on a loaded shared one.
const LOAD_MS = 120_000;

describe('the sentence-encoder ranker (English rooms)', () => {
  let encoder: SentenceEncoder;
  let two: KbRetriever;
  let three: KbRetriever;
  const top = async (r: KbRetriever, q: string, withSentence: boolean) => {
    const [vector] = await encoder.embed([q]);
    const [hit] = r.search(q, 1, withSentence ? vector! : null);
    return { id: hit ? `${hit.kind}:${hit.index}` : 'none', confidence: hit?.confidence ?? 0 };
  };

  beforeAll(async () => {
    encoder = await englishSentenceEncoder();
    two = new KbRetriever(SHOP, { language: 'en-US' });
    three = new KbRetriever(SHOP, { language: 'en-US', sentences: await embedEntries(encoder, SHOP) });
  }, LOAD_MS);

  it('embeds with unit 512-d vectors that put paraphrases closer than unrelated questions', async () => {
    const [a, b, c] = await encoder.embed(['do you take credit cards', 'we accept cards', 'is it raining']);
    const dot = (x: Float32Array, y: Float32Array) => x.reduce((s, v, d) => s + v * y[d]!, 0);
    expect(a!.length).toBe(512);
    expect(dot(a!, a!)).toBeCloseTo(1, 4);
    expect(dot(a!, b!)).toBeGreaterThan(dot(a!, c!) + 0.1);
    // Cached by the text: the same array comes back, nothing is embedded again.
    expect(encoder.cached('do you take credit cards')).toBe(a);
  });

  it('answers paraphrases that the two-ranker hybrid leaves to the fallback line', async () => {
    const only: Array<[string, string]> = [
      ['how many days until it gets here', 'qa:0'],
      ['how soon will i get it', 'qa:0'],
      ['do they block outside noise', 'qa:4'],
      ['what time do you open', 'fact:0'],
    ];
    for (const [q, id] of only) {
      const before = await top(two, q, false);
      const after = await top(three, q, true);
      expect(before.confidence, q).toBeLessThan(DEFAULT_MIN_CONFIDENCE);
      expect(after, q).toEqual({ id, confidence: expect.any(Number) });
      expect(after.confidence, q).toBeGreaterThanOrEqual(DEFAULT_MIN_CONFIDENCE);
    }
  });

  it('ranks first the entry a paraphrase means where the two rankers pick another', async () => {
    for (const [q, id] of [['can I send it back', 'qa:5'], ['is it covered if it breaks', 'qa:2']] as const) {
      expect((await top(two, q, false)).id, q).not.toBe(id);
      expect((await top(three, q, true)).id, q).toBe(id);
    }
  });

  it('keeps questions outside the knowledge base below the threshold', async () => {
    for (const q of ['what is the weather on mars', 'who won the game last night', 'do you sell speakers', 'what is your name', 'are you a robot']) {
      expect((await top(three, q, true)).confidence, q).toBeLessThan(DEFAULT_MIN_CONFIDENCE);
    }
  });

  it('is the two-ranker hybrid for a question searched without its vector', async () => {
    expect(await top(three, 'do they block outside noise', false)).toEqual(await top(two, 'do they block outside noise', false));
    expect(() => three.setSentences({ primary: [], secondary: [] })).toThrow(/vectors for 7 entries/);
  });

  it('groups questions with the encoder: async calls embed, sync calls need the texts embedded first', async () => {
    const sim = createSimilarity({ language: 'en-US', encoder });
    const plain = createSimilarity({ language: 'en-US' });
    const pair = ['how many days for delivery', 'how long till it gets delivered?'] as const;
    expect(await sim.similarAsync(...pair)).toBeGreaterThan(plain.similar(...pair));
    expect(await sim.similarAsync(...pair)).toBeGreaterThanOrEqual(sim.threshold);
    expect(await sim.similarAsync('which payment methods do you accept', 'how can I pay')).toBeGreaterThanOrEqual(sim.threshold);
    expect(await sim.similarAsync('how long does shipping take?', "what's the host's name?")).toBeLessThan(sim.threshold);
    const hit = await sim.nearestAsync('how many days for delivery', ['is there a warranty?', 'how long till it gets delivered?', 'what colors are there?']);
    expect(hit?.index).toBe(1);
    expect(() => sim.similar('a question nobody embedded', 'is there a warranty?')).toThrow(NotEmbeddedError);
  });
});
