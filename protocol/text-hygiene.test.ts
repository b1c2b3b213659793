import { describe, expect, it } from 'vitest';
import { MAX_HYGIENE_INPUT, sanitizeText, spokenText } from './text-hygiene.js';

const NASTY = [
  'An\u202Ea\u2066 \u200B\uFEFFBo\u00ADb\u0007',
  'Tom &amp;amp; Jerry &lt;3',
  '&amp;lt;b&amp;gt;bold&amp;lt;/b&amp;gt;',
  '&am\u200Bp;amp; &#38;amp; &#x26;lt;',
  "The [[s'i:kr@t]] is [[out",
  '[\u200B[x]] [🎉[y]] <i>[</i>[z]] &#91;&#91;w&#93;&#93;',
  'line one\r\nline two\u2028three\u0085four\tfive',
  '\u0000\u001b[31mred\u001b[0m \uE000private\uDC00',
];

describe('text hygiene', () => {
  it('removes bidi overrides and isolates, zero-width and format characters, and controls', () => {
    expect(sanitizeText('An\u202Ea\u2066 \u200B\uFEFFBo\u00ADb\u0007')).toBe('Ana Bob');
    expect(sanitizeText('\u202Egnp.exe\u202C')).toBe('gnp.exe');
    expect(sanitizeText('\u001b[31mred\u001b[0m')).toBe('[31mred[0m');
    expect(sanitizeText('\uE000private\uDC00')).toBe('private');
  });

  it('decodes HTML entities exactly once and drops what was encoded twice', () => {
    expect(sanitizeText('Tom &amp; Jerry &lt;3 caf&eacute; &Uuml;ber &#8364;5 &#x4F60;')).toBe('Tom & Jerry <3 café Über €5 你');
    // Double-encoded: one decode leaves an entity, which is never shown or read as "amp".
    expect(sanitizeText('Tom &amp;amp; Jerry')).toBe('Tom Jerry');
    expect(sanitizeText('&amp;lt;b&amp;gt;bold')).toBe('b bold');
    expect(sanitizeText('&#38;amp;')).toBe('');
    expect(sanitizeText('Q&A, R&D; AT&T')).toBe('Q&A, R&D; AT&T');
  });

  it('keeps line breaks only when asked, and always as \\n', () => {
    expect(sanitizeText('one\r\ntwo\u2028three\tfour')).toBe('one two three four');
    expect(sanitizeText('one\r\ntwo\u2028three\tfour\n\n\n\nfive \u202E', { multiline: true })).toBe('one\ntwo\nthree four\n\nfive');
  });

  it('says no markup, no emoji and none of espeak-ng\'s phoneme syntax', () => {
    expect(spokenText('<speak><prosody rate="x-fast">Hi</prosody></speak> &lt;break time="9s"/&gt; there 🎉👍🏽')).toBe('Hi there');
    expect(spokenText("The [[s'i:kr@t]] is out")).toBe('The is out');
    expect(spokenText("An open [[s'i:kr@t")).toBe("An open [s'i:kr@t");
    expect(spokenText('[\u200B[x]] [🎉[y]] &#91;&#91;w&#93;&#93;')).toBe('[ [y]');
    expect(spokenText('1 < 2 and 3 > 2')).toBe('1 < 2 and 3 > 2');
  });

  it('is idempotent: cleaning clean text changes nothing', () => {
    for (const raw of NASTY) {
      const shown = sanitizeText(raw);
      expect(sanitizeText(shown)).toBe(shown);
      expect(sanitizeText(shown, { multiline: true })).toBe(shown);
      const spoken = spokenText(raw);
      expect(spokenText(spoken)).toBe(spoken);
      expect(spoken).not.toMatch(/\[\[|&[a-z#0-9]+;|[\p{Cc}\p{Cf}]/iu);
    }
  });

  it('works on a bounded prefix of a huge input', () => {
    expect(sanitizeText('a'.repeat(1_000_000))).toHaveLength(MAX_HYGIENE_INPUT);
    expect(spokenText('&amp;'.repeat(1_000_000)).length).toBeLessThanOrEqual(MAX_HYGIENE_INPUT);
    expect(sanitizeText(undefined as unknown as string)).toBe('');
  });
});
