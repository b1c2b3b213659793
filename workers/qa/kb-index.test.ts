import { describe, expect, it } from 'vitest';
import type { KnowledgeBase } from '../../protocol/index.js';
import { KbIndexCache } from './kb-index.js';

/** A catalogue of `n` entries, each about a different product. */
function catalogue(n: number): KnowledgeBase {
  const products = ['kettle', 'lamp', 'tent', 'drone', 'sofa', 'watch', 'jacket', 'camera'];
  const topics = [['How much is the {p}?', 'The {p} costs {n} dollars.'], ['How much does the {p} weigh?', 'The {p} weighs {n} grams.']] as const;
  return {
    qa: Array.from({ length: n }, (_, i) => {
      const p = `${products[i % products.length]} model ${i}`;
      const [q, a] = topics[i % topics.length]!;
      return { question: q.replace('{p}', p), answer: a.replace('{p}', p).replace('{n}', String(10 + (i % 90))) };
    }),
    facts: ['Every order ships within two days.'],
  };
}

describe('the qa worker\'s knowledge-base indexes', () => {
  it('builds a 3,000-entry index in slices, the event loop turning meanwhile, with the same results as in one piece', async () => {
    const kb = catalogue(3000);
    const cache = new KbIndexCache();
    let turns = 0;
    let done = false;
    const spin = (): void => { if (!done) { turns++; setImmediate(spin); } };
    setImmediate(spin);
    const [a, b] = await Promise.all([cache.ready(kb), cache.ready(kb)]);
    done = true;
    // In one piece it was one turn; in ~10 ms slices, a turn between each.
    expect(turns).toBeGreaterThan(20);
    expect(a).toBe(b);
    expect(cache.get(kb)).toBe(a);
    const whole = new KbIndexCache().get(kb);
    for (const q of ['how much is the lamp model 9?', 'what does the tent model 18 weigh', 'when does my order ship?']) {
      expect(a.query(q, 3)).toEqual(whole.query(q, 3));
    }
    expect(a.query('how much is the lamp model 9?', 1)[0]).toMatchObject({ kind: 'qa', index: 9 });
  }, 120_000);
});
