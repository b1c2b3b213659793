import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { AnswerContext, KnowledgeBase } from '../../protocol/index.js';
import { startOpenAiServer, type OpenAiServer } from '../../test/helpers/openai-server.js';
import type { AnswerSentence } from './answer-provider.js';
import { KbProvider } from './kb-provider.js';
import { createOpenAiClient, OpenAiProvider, type OpenAiProviderOptions } from './openai-provider.js';

const log = pino({ level: 'silent' });
const KB: KnowledgeBase = {
  qa: [{ question: 'When does the show start?', answer: 'The show starts at 8 p.m. on Fridays.' }],
  facts: ['Tickets cost 20 euros.'],
};
const context = (over: Partial<AnswerContext> = {}): AnswerContext => ({
  language: 'fr-FR', persona: 'You are Lina, a cheerful host.', answers: 'openai', fallbackLine: 'I will check that for you.',
  blocklist: [], maxAnswerChars: 400, voice: {}, ...over,
});

let server: OpenAiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function provider(url: string, over: Partial<OpenAiProviderOptions> = {}): OpenAiProvider {
  return new OpenAiProvider({
    client: createOpenAiClient({ baseURL: url, apiKey: 'sk-test-secret' }),
    model: 'test-model', fallback: new KbProvider(), log, ...over,
  });
}

async function collect(p: OpenAiProvider, question: string, ctx = context()): Promise<Array<AnswerSentence & { at: number }>> {
  const out: Array<AnswerSentence & { at: number }> = [];
  const input = { room: 'r1', questionId: 'q1', question, context: ctx, kb: KB, signal: new AbortController().signal };
  for await (const s of p.answer(input)) out.push({ ...s, at: Date.now() });
  return out;
}

describe('openai provider', () => {
  it('streams sentence by sentence: the first arrives before the model has finished', async () => {
    server = await startOpenAiServer({
      firstTokenMs: 50, tokensPerSecond: 60,
      reply: () => 'The show starts at 8 p.m. on Fridays. Doors open an hour before. See you there!',
    });
    const sentences = await collect(provider(server.url), 'When does the show start?');
    expect(sentences.map(({ text, last, source }) => ({ text, last, source }))).toEqual([
      { text: 'The show starts at 8 p.m. on Fridays.', last: false, source: 'openai' },
      { text: 'Doors open an hour before.', last: false, source: 'openai' },
      { text: 'See you there!', last: true, source: 'openai' },
    ]);
    const done = server.doneAt[0]!;
    expect(sentences[0]!.at).toBeLessThan(done);
    expect(sentences[1]!.at).toBeLessThan(done);
    // The first sentence was released while tokens of the second were still being written.
    expect(sentences[0]!.at).toBeLessThan(server.tokenTimes[0]!.at(-1)!);
  });

  it('sends the persona, the room language, the length cap and the KB hits, and streams', async () => {
    server = await startOpenAiServer({ reply: () => 'Bonjour.' });
    await collect(provider(server.url, { model: 'llama3' }), 'When does the show start?');
    expect(server.requests).toHaveLength(1);
    const { body, authorization } = server.requests[0]!;
    expect(body.model).toBe('llama3');
    expect(body.stream).toBe(true);
    expect(authorization).toBe('Bearer sk-test-secret');
    const [system, user] = body.messages;
    expect(system!.role).toBe('system');
    expect(system!.content).toContain('You are Lina, a cheerful host.');
    expect(system!.content).toContain('Answer in French.');
    expect(system!.content).toContain('under 400 characters');
    expect(system!.content).toContain('Q: When does the show start?\n  A: The show starts at 8 p.m. on Fridays.');
    expect(user).toEqual({ role: 'user', content: 'When does the show start?' });
  });

  it('retries once when the first attempt fails', async () => {
    server = await startOpenAiServer({ failFirst: 1, reply: () => 'Second time lucky.' });
    const sentences = await collect(provider(server.url), 'hi');
    expect(sentences.map((s) => [s.text, s.source])).toEqual([['Second time lucky.', 'openai']]);
    expect(server.requests).toHaveLength(2);
  });

  it('answers from the knowledge base when the LLM keeps failing', async () => {
    server = await startOpenAiServer({ failFirst: 10 });
    const sentences = await collect(provider(server.url), 'When does the show start?');
    expect(sentences.map(({ text, last, source }) => ({ text, last, source }))).toEqual([
      { text: 'The show starts at 8 p.m. on Fridays.', last: true, source: 'kb' },
    ]);
    expect(server.requests).toHaveLength(2);
  });

  it('answers from the knowledge base when no token arrives in time', async () => {
    server = await startOpenAiServer({ firstTokenMs: 3000, reply: () => 'Too late.' });
    const started = Date.now();
    const sentences = await collect(provider(server.url, { firstTokenTimeoutMs: 150 }), 'When does the show start?');
    expect(sentences.map((s) => s.source)).toEqual(['kb']);
    expect(server.requests).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('says the fallback line when the LLM is unreachable and the KB has no answer', async () => {
    server = await startOpenAiServer();
    const url = server.url;
    await server.close();
    server = undefined;
    const sentences = await collect(provider(url), 'What is the meaning of life?');
    expect(sentences.map(({ text, source }) => [text, source])).toEqual([['I will check that for you.', 'fallback']]);
  });

  it('ends the answer where the stream broke once sentences were spoken, without repeating them', async () => {
    server = await startOpenAiServer({ reply: () => 'First part is here. Second part never finishes because', dropAfterTokens: 8 });
    const sentences = await collect(provider(server.url), 'tell me');
    expect(sentences.map(({ text, last }) => [text, last])).toEqual([['First part is here.', false]]);
    expect(server.requests).toHaveLength(1);
  });

  it('stops the HTTP stream when the consumer stops early', async () => {
    server = await startOpenAiServer({ tokensPerSecond: 50, reply: () => 'One. Two. Three. Four. Five. Six. Seven. Eight.' });
    const p = provider(server.url);
    const input = { room: 'r1', questionId: 'q1', question: 'count', context: context(), kb: KB, signal: new AbortController().signal };
    for await (const s of p.answer(input)) {
      expect(s.text).toBe('One.');
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(server.doneAt[0]).toBeUndefined();
  });
});
