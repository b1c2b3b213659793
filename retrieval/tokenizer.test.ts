import { describe, expect, it } from 'vitest';
import { stemLanguage, tokenize } from './tokenizer.js';

const terms = (text: string, language = 'en-US'): string[] => tokenize(text, stemLanguage(language)).map((t) => t.term);

describe('tokenizer', () => {
  it('lowercases, drops function words, stems with Porter2 and strips diacritics', () => {
    expect(terms('Café RÉSUMÉS are Starting')).toEqual(['cafe', 'resume', 'start']);
    expect(terms('When will it be delivered?')).toEqual(['when', 'deliv']);
    expect(tokenize('Shipping', 'english')).toEqual([{ term: 'ship', surface: 'shipping' }]);
  });

  it('stems French and German words with their own Snowball stemmers', () => {
    expect(terms('Les hôtels sont ouverts', 'fr-FR')).toEqual(['hotel', 'ouvert']);
    expect(terms('Wie lange dauert die Lieferung?', 'de-DE')).toEqual(['wie', 'lang', 'dauert', 'liefer']);
    expect(terms('Größe', 'de-DE')).toEqual(['gross']);
  });

  it('writes a word one way however viewers join or split it', () => {
    expect(terms('Wi-Fi 6')).toEqual(terms('wifi6'));
    expect(terms('5 GHz')).toEqual(terms('5ghz'));
    expect(terms('interest-free')).toEqual(['interest', 'free']);
    expect(terms('802.11ax at 2.4 GHz')).toEqual(['802.11ax', '2.4', 'ghz']);
  });

  it('cuts Chinese at question and function words into bigrams and characters', () => {
    expect(terms('直播什么时候开始？', 'zh-CN')).toEqual(['直', '直播', '播', '开', '开始', '始']);
    expect(terms('可以退货吗', 'zh-CN')).toEqual(['退', '退货', '货']);
    // Latin words in a Chinese room are stemmed as English.
    expect(terms('iPhone能用吗', 'zh-CN')).toEqual(['iphon', '用']);
  });
});
