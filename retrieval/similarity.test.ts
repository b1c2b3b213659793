import { describe, expect, it } from 'vitest';
import { loadParaphrases } from './eval/sets.js';
import { KbRetriever } from './kb-retriever.js';
import { createSimilarity, DEFAULT_SIMILARITY_THRESHOLD } from './similarity.js';

describe('question similarity', () => {
  const en = createSimilarity({ language: 'en-US', synonyms: [['ANC', 'active noise cancellation']] });
  const zh = createSimilarity({ language: 'zh-CN' });

  it('scores paraphrases at or above the threshold', () => {
    const pairs: Array<[string, string]> = [
      ['how long is the guarantee', 'is there a warranty?'],
      ['is there ANC', 'do they have active noise cancellation?'],
      ['can I return them?', "what's the return policy"],
      ['how long does shipping take?', 'how long does shiping take'],
      ['what colors are there?', 'which colors can i get'],
      ['how long does the battery last?', 'whats the battery life'],
    ];
    for (const [a, b] of pairs) expect(en.similar(a, b), `${a} | ${b}`).toBeGreaterThanOrEqual(en.threshold);
    expect(zh.similar('可以退货吗？', '支持退货吗')).toBeGreaterThanOrEqual(zh.threshold);
    expect(zh.similar('敏感肌可以用吗？', '敏感皮肤能用吗')).toBeGreaterThanOrEqual(zh.threshold);
  });

  it('scores unrelated questions below the threshold', () => {
    const pairs: Array<[string, string]> = [
      ['how long does shipping take?', "what's the host's name?"],
      ['is there a warranty?', 'who won the game last night'],
      ['can I return them?', 'what music is playing in the background'],
      ['how long does the battery last?', 'do you sell speakers?'],
    ];
    for (const [a, b] of pairs) expect(en.similar(a, b), `${a} | ${b}`).toBeLessThan(en.threshold);
    expect(zh.similar('可以退货吗？', '明天天气怎么样')).toBeLessThan(zh.threshold);
  });

  it('is symmetric and bounded', () => {
    const a = 'do they come in other colours';
    const b = 'what colors are there?';
    expect(en.similar(a, b)).toBeCloseTo(en.similar(b, a), 10);
    expect(en.similar(a, a)).toBeLessThanOrEqual(1);
    expect(en.similar(a, '')).toBe(0);
  });

  it('keeps the paraphrase fixture\'s unrelated questions apart and groups precisely', () => {
    for (const set of loadParaphrases()) {
      const sim = createSimilarity({ language: set.language, synonyms: set.synonyms });
      const items = [...set.groups.flatMap((g) => g.paraphrases.map((text) => ({ text, group: g.id }))), ...set.unrelated.map((text, i) => ({ text, group: `u${i}` }))];
      let joined = 0;
      let joinedRight = 0;
      let apart = 0;
      let apartRight = 0;
      for (let i = 0; i < items.length; i++) {
        for (let j = i + 1; j < items.length; j++) {
          const same = items[i]!.group === items[j]!.group;
          const match = sim.similar(items[i]!.text, items[j]!.text) >= sim.threshold;
          if (match) { joined++; if (same) joinedRight++; }
          if (!same) { apart++; if (!match) apartRight++; }
        }
      }
      expect(apartRight / apart, set.language).toBeGreaterThanOrEqual(0.99);
      expect(joinedRight / joined, set.language).toBeGreaterThanOrEqual(0.85);
    }
  });

  it('finds the nearest waiting question, or none above the score asked for', () => {
    const waiting = ['what is the host called?', 'how long does the battery last?', 'is there a warranty?'];
    expect(en.nearest('how long is the guarantee', waiting)).toMatchObject({ index: 2 });
    expect(en.nearest('who won the game last night', waiting)).toBeNull();
    expect(en.nearest('how long is the guarantee', [])).toBeNull();
    expect(en.nearest('?!', waiting)).toBeNull();
    const hit = en.nearest('is there a warranty', waiting, 0)!;
    expect(hit.index).toBe(2);
    expect(en.nearest('is there a warranty', waiting, 1.01)).toBeNull();
  });

  it('finds in nearest exactly the candidate that similar() ranks first (pruning loses nothing)', () => {
    const set = loadParaphrases().find((p) => p.language === 'en-US')!;
    const sim = createSimilarity({ language: set.language, synonyms: set.synonyms });
    const texts = [...set.groups.flatMap((g) => g.paraphrases), ...set.unrelated];
    for (const [i, text] of texts.entries()) {
      const others = texts.filter((_, k) => k !== i);
      const scores = others.map((o) => sim.similar(text, o));
      const top = Math.max(...scores);
      const hit = sim.nearest(text, others);
      if (top >= sim.threshold) expect(hit, text).toEqual({ index: scores.indexOf(top), score: top });
      else expect(hit, text).toBeNull();
    }
  });

  it('uses the room knowledge base vocabulary for typos', () => {
    const kb = { qa: [{ question: 'How long does delivery take?', answer: 'Three days.' }], facts: [] };
    const sim = createSimilarity({ language: 'en-US', kb });
    expect(sim.similar('how long does delivry take', 'how long does delivery take?')).toBeGreaterThanOrEqual(sim.threshold);
  });

  it("scores the same from a KB retriever's vocabulary as from the KB itself", () => {
    const kb = {
      qa: [{ question: 'How long does delivery take?', answer: 'Three days.' }, { question: 'Is there a warranty?', answer: 'Two years.' }],
      facts: ['The store opens at nine.'], synonyms: [['guarantee', 'warranty']],
    };
    const own = createSimilarity({ language: 'en-US', kb });
    const shared = createSimilarity({ language: 'en-US', retriever: new KbRetriever(kb, { language: 'en-US' }) });
    const pairs = [['how long does delivry take', 'how long does delivery take?'], ['how long is the guarantee', 'is there a warranty'], ['when do you open', 'what colour is it']];
    for (const [a, b] of pairs) expect(shared.similar(a!, b!)).toBe(own.similar(a!, b!));
  });

  it('refuses a threshold or cache size that cannot work, naming the option', () => {
    expect(DEFAULT_SIMILARITY_THRESHOLD).toBeGreaterThan(0);
    expect(() => createSimilarity({ language: 'en-US', threshold: 0 })).toThrow(/threshold/);
    expect(() => createSimilarity({ language: 'en-US', threshold: 1.5 })).toThrow(/threshold/);
    expect(() => createSimilarity({ language: 'en-US', cacheSize: 0 })).toThrow(/cacheSize/);
    expect(createSimilarity({ language: 'de-DE', threshold: 0.8 }).threshold).toBe(0.8);
  });
});
