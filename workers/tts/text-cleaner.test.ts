import { describe, expect, it } from 'vitest';
import { EmptyTextError } from './errors.js';
import { cleanText, DEFAULT_MAX_CHARS } from './text-cleaner.js';

describe('cleanText', () => {
  it.each([
    ['an empty string', ''],
    ['whitespace only', ' \t\n\r  \u00a0 '],
    ['markup only', '<speak><break time="3s"/></speak>'],
    ['emoji only', '🎉🔥👍🏽 ❤️'],
    ['punctuation only', '... !!! ???'],
    ['control characters only', '\u0000\u0007\u001b\u200b\u202e'],
  ])('rejects %s with code empty_text', (_name, input) => {
    expect(() => cleanText(input)).toThrow(EmptyTextError);
    try {
      cleanText(input);
    } catch (err) {
      expect((err as EmptyTextError).code).toBe('empty_text');
    }
  });

  it('rejects a value that is not a string instead of crashing', () => {
    expect(() => cleanText(undefined as unknown as string)).toThrow(EmptyTextError);
  });

  it('strips HTML and SSML tags but keeps their text', () => {
    expect(cleanText('<p>Hello <b>world</b></p><speak><prosody rate="x-fast">now</prosody></speak>'))
      .toBe('Hello world now');
  });

  it('strips tags smuggled in as entities', () => {
    expect(cleanText('Hi &lt;break time="10s"/&gt; there &amp; you')).toBe('Hi there & you');
  });

  it('keeps comparison signs that are not tags', () => {
    expect(cleanText('1 < 2 and 3 > 2')).toBe('1 < 2 and 3 > 2');
  });

  it('removes control characters, zero-width and bidi override characters', () => {
    expect(cleanText('Hel\u0000lo\u200b wor\u202eld\u0007')).toBe('Hello world');
  });

  it('removes emoji and pictographs, including joined and flag sequences', () => {
    expect(cleanText('Great 👨‍👩‍👧 show 🇫🇷 today ✨👍🏽!')).toBe('Great show today !');
  });

  it('normalises whitespace', () => {
    expect(cleanText('  one\n\ntwo\t three   ')).toBe('one two three');
  });

  it('keeps mixed scripts', () => {
    expect(cleanText('Hello 你好, ça va? Grüße!')).toBe('Hello 你好, ça va? Grüße!');
  });

  it('cuts a 20,000-character input at a sentence boundary under the cap', () => {
    const text = 'This is a sentence of moderate length. '.repeat(520);
    const out = cleanText(text);
    expect(out.length).toBeLessThanOrEqual(DEFAULT_MAX_CHARS);
    expect(out.length).toBeGreaterThan(DEFAULT_MAX_CHARS / 2);
    expect(out.endsWith('.')).toBe(true);
  });

  it('cuts at a word boundary when there is no sentence end', () => {
    const out = cleanText('word '.repeat(4000), { maxChars: 100 });
    expect(out.length).toBeLessThanOrEqual(100);
    expect(out.split(' ').every((w) => w === 'word')).toBe(true);
  });

  it('cuts unspaced Chinese without splitting a character', () => {
    const out = cleanText('𠀀你'.repeat(10_000), { maxChars: 51 });
    expect(Array.from(out)).toHaveLength(51);
    expect(Buffer.from(out, 'utf8').toString('utf8')).toBe(out); // no lone surrogate
  });
});
