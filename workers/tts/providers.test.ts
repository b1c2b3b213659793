import { PollyClient } from '@aws-sdk/client-polly';
import { describe, expect, it } from 'vitest';
import { TtsConfigError } from './errors.js';
import { createVoiceProviders } from './providers.js';

describe('createVoiceProviders', () => {
  it('always has the embedded engines, flite for English and espeak-ng for the rest', () => {
    const set = createVoiceProviders({});
    expect(set.names()).toEqual(['flite', 'espeak']);
    expect(set.preferred).toBeUndefined();
    expect(set.speaks('flite', 'en-GB')).toBe(true);
    expect(set.speaks('flite', 'zh-CN')).toBe(false);
    expect(set.speaks('espeak', 'zh-CN')).toBe(true);
  });

  it('enables the cloud providers that LIVEHOST_TTS_PROVIDERS lists', () => {
    const set = createVoiceProviders({
      LIVEHOST_TTS_PROVIDERS: 'polly, openai', LIVEHOST_TTS_PROVIDER: 'polly', AWS_REGION: 'eu-west-1', OPENAI_API_KEY: 'sk-x',
    });
    expect(set.names()).toEqual(['flite', 'espeak', 'polly', 'openai']);
    expect(set.preferred).toBe('polly');
  });

  it('lets a local OpenAI-compatible server go without an API key', () => {
    const set = createVoiceProviders({ LIVEHOST_TTS_PROVIDERS: 'openai', OPENAI_BASE_URL: 'http://127.0.0.1:8880/v1' });
    expect(set.names()).toContain('openai');
  });

  it('accepts an injected Polly client', () => {
    const set = createVoiceProviders({ LIVEHOST_TTS_PROVIDERS: 'polly' }, { pollyClient: new PollyClient({ region: 'eu-west-1' }) });
    expect(set.names()).toContain('polly');
  });

  it.each([
    [{ LIVEHOST_FLITE_BIN: '/nonexistent/flite' }, 'LIVEHOST_FLITE_BIN'],
    [{ LIVEHOST_ESPEAK_BIN: '/nonexistent/espeak-ng' }, 'LIVEHOST_ESPEAK_BIN'],
    [{ LIVEHOST_TTS_PROVIDERS: 'polly,azure' }, 'LIVEHOST_TTS_PROVIDERS'],
    [{ LIVEHOST_TTS_PROVIDERS: 'polly' }, 'AWS_REGION'],
    [{ LIVEHOST_TTS_PROVIDERS: 'polly', AWS_REGION: 'eu-west-1', LIVEHOST_POLLY_ENGINE: 'generative' }, 'LIVEHOST_POLLY_ENGINE'],
    [{ LIVEHOST_TTS_PROVIDERS: 'openai' }, 'OPENAI_API_KEY'],
    [{ LIVEHOST_TTS_PROVIDERS: 'openai', OPENAI_BASE_URL: 'file:///etc' }, 'OPENAI_BASE_URL'],
    [{ LIVEHOST_TTS_PROVIDER: 'polly' }, 'LIVEHOST_TTS_PROVIDER'],
    [{ LIVEHOST_TTS_PROVIDER: 'watson' }, 'LIVEHOST_TTS_PROVIDER'],
  ])('refuses %j with a message naming %s', (env, variable) => {
    expect(() => createVoiceProviders(env)).toThrow(TtsConfigError);
    expect(() => createVoiceProviders(env)).toThrow(new RegExp(`^${variable}:`));
  });

  it('never puts the API key in a configuration error', () => {
    try {
      createVoiceProviders({ LIVEHOST_TTS_PROVIDERS: 'openai', OPENAI_API_KEY: 'sk-secret', OPENAI_BASE_URL: 'ftp://x' });
    } catch (err) {
      expect((err as Error).message).not.toContain('sk-secret');
    }
  });
});
