import { describe, expect, it } from 'vitest';
import { KbRetriever, type KbInput } from './kb-retriever.js';
import { DEFAULT_MIN_CONFIDENCE } from './scoring.js';

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

const best = (r: KbRetriever, q: string): { id: string; confidence: number } => {
  const [hit] = r.search(q, 1);
  return { id: hit ? `${hit.kind}:${hit.index}` : 'none', confidence: hit?.confidence ?? 0 };
};
const answers = (r: KbRetriever, q: string): string | null => {
  const hit = best(r, q);
  return hit.confidence >= DEFAULT_MIN_CONFIDENCE ? hit.id : null;
};

describe('hybrid knowledge-base retrieval', () => {
  const shop = new KbRetriever(SHOP, { language: 'en-US' });

  it('answers what viewers mean in other words (WordNet, word vectors, stems)', () => {
    expect(answers(shop, 'how long is the guarantee')).toBe('qa:2');
    expect(answers(shop, 'do you take credit cards')).toBe('qa:3');
    expect(answers(shop, 'can I return it?')).toBe('qa:5');
    expect(best(shop, 'what time do you open').id).toBe('fact:0');
  });

  it('tolerates a typo in a word that is not itself a word', () => {
    expect(answers(shop, 'how long does shiping take')).toBe('qa:0');
    expect(answers(shop, 'is there a warrenty')).toBe('qa:2');
  });

  it('does not take a real word for a typo of another ("fast" is not "last")', () => {
    const kb = new KbRetriever({ qa: [{ question: 'How long does the battery last?', answer: '30 hours.' }], facts: [] }, { language: 'en-US' });
    expect(kb.search('how fast is it', 1)[0]?.features.forward ?? 0).toBeLessThan(0.5);
    expect(kb.search('how long does the batery last', 1)[0]?.features.forward).toBeGreaterThan(0.8);
  });

  it('says nothing confident about a question the knowledge base does not cover', () => {
    for (const q of ['what is the weather on mars', 'who won the game last night', 'do you sell speakers']) {
      expect(best(shop, q).confidence).toBeLessThan(DEFAULT_MIN_CONFIDENCE);
    }
  });

  it('takes the room synonyms: ANC, and delivery for shipping', () => {
    expect(answers(shop, 'does it have ANC?')).toBeNull();
    expect(answers(shop, 'when will it be delivered?')).not.toBe('qa:0');
    const withSynonyms = new KbRetriever({ ...SHOP, synonyms: [['ANC', 'active noise cancellation'], ['shipping', 'delivery', 'deliver']] }, { language: 'en-US' });
    expect(answers(withSynonyms, 'does it have ANC?')).toBe('qa:4');
    expect(answers(withSynonyms, 'when will it be delivered?')).toBe('qa:0');
    expect(answers(withSynonyms, 'do you deliver internationally?')).toBe('qa:1');
  });

  it('matches German participles and compounds, and French stems', () => {
    const de = new KbRetriever({
      qa: [{ question: 'Wie lange dauert die Lieferung?', answer: 'Drei Werktage.' }, { question: 'Welche Rahmengrößen gibt es?', answer: 'S, M und L.' }],
      facts: [],
    }, { language: 'de-DE' });
    expect(best(de, 'wann wird geliefert').id).toBe('qa:0');
    expect(best(de, 'welche größe gibt es').id).toBe('qa:1');
    const fr = new KbRetriever({ qa: [{ question: 'Combien coûtent les billets ?', answer: '16 euros.' }, { question: 'Où sont les vestiaires ?', answer: "À l'entrée." }], facts: [] }, { language: 'fr-FR' });
    expect(answers(fr, 'le billet coûte combien ?')).toBe('qa:0');
  });

  it('answers from a Chinese knowledge base with characters and bigrams', () => {
    const zh = new KbRetriever({ qa: [{ question: '支持七天无理由退货吗？', answer: '支持。' }, { question: '保质期多久？', answer: '三年。' }], facts: [] }, { language: 'zh-CN' });
    expect(answers(zh, '能退吗')).toBe('qa:0');
    expect(answers(zh, '保质期是多久')).toBe('qa:1');
    expect(best(zh, '明天天气怎么样').confidence).toBeLessThan(DEFAULT_MIN_CONFIDENCE);
  });

  it('ranks with RRF when asked, and returns nothing for a question of no words', () => {
    const rrf = new KbRetriever(SHOP, { language: 'en-US', fusion: 'rrf' });
    expect(best(rrf, 'is there a warrenty').id).toBe('qa:2');
    expect(shop.search('?!', 3)).toEqual([]);
    expect(new KbRetriever({ qa: [], facts: [] }, { language: 'en-US' }).search('warranty', 3)).toEqual([]);
  });
});
