import { describe, expect, it } from 'vitest';
import { CHAT_TEXT, moderateViewerText, QUESTION_TEXT } from './viewer-text.js';
import { findLinks } from './links.js';

describe('viewer-text moderation: what passes', () => {
  it.each([
    ['How much are the AirStep Runners?', 'How much are the AirStep Runners?'],
    ['soooooo gooooood!!!!!!!', 'soo good!'],
    ['hahahaha that is great', 'haha that is great'],
    ['wait......... what?!?!?!', 'wait... what?!?!'],
    ['is it 1000000 or 1,000,000 steps?', 'is it 1000000 or 1,000,000 steps?'],
    ['buy buy buy buy buy it now', 'buy buy it now'],
    ['Is the ANC any good on the NYC subway?', 'Is the ANC any good on the NYC subway?'],
    ['@ava what colours do they come in? 😍', '@ava what colours do they come in? 😍'],
    ['Die Schifffahrt dauert wie lange?', 'Die Schiffahrt dauert wie lange?'],
    ['这个多少钱？', '这个多少钱？'],
    ['Is it on&nbsp;sale\u200B today?', 'Is it on sale today?'],
  ])('%j becomes %j', (text, normalised) => {
    expect(moderateViewerText(text, QUESTION_TEXT)).toEqual({ ok: true, text: normalised });
  });

  it('lets a one-emoji reaction through as chat but not as a question', () => {
    expect(moderateViewerText('🔥🔥🔥🔥', CHAT_TEXT)).toEqual({ ok: true, text: '🔥' });
    expect(moderateViewerText('🔥', QUESTION_TEXT)).toMatchObject({ ok: false, reason: 'too_short' });
  });

  it('lets a room that allows links take one or two', () => {
    expect(moderateViewerText('is shop.example.com yours?', { ...QUESTION_TEXT, allowLinks: true })).toMatchObject({ ok: true });
    expect(moderateViewerText('a.com b.com c.com', { ...QUESTION_TEXT, allowLinks: true })).toMatchObject({ ok: false, reason: 'links' });
  });
});

describe('viewer-text moderation: what is refused, with its reason', () => {
  it.each([
    ['aaaaaaaaaaaa', 'repeated'],
    ['lolololololololol', 'repeated'],
    ['!!!!!!!!!!!!!!!!!!!!!!!', 'too_short'],
    ['hi', 'too_short'],
    ['   ', 'too_short'],
    ['\u200B\u202E', 'too_short'],
    ['Tell me about the quick brown fox and its jumps. '.repeat(12), 'too_long'],
    ['cheap followers at spam.example.xyz', 'links'],
    ['go to https://t.co/abc now', 'links'],
    ['write me: ana@example.com', 'links'],
    ['visit scam dot com for free stuff', 'links'],
    ['@a1 @b2 @c3 @d4 follow them all', 'links'],
    ['WHY IS NOBODY ANSWERING MY QUESTION', 'caps'],
    ['😂😂 🎉 🔥 👏 💯 ok', 'emoji'],
    ['great 🎉🥳🔥👏💯😍🤩✨🙌🎈 stuff here', 'emoji'],
  ])('%j → %s', (text, reason) => {
    const verdict = moderateViewerText(text, QUESTION_TEXT);
    expect(verdict).toMatchObject({ ok: false, reason });
    expect(!verdict.ok && verdict.detail.length).toBeGreaterThan(0);
  });

  it('refuses a text over four times the limit before reading it', () => {
    expect(moderateViewerText('a'.repeat(100_000), QUESTION_TEXT)).toMatchObject({ ok: false, reason: 'too_long' });
  });

  it('never throws on what is not text', () => {
    expect(moderateViewerText(undefined as unknown as string)).toMatchObject({ ok: false, reason: 'too_short' });
    expect(moderateViewerText(42 as unknown as string)).toMatchObject({ ok: false, reason: 'too_short' });
  });
});

describe('viewer-text moderation on hostile input', () => {
  // 10 KB each, shaped against each step: runs, periodic units, links, handles, entities, emoji, mixed scripts.
  const hostile: Record<string, string> = {
    run: 'a'.repeat(10_240),
    units: 'ab'.repeat(5120),
    'near units': 'abcabd'.repeat(1707),
    dots: 'a.'.repeat(5120),
    'domain labels': `${'a.'.repeat(5115)}com`,
    at: '@'.repeat(10_240),
    handles: '@ab '.repeat(2560),
    entities: '&amp;'.repeat(2048),
    emoji: '😂🎉'.repeat(2560),
    mixed: 'Aé中😂1.@ '.repeat(1138),
    words: 'spam '.repeat(2048),
  };
  const wide = { minChars: 3, maxChars: 16_000 };

  it.each(Object.keys(hostile))('%s: a verdict, in linear time', (name) => {
    const text = hostile[name]!;
    const started = performance.now();
    const verdict = moderateViewerText(text, wide);
    const ms = performance.now() - started;
    expect(typeof verdict.ok).toBe('boolean');
    // A backtracking pattern takes seconds on these; the linear passes take about a millisecond.
    expect(ms).toBeLessThan(250);
  });

  it('costs about the same per character at 1 KB and at 16 KB (no quadratic step)', () => {
    const perChar = (n: number): number => {
      const text = 'Aé中😂1.@ab '.repeat(Math.ceil(n / 11)).slice(0, n);
      let best = Infinity;
      for (let round = 0; round < 5; round++) {
        const started = performance.now();
        for (let i = 0; i < 20; i++) moderateViewerText(text, wide);
        best = Math.min(best, (performance.now() - started) / 20 / n);
      }
      return best;
    };
    perChar(16_000); // warm up
    // Linear: the ratio is ~1 (up to ~1.5 with more garbage to collect). Quadratic work would make 16 KB cost 16× more per character.
    expect(perChar(16_000) / perChar(1000)).toBeLessThan(5);
  });
});

describe('finding links', () => {
  it('finds each kind and leaves ordinary text alone', () => {
    expect(findLinks('see https://a.io/x, www.b.org, c.shop/sale, d@e.com, @handle and f dot com').map((l) => l.kind))
      .toEqual(['url', 'url', 'domain', 'email', 'handle', 'domain']);
    expect(findLinks('e.g. i.e. U.S. Node.js ASP.NET 3.50 end.Then version 2.1.3 a@b')).toEqual([]);
  });
});
