import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { AnswerContext, KnowledgeBase } from '../../protocol/index.js';
import { startOpenAiServer, type OpenAiServer } from '../../test/helpers/openai-server.js';
import type { AnswerSentence } from './answer-provider.js';
import { KbProvider } from './kb-provider.js';
import { createOpenAiClient, OpenAiProvider, type Deadlines, type OpenAiProviderOptions } from './openai-provider.js';

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

/** Deadlines that never expire: no test below depends on how fast this machine is. */
const NEVER: Deadlines = { after: () => ({ cancel() {} }) };

/** Deadlines the test expires by hand, when the behaviour it checks is in place. */
class ManualDeadlines implements Deadlines {
  readonly pending: Array<{ ms: number; expire: () => void; live: boolean }> = [];
  after(ms: number, expire: () => void) {
    const d = { ms, expire, live: true };
    this.pending.push(d);
    return { cancel: () => { d.live = false; } };
  }
  /** Expires every live deadline of `ms`; how many there were. */
  expire(ms: number): number {
    const due = this.pending.filter((d) => d.live && d.ms === ms);
    for (const d of due) {
      d.live = false;
      d.expire();
    }
    return due.length;
  }
}

const until = async (what: string, cond: () => boolean) => {
  for (const end = Date.now() + 20_000; !cond();) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

function provider(url: string, over: Partial<OpenAiProviderOptions> = {}): OpenAiProvider {
  return new OpenAiProvider({
    client: createOpenAiClient({ baseURL: url, apiKey: 'sk-test-secret' }),
    model: 'test-model', fallback: new KbProvider(), log, deadlines: NEVER, ...over,
  });
}

async function collect(p: OpenAiProvider, question: string, ctx = context()): Promise<AnswerSentence[]> {
  const out: AnswerSentence[] = [];
  const input = { room: 'r1', questionId: 'q1', question, context: ctx, kb: KB, signal: new AbortController().signal };
  for await (const s of p.answer(input)) out.push(s);
  return out;
}

describe('openai provider', () => {
  it('streams sentence by sentence: the first arrives before the model has written the rest', async () => {
    // The model stops right after the first sentence's full stop, until the test lets it go on.
    server = await startOpenAiServer({
      holdAfterTokens: 12, reply: () => 'The show starts at 8 p.m. on Fridays. Doors open an hour before. See you there!',
    });
    const p = provider(server.url);
    const input = { room: 'r1', questionId: 'q1', question: 'When does the show start?', context: context(), kb: KB, signal: new AbortController().signal };
    const sentences: AnswerSentence[] = [];
    for await (const s of p.answer(input)) {
      if (sentences.length === 0) {
        // Causal, not timed: the rest of the answer has not been written yet.
        expect(server.tokenTimes[0]).toHaveLength(12);
        expect(server.doneAt[0]).toBeUndefined();
        server.release();
      }
      sentences.push(s);
    }
    expect(sentences.map(({ text, last, source }) => ({ text, last, source }))).toEqual([
      { text: 'The show starts at 8 p.m. on Fridays.', last: false, source: 'openai' },
      { text: 'Doors open an hour before.', last: false, source: 'openai' },
      { text: 'See you there!', last: true, source: 'openai' },
    ]);
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
    // The model never sends a token; each attempt's first-token deadline expires once the request is in.
    server = await startOpenAiServer({ firstTokenMs: 10 * 60_000, reply: () => 'Too late.' });
    const deadlines = new ManualDeadlines();
    const answered = collect(provider(server.url, { firstTokenTimeoutMs: 150, deadlines }), 'When does the show start?');
    for (const n of [1, 2]) {
      await until(`request ${n}`, () => server!.requests.length === n);
      expect(deadlines.expire(150)).toBe(1);
    }
    expect((await answered).map((s) => s.source)).toEqual(['kb']);
    expect(server.requests).toHaveLength(2);
    await until('both requests hung up', () => server!.abortedAt.filter((t) => t !== undefined).length === 2);
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
    // Held after "One.": the stream can only end early if the client hangs up.
    server = await startOpenAiServer({ holdAfterTokens: 2, reply: () => 'One. Two. Three. Four. Five. Six. Seven. Eight.' });
    const p = provider(server.url);
    const input = { room: 'r1', questionId: 'q1', question: 'count', context: context(), kb: KB, signal: new AbortController().signal };
    for await (const s of p.answer(input)) {
      expect(s.text).toBe('One.');
      break;
    }
    // The client hung up: the server saw the request end before its stream did.
    await until('the request hung up', () => server!.abortedAt[0] !== undefined);
    expect(server.doneAt[0]).toBeUndefined();
  });
});
