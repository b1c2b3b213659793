import { describe, expect, it } from 'vitest';
import type { Language } from '../protocol/index.js';
import { readQuantities } from './quantities.js';

const read = (text: string, language: Language = 'en-US') =>
  readQuantities(text, language).map((q) => [q.kind, q.value, ...(q.unit ? [q.unit] : []), ...(q.small ? ['small'] : [])]);

describe('reading quantities', () => {
  it.each<[string, Language, unknown[]]>([
    ['It costs $59.', 'en-US', [['price', 59]]],
    ['seventy nine dollars, or seventy-nine bucks', 'en-US', [['price', 79], ['price', 79]]],
    ['5 dollars and 99 cents, 99 cents', 'en-US', [['price', 5.99], ['price', 0.99]]],
    ['£49, or 5 pounds', 'en-GB', [['price', 49], ['price', 5]]],
    ['It weighs 5 pounds', 'en-US', [['measure', 5, 'lb']]],
    ['$1,299.99 and 1.5 million', 'en-US', [['price', 1299.99], ['number', 1_500_000]]],
    ['a hundred and ten, two thousand', 'en-US', [['number', 110], ['number', 2000]]],
    ['20% off, twenty percent, 15 per cent', 'en-US', [['percent', 20], ['percent', 20], ['percent', 15]]],
    ['250g, 250 grams, 4000mAh, 2.4 GHz, 5 m, 1080p', 'en-US',
      [['measure', 250, 'g'], ['measure', 250, 'g'], ['measure', 4000, 'mah'], ['measure', 2.4, 'ghz'], ['measure', 5, 'm'], ['measure', 1080, 'p']]],
    ['a 2-year warranty, a two-year plan, 30 days', 'en-US', [['measure', 2, 'year'], ['measure', 2, 'year'], ['measure', 30, 'day']]],
    ['3 to 5 days, $50-80, between $10 and 20', 'en-US',
      [['measure', 3, 'day'], ['measure', 5, 'day'], ['price', 50], ['price', 80], ['price', 10], ['price', 20]]],
    ['79,99 € oder 1.299 €', 'de-DE', [['price', 79.99], ['price', 1299]]],
    ['1 299 € et 12,5 %', 'fr-FR', [['price', 1299], ['percent', 12.5]]],
    ['价格是七十九元，保修3年', 'zh-CN', [['price', 79], ['measure', 3, 'year']]],
  ])('%j (%s)', (text, language, expected) => {
    expect(read(text, language)).toEqual(expected);
  });

  it('reads clock times with every reading they may have', () => {
    const times = (text: string, language: Language = 'en-US') => readQuantities(text, language).filter((q) => q.kind === 'time').map((q) => q.minutes);
    expect(times('8 p.m., 8pm, 20:00, 7:30pm')).toEqual([[1200], [1200], [1200], [1170]]);
    expect(times("eight o'clock, 9:30")).toEqual([[480, 1200], [570, 1290]]);
    expect(times('noon, midnight')).toEqual([[720], [0]]);
    expect(times('à 20h30', 'fr-FR')).toEqual([[1230]]);
    expect(times('um 20 Uhr', 'de-DE')).toEqual([[1200]]);
    expect(times('晚上8点', 'zh-CN')).toEqual([[480, 1200]]);
  });

  it('does not read ordinary words, names and ordinals as claims', () => {
    expect(read('one of our best, the one with the red sole')).toEqual([['number', 1, 'small'], ['number', 1, 'small']]);
    expect(read('an hour, a minute, two colours, step 3')).toEqual([['number', 2, 'small'], ['number', 3, 'small']]);
    expect(read('5G, MP3, SAVE20, iPhone15, 21st, 4K, the 1990s, under-12s')).toEqual([]);
    expect(read('我们一起看看，十分好看，三星手机', 'zh-CN')).toEqual([]);
  });

  it('reads 10 KB of digits, separators and number words in linear time', () => {
    const inputs = ['1,'.repeat(5000), '9'.repeat(10_000), 'seventy-'.repeat(1250), '$'.repeat(5000) + '5'.repeat(5000), '1:'.repeat(5000), 'a.m.'.repeat(2500)];
    for (const text of inputs) {
      const started = performance.now();
      readQuantities(text, 'en-US');
      expect(performance.now() - started, text.slice(0, 12)).toBeLessThan(500);
    }
  });
});
