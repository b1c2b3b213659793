import { describe, expect, it } from 'vitest';
import { DEFAULT_MIN_CONFIDENCE } from '../retrieval/index.js';
import { describeConfig, loadWorkersConfig } from './config.js';

describe('workers config', () => {
  it('has working defaults with no LLM configured', () => {
    const c = loadWorkersConfig({});
    expect(c).toMatchObject({
      redisUrl: 'redis://127.0.0.1:6379', redisPrefix: 'livehost', answers: 'auto', llm: null,
      kbMinConfidence: DEFAULT_MIN_CONFIDENCE, qaConcurrency: 4, ttsConcurrency: 2, jobLockMs: 5000,
    });
  });

  it('enables the LLM with OPENAI_BASE_URL alone (local servers) or OPENAI_API_KEY alone (OpenAI)', () => {
    expect(loadWorkersConfig({ OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1', LIVEHOST_LLM_MODEL: 'llama3' }).llm)
      .toMatchObject({ baseURL: 'http://127.0.0.1:11434/v1', apiKey: undefined, model: 'llama3' });
    expect(loadWorkersConfig({ OPENAI_API_KEY: 'sk-x' }).llm).toMatchObject({ baseURL: undefined, model: 'gpt-4o-mini' });
  });

  it('never calls an LLM with LIVEHOST_ANSWERS=kb', () => {
    expect(loadWorkersConfig({ LIVEHOST_ANSWERS: 'kb', OPENAI_API_KEY: 'sk-x' }).llm).toBeNull();
  });

  it.each([
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL'],
    [{ LIVEHOST_REDIS_PREFIX: 'a b' }, 'LIVEHOST_REDIS_PREFIX'],
    [{ LIVEHOST_ANSWERS: 'gpt' }, 'LIVEHOST_ANSWERS'],
    [{ LIVEHOST_ANSWERS: 'openai' }, 'OPENAI_BASE_URL'],
    [{ OPENAI_BASE_URL: 'ftp://x' }, 'OPENAI_BASE_URL'],
    [{ LIVEHOST_QA_CONCURRENCY: '0' }, 'LIVEHOST_QA_CONCURRENCY'],
    [{ LIVEHOST_TTS_CONCURRENCY: '2.5' }, 'LIVEHOST_TTS_CONCURRENCY'],
    [{ LIVEHOST_KB_MIN_CONFIDENCE: '2' }, 'LIVEHOST_KB_MIN_CONFIDENCE'],
    [{ LIVEHOST_LLM_FIRST_TOKEN_MS: '9000', LIVEHOST_LLM_TIMEOUT_MS: '5000' }, 'LIVEHOST_LLM_TIMEOUT_MS'],
    [{ LIVEHOST_MODERATION: 'yes' }, 'LIVEHOST_MODERATION'],
    [{ LIVEHOST_MODERATION: 'openai' }, 'LIVEHOST_MODERATION'],
    [{ LIVEHOST_MODERATION: 'openai', OPENAI_API_KEY: 'sk-x', LIVEHOST_MODERATION_TIMEOUT_MS: 'soon' }, 'LIVEHOST_MODERATION_TIMEOUT_MS'],
  ])('rejects %j naming %s', (env, variable) => {
    expect(() => loadWorkersConfig(env)).toThrow(new RegExp(`^${variable}: `));
  });

  it('moderates answers through the OpenAI-compatible endpoint only when asked', () => {
    expect(loadWorkersConfig({ OPENAI_API_KEY: 'sk-x' }).moderation).toEqual({ provider: 'none' });
    expect(loadWorkersConfig({ OPENAI_API_KEY: 'sk-x', LIVEHOST_MODERATION: 'openai' }).moderation)
      .toMatchObject({ provider: 'openai', apiKey: 'sk-x', model: 'omni-moderation-latest', timeoutMs: 2000 });
    const text = JSON.stringify(describeConfig(loadWorkersConfig({ LIVEHOST_MODERATION: 'openai', LIVEHOST_MODERATION_API_KEY: 'sk-moderation-secret' })));
    expect(text).not.toContain('sk-moderation-secret');
  });

  it('describes itself for the logs without the API key or Redis password', () => {
    const text = JSON.stringify(describeConfig(loadWorkersConfig({ OPENAI_API_KEY: 'sk-very-secret', REDIS_URL: 'redis://user:pw@host:6379' })));
    expect(text).not.toContain('sk-very-secret');
    expect(text).not.toContain('pw@');
    expect(text).toContain('"apiKey":"set"');
  });
});
