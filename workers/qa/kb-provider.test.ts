import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import pino from 'pino';
import { redisKeys, type AnswerContext, type KnowledgeBase } from '../../protocol/index.js';
import { deletePrefix, redisUrl, testPrefix } from '../../test/helpers/redis.js';
import type { AnswerSentence } from './answer-provider.js';
import { KbProvider } from './kb-provider.js';
import { KbIndexCache } from './kb-index.js';
import { KbStore } from './kb-store.js';

const context = (over: Partial<AnswerContext> = {}): AnswerContext => ({
  language: 'en-US', persona: 'A friendly host.', answers: 'kb', fallbackLine: 'Good question! Let me check and come back to you.',
  blocklist: [], maxAnswerChars: 500, voice: {}, ...over,
});

const EN_KB: KnowledgeBase = {
  qa: [
    { question: 'When does the show start?', answer: 'The show starts at 8 p.m. every Friday. Join early!' },
    { question: 'Where is the show held?', answer: 'We stream from our studio in Lyon.' },
    { question: 'How much do tickets cost?', answer: 'Tickets cost 20 euros.' },
    { question: 'Can I get a refund?', answer: 'Refunds are possible up to 48 hours before the show.' },
  ],
  facts: ['The host speaks English, French and German.', 'Parking is free behind the studio.'],
};

const ZH_KB: KnowledgeBase = {
  qa: [
    { question: '直播几点开始？', answer: '直播每晚八点开始。欢迎准时来！' },
    { question: '这个产品多少钱？', answer: '这款产品售价九十九元。' },
    { question: '支持退货吗？', answer: '七天内无理由退货。' },
  ],
  facts: ['本店只在周末发货。'],
};

async function answer(provider: KbProvider, question: string, kb: KnowledgeBase, ctx = context()): Promise<AnswerSentence[]> {
  const out: AnswerSentence[] = [];
  const input = { room: 'r1', questionId: 'q1', question, context: ctx, kb, signal: new AbortController().signal };
  for await (const s of provider.answer(input)) out.push(s);
  return out;
}

describe('kb provider', () => {
  const provider = new KbProvider();

  it('picks the matching Q&A pair and splits its answer into sentences', async () => {
    const s = await answer(provider, 'what time does the show start?', EN_KB);
    expect(s).toEqual([
      { text: 'The show starts at 8 p.m. every Friday.', last: false, source: 'kb', basis: { text: 'When does the show start?', confidence: expect.any(Number) } },
      { text: 'Join early!', last: true, source: 'kb', basis: { text: 'When does the show start?', confidence: expect.any(Number) } },
    ]);
    // The basis is what an operator reviewing the draft sees: the entry matched, and how sure the engine was.
    expect(s[0]!.basis!.confidence).toBeGreaterThanOrEqual(provider.minConfidence);
    expect((await answer(provider, 'where is the show?', EN_KB))[0]!.text).toBe('We stream from our studio in Lyon.');
    expect((await answer(provider, 'How much is a ticket?', EN_KB))[0]!.text).toBe('Tickets cost 20 euros.');
  });

  it('answers from a fact when no Q&A pair matches', async () => {
    const s = await answer(provider, 'Is parking free?', EN_KB);
    expect(s.map((x) => x.text)).toEqual(['Parking is free behind the studio.']);
  });

  it('tolerates a typo in a longer word', async () => {
    expect((await answer(provider, 'can I get a refnud?', EN_KB))[0]!.text).toMatch(/^Refunds/);
  });

  it('says the fallback line below the confidence threshold', async () => {
    const s = await answer(provider, 'What is the weather on Mars tomorrow?', EN_KB);
    expect(s).toEqual([
      { text: 'Good question!', last: false, source: 'fallback' },
      { text: 'Let me check and come back to you.', last: true, source: 'fallback' },
    ]);
    expect((await answer(provider, 'what?', EN_KB))[0]!.source).toBe('fallback');
    expect((await answer(provider, 'when does the show start?', { qa: [], facts: [] }))[0]!.source).toBe('fallback');
  });

  it('answers from a Chinese knowledge base and falls back on an unrelated question', async () => {
    const zh = context({ language: 'zh-CN', fallbackLine: '这个问题我先记下来。' });
    expect((await answer(provider, '直播什么时候开始？', ZH_KB, zh)).map((s) => s.text)).toEqual(['直播每晚八点开始。', '欢迎准时来！']);
    expect((await answer(provider, '产品多少钱', ZH_KB, zh))[0]!.text).toBe('这款产品售价九十九元。');
    expect((await answer(provider, '可以退货吗', ZH_KB, zh))[0]!.text).toBe('七天内无理由退货。');
    expect((await answer(provider, '周末发货吗？', ZH_KB, zh))[0]!.text).toBe('本店只在周末发货。');
    expect(await answer(provider, '明天天气怎么样？', ZH_KB, zh)).toEqual([{ text: '这个问题我先记下来。', last: true, source: 'fallback' }]);
  });

  it('rejects a confidence threshold outside (0, 1]', () => {
    expect(() => new KbProvider({ minConfidence: 0 })).toThrow(/minConfidence/);
  });
});

describe('kb store', () => {
  let prefix = '';
  afterEach(async () => { await deletePrefix(prefix); });

  it('reads the room KB from Redis and rebuilds the index when the JSON changes', async () => {
    prefix = testPrefix('kbstore');
    const redis = new Redis(redisUrl());
    try {
      const store = new KbStore(redis, prefix, pino({ level: 'silent' }));
      const indexes = new KbIndexCache();
      const provider = new KbProvider({ indexes });
      expect(await store.load('r1')).toEqual({ qa: [], facts: [] });

      await redis.set(redisKeys(prefix).kb('r1'), JSON.stringify(EN_KB));
      const first = await store.load('r1');
      expect(await store.load('r1')).toBe(first);
      expect(indexes.get(first)).toBe(indexes.get(await store.load('r1')));
      expect(provider.best({ question: 'ticket price?', kb: first })?.answer).toBe('Tickets cost 20 euros.');

      const edited = { ...EN_KB, qa: [{ question: 'How much do tickets cost?', answer: 'Tickets are free now.' }] };
      await redis.set(redisKeys(prefix).kb('r1'), JSON.stringify(edited));
      const second = await store.load('r1');
      expect(second).not.toBe(first);
      expect(provider.best({ question: 'ticket price?', kb: second })?.answer).toBe('Tickets are free now.');

      await redis.set(redisKeys(prefix).kb('r1'), '{"qa": "nope"}');
      expect(await store.load('r1')).toEqual({ qa: [], facts: [] });
    } finally {
      await redis.quit();
    }
  });
});
