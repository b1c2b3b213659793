import { afterEach, describe, expect, it } from 'vitest';
import { startModerationServer, type ModerationServer } from '../test/helpers/moderation-server.js';
import { createModerationProvider, describeModerationConfig, loadModerationConfig } from './config.js';

let server: ModerationServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const provider = (url: string, timeoutMs = 5000) =>
  createModerationProvider(loadModerationConfig({
    LIVEHOST_MODERATION: 'openai', LIVEHOST_MODERATION_BASE_URL: url, OPENAI_API_KEY: 'sk-test-secret', LIVEHOST_MODERATION_TIMEOUT_MS: String(timeoutMs),
  }));

describe('openai moderation provider (local server, OpenAI wire format)', () => {
  it('passes a clean line, and sends what the voice will say with the key as a bearer', async () => {
    server = await startModerationServer();
    const verdict = await provider(server.url).moderate('Welcome <b>to</b> the show!');
    expect(verdict).toEqual({ ok: true });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.body).toEqual({ model: 'omni-moderation-latest', input: 'Welcome to the show!' });
    expect(server.requests[0]!.authorization).toBe('Bearer sk-test-secret');
  });

  it('rejects a line the endpoint flags, naming its categories', async () => {
    server = await startModerationServer({ categorize: (input) => (input.includes('hurt') ? ['violence', 'harassment/threatening'] : []) });
    const verdict = await provider(server.url).moderate('I will hurt you.');
    expect(verdict).toEqual({
      ok: false, reason: 'moderation', action: 'reject', detail: 'flagged by omni-moderation-latest: harassment/threatening, violence',
    });
  });

  it('flags the line, with the reason and without the key, when the endpoint fails', async () => {
    server = await startModerationServer({ failWith: 500 });
    const verdict = await provider(server.url).moderate('A perfectly fine line.');
    expect(verdict).toMatchObject({ ok: false, reason: 'moderation', action: 'flag' });
    expect(!verdict.ok && verdict.detail).toContain('HTTP 500');
    expect(JSON.stringify(verdict)).not.toContain('sk-test-secret');
  });

  it('flags the line when the endpoint does not answer in time, and returns at the timeout', async () => {
    server = await startModerationServer({ delayMs: 10_000 });
    const started = Date.now();
    const verdict = await provider(server.url, 200).moderate('A line nobody judged.');
    expect(verdict).toMatchObject({ ok: false, reason: 'moderation', action: 'flag' });
    expect(!verdict.ok && verdict.detail).toContain('no verdict within 200 ms');
    // Returns at its own timeout, far before the endpoint would have answered.
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('flags the line when nothing listens at the endpoint', async () => {
    server = await startModerationServer();
    const url = server.url;
    await server.close();
    server = undefined;
    expect(await provider(url).moderate('Hello.')).toMatchObject({ ok: false, action: 'flag', detail: expect.stringContaining('connection failed') });
  });

  it('stops waiting when the answer is cancelled', async () => {
    server = await startModerationServer({ delayMs: 10_000 });
    const stop = new AbortController();
    const pending = provider(server.url, 20_000).moderate('Hello there.', stop.signal);
    setTimeout(() => stop.abort(), 50);
    expect(await pending).toMatchObject({ ok: false, action: 'flag', detail: expect.stringContaining('stopped') });
  });
});

describe('moderation settings', () => {
  it('is off by default', () => {
    expect(loadModerationConfig({})).toEqual({ provider: 'none' });
    expect(createModerationProvider({ provider: 'none' }).name).toBe('none');
  });

  it('takes the answers\' endpoint unless the moderation endpoint is set', () => {
    expect(loadModerationConfig({ LIVEHOST_MODERATION: 'openai', OPENAI_API_KEY: 'sk-a' }))
      .toEqual({ provider: 'openai', baseURL: undefined, apiKey: 'sk-a', model: 'omni-moderation-latest', timeoutMs: 2000 });
    expect(loadModerationConfig({ LIVEHOST_MODERATION: 'openai', OPENAI_BASE_URL: 'http://127.0.0.1:1/v1', LIVEHOST_MODERATION_BASE_URL: 'https://api.openai.com/v1', LIVEHOST_MODERATION_API_KEY: 'sk-m' }))
      .toMatchObject({ baseURL: 'https://api.openai.com/v1', apiKey: 'sk-m' });
  });

  it.each([
    [{ LIVEHOST_MODERATION: 'perspective' }, 'LIVEHOST_MODERATION'],
    [{ LIVEHOST_MODERATION: 'openai' }, 'LIVEHOST_MODERATION'],
    [{ LIVEHOST_MODERATION: 'openai', LIVEHOST_MODERATION_BASE_URL: 'ftp://x' }, 'LIVEHOST_MODERATION_BASE_URL'],
    [{ LIVEHOST_MODERATION: 'openai', OPENAI_API_KEY: 'k', LIVEHOST_MODERATION_TIMEOUT_MS: '10' }, 'LIVEHOST_MODERATION_TIMEOUT_MS'],
  ])('refuses %j naming %s', (env, variable) => {
    expect(() => loadModerationConfig(env)).toThrow(new RegExp(`^${variable}: `));
  });

  it('describes itself without the key', () => {
    const text = JSON.stringify(describeModerationConfig(loadModerationConfig({ LIVEHOST_MODERATION: 'openai', OPENAI_API_KEY: 'sk-very-secret' })));
    expect(text).not.toContain('sk-very-secret');
    expect(text).toContain('"apiKey":"set"');
  });
});
