import { afterEach, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { startOpenAiServer, toTokens, type OpenAiServer } from './openai-server.js';

let server: OpenAiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('local OpenAI-compatible server', () => {
  it('answers a non-streaming chat completion through the openai SDK', async () => {
    server = await startOpenAiServer({ reply: (messages) => `You said: ${messages.at(-1)?.content}` });
    const client = new OpenAI({ baseURL: server.url, apiKey: 'k', maxRetries: 0 });
    const res = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.choices[0]?.message.content).toBe('You said: hi');
    expect(server.requests[0]?.body).toMatchObject({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
  });

  it('streams tokens after the first-token delay, paced, ending with [DONE]', async () => {
    server = await startOpenAiServer({ firstTokenMs: 120, tokensPerSecond: 50, reply: () => 'One two three four five.' });
    const client = new OpenAI({ baseURL: server.url, apiKey: 'k', maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'count' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('One two three four five.');
    const times = server.tokenTimes[0]!;
    expect(times).toHaveLength(toTokens(text).length);
    expect(times[0]! - server.requests[0]!.at).toBeGreaterThanOrEqual(110);
    // 6 tokens at 50/s, paced from the stream's start: the last is written at least the first-token
    // delay plus 5 gaps after the request came in (a lower bound: a loaded machine only adds to it).
    expect(times.at(-1)! - server.requests[0]!.at).toBeGreaterThanOrEqual(120 + 5 * 20 - 10);
    expect(server.doneAt[0]).toBeGreaterThanOrEqual(times.at(-1)!);
  });

  it('fails the first requests with HTTP 500 when asked to', async () => {
    server = await startOpenAiServer({ failFirst: 1 });
    const client = new OpenAI({ baseURL: server.url, apiKey: 'k', maxRetries: 0 });
    await expect(client.chat.completions.create({ model: 'm', messages: [] })).rejects.toMatchObject({ status: 500 });
    await expect(client.chat.completions.create({ model: 'm', messages: [] })).resolves.toBeTruthy();
  });

  it('splits text into word, punctuation and CJK-character tokens', () => {
    expect(toTokens('Hi, there. 你好！')).toEqual(['Hi', ',', ' there', '.', ' 你', '好', '！']);
  });
});
