import type { KnowledgeBase } from '../../protocol/index.js';

/** A catalogue of `n` Q&A entries, each about a different product (prices and weights): a large KB for build tests. */
export function catalogue(n: number, facts: string[] = []): KnowledgeBase {
  const products = ['kettle', 'lamp', 'tent', 'drone', 'sofa', 'watch', 'jacket', 'camera'];
  const topics = [['How much is the {p}?', 'The {p} costs {n} dollars.'], ['How much does the {p} weigh?', 'The {p} weighs {n} grams.']] as const;
  return {
    qa: Array.from({ length: n }, (_, i) => {
      const p = `${products[i % products.length]} model ${i}`;
      const [q, a] = topics[i % topics.length]!;
      return { question: q.replace('{p}', p), answer: a.replace('{p}', p).replace('{n}', String(10 + (i % 90))) };
    }),
    facts,
  };
}
