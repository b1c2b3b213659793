import { describe, expect, it } from 'vitest';
import { SentenceSplitter, splitSentences } from './sentence-splitter.js';

/** Feeds text one character at a time, the worst case for an incremental splitter. */
function streamed(text: string, maxChars?: number): { pushed: string[]; flushed: string[] } {
  const splitter = new SentenceSplitter(maxChars ? { maxChars } : {});
  const pushed: string[] = [];
  for (const ch of text) pushed.push(...splitter.push(ch));
  return { pushed, flushed: splitter.flush() };
}

const all = (text: string, maxChars?: number): string[] => {
  const { pushed, flushed } = streamed(text, maxChars);
  return [...pushed, ...flushed];
};

describe('SentenceSplitter', () => {
  it('splits Latin sentences on . ! and ?', () => {
    expect(all('Hello there. How are you? Great!')).toEqual(['Hello there.', 'How are you?', 'Great!']);
  });

  it('emits a sentence as soon as the next one starts, and keeps the last one for flush', () => {
    const splitter = new SentenceSplitter();
    expect(splitter.push('Hello there.')).toEqual([]);
    expect(splitter.push(' ')).toEqual([]);
    expect(splitter.push('H')).toEqual(['Hello there.']);
    expect(splitter.push('ow are you?')).toEqual([]);
    expect(splitter.flush()).toEqual(['How are you?']);
  });

  it('gives the same sentences whether text arrives whole or character by character', () => {
    const text = 'Dr. Smith paid $1,000.50 on Jan. 3rd, i.e. yesterday. Visit https://example.com/a.b?c=d today! 他来了。你呢？';
    expect(all(text)).toEqual(splitSentences(text));
    expect(splitSentences(text)).toEqual([
      'Dr. Smith paid $1,000.50 on Jan. 3rd, i.e. yesterday.',
      'Visit https://example.com/a.b?c=d today!',
      '他来了。',
      '你呢？',
    ]);
  });

  it('keeps closing quotes and brackets with their sentence', () => {
    expect(all('She said "stop." Then (quietly.) she left.')).toEqual(['She said "stop."', 'Then (quietly.)', 'she left.']);
    expect(all('他说：“好的。”然后走了。')).toEqual(['他说：“好的。”', '然后走了。']);
  });

  it('never cuts inside numbers', () => {
    expect(all('Pi is 3.14 and the price is 1,000.5 euros. Done.')).toEqual(['Pi is 3.14 and the price is 1,000.5 euros.', 'Done.']);
    expect(all('The version is 2.0.1 now.')).toEqual(['The version is 2.0.1 now.']);
  });

  it('never cuts after titles and common abbreviations', () => {
    expect(all('Mr. Brown met Mrs. Green and Prof. White. They talked.')).toEqual([
      'Mr. Brown met Mrs. Green and Prof. White.', 'They talked.',
    ]);
    expect(all('Bring fruit, e.g. apples, i.e. red ones. Thanks.')).toEqual(['Bring fruit, e.g. apples, i.e. red ones.', 'Thanks.']);
    expect(all('He moved to the U.S. last year. Nice.')).toEqual(['He moved to the U.S. last year.', 'Nice.']);
    expect(all('J. K. Rowling wrote it. Yes.')).toEqual(['J. K. Rowling wrote it.', 'Yes.']);
  });

  it('ends at a soft abbreviation only before a capitalised word', () => {
    expect(all('We sell pens, paper, etc. and more. Also books, etc. Come by.')).toEqual([
      'We sell pens, paper, etc. and more.', 'Also books, etc.', 'Come by.',
    ]);
    expect(all('The show starts at 8 p.m. See you there.')).toEqual(['The show starts at 8 p.m.', 'See you there.']);
    expect(all('Seat no. 5 is free.')).toEqual(['Seat no. 5 is free.']);
  });

  it('treats the pronoun I before a period as a sentence end', () => {
    expect(all('So do I. Really.')).toEqual(['So do I.', 'Really.']);
  });

  it('keeps an ellipsis inside a sentence but ends at one before a new sentence', () => {
    expect(all('Well... maybe later. Wait… What?')).toEqual(['Well... maybe later.', 'Wait…', 'What?']);
    expect(all('好吧……我们开始吧。')).toEqual(['好吧……', '我们开始吧。']);
  });

  it('splits Chinese on 。！？； without spaces', () => {
    expect(all('欢迎来到直播间！今天我们聊天；你好吗？很好。')).toEqual(['欢迎来到直播间！', '今天我们聊天；', '你好吗？', '很好。']);
  });

  it('splits on newlines and ignores blank lines', () => {
    expect(all('First line\n\nSecond line\n')).toEqual(['First line', 'Second line']);
  });

  it('does not treat a list enumerator as a sentence end', () => {
    expect(all('1. Open the app\n2. Sign in')).toEqual(['1. Open the app', '2. Sign in']);
  });

  it('cuts a run-on sentence at a comma past the cap so speech starts early', () => {
    const text = 'This is a long sentence without a full stop, which keeps going and going for a while, and still goes on further than anyone wants';
    const { pushed, flushed } = streamed(text, 60);
    expect(pushed.length).toBeGreaterThan(0);
    for (const s of pushed) expect(s.length).toBeLessThanOrEqual(60);
    expect(pushed[0]).toBe('This is a long sentence without a full stop,');
    expect([...pushed, ...flushed].join(' ')).toBe(text);
  });

  it('cuts a run-on sentence at a space when it has no comma', () => {
    const words = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
    const parts = all(words, 50);
    for (const s of parts) expect(s.length).toBeLessThanOrEqual(50);
    expect(parts.join(' ')).toBe(words);
    expect(parts.every((p) => !p.startsWith(' ') && /^word\d+/.test(p))).toBe(true);
  });

  it('cuts an unpunctuated Chinese run at the cap', () => {
    const text = '我'.repeat(70);
    const parts = all(text, 30);
    expect(parts.join('')).toBe(text);
    for (const s of parts) expect(s.length).toBeLessThanOrEqual(30);
  });

  it('flushes an unterminated tail and returns nothing for empty input', () => {
    expect(all('No punctuation at the end')).toEqual(['No punctuation at the end']);
    expect(all('   ')).toEqual([]);
    expect(new SentenceSplitter().flush()).toEqual([]);
  });

  it('handles ?! runs and URLs ending a sentence', () => {
    expect(all('Really?! Go to example.com. Then rest.')).toEqual(['Really?!', 'Go to example.com.', 'Then rest.']);
  });

  it('never emits a sentence with nothing speakable, and keeps the last speakable one for flush', () => {
    const { pushed, flushed } = streamed('Bye for now. 🙂');
    expect(pushed).toEqual([]);
    expect(flushed).toEqual(['Bye for now.']);
    expect(all('Hi. 🙂. There you go.')).toEqual(['Hi.', '🙂. There you go.']);
    expect(all('*** \n Title')).toEqual(['*** \n Title']);
  });

  it('rejects a cap too small to be useful', () => {
    expect(() => new SentenceSplitter({ maxChars: 5 })).toThrow(/maxChars/);
  });
});

describe('eager splitting', () => {
  const eager = () => new SentenceSplitter({ eager: true });

  it('ends a plain sentence at its full stop, before the next token arrives', () => {
    const s = eager();
    expect(s.push('It costs seventy nine dollars.')).toEqual(['It costs seventy nine dollars.']);
    expect(s.push(' Today it')).toEqual([]);
    expect(s.push(' is on sale!')).toEqual(['Today it is on sale!']);
    expect(s.flush()).toEqual([]);
  });

  it('still waits where the full stop may not end the sentence', () => {
    for (const text of ['It costs 3.', 'Ask Dr.', 'See fig.', 'Wait...', 'J.', 'It is approx.']) {
      const s = eager();
      expect(s.push(text), text).toEqual([]);
    }
    const s = eager();
    expect(s.push('It costs 3.')).toEqual([]);
    expect(s.push('50 today.')).toEqual(['It costs 3.50 today.']);
  });

  it('ends at question marks and CJK full stops at once', () => {
    expect(eager().push('Is it red?')).toEqual(['Is it red?']);
    expect(eager().push('价格是七十九美元。')).toEqual(['价格是七十九美元。']);
  });
});
