import { spawnSync } from 'node:child_process';
import { PollyClient } from '@aws-sdk/client-polly';
import OpenAI from 'openai';
import { TTS_PROVIDERS } from '../../protocol/index.js';
import { EspeakProvider } from './espeak-provider.js';
import { TtsConfigError } from './errors.js';
import { FliteProvider } from './flite-provider.js';
import { OpenAiProvider } from './openai-provider.js';
import { PollyProvider } from './polly-provider.js';
import { VoiceProviderSet } from './voice-provider-set.js';
import type { TtsProviderName, VoiceProvider } from './voice-provider.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface VoiceProviderDeps {
  /** Injected clients (tests); otherwise built from the environment. */
  pollyClient?: PollyClient;
  openaiClient?: OpenAI;
}

const CLOUD = ['polly', 'openai'] as const;
/** One cloud call; a line is a sentence, so anything slower than this is a stuck request. */
const CLOUD_TIMEOUT_MS = 20_000;

/**
 * The voice providers the environment asks for, checked at start (a message names the
 * variable at fault):
 * - LIVEHOST_FLITE_BIN (default `flite`), LIVEHOST_ESPEAK_BIN (default `espeak-ng`):
 *   the embedded engines, always on; the binaries must exist.
 * - LIVEHOST_TTS_PROVIDERS: cloud providers to enable, comma-separated: `polly`, `openai`.
 * - LIVEHOST_TTS_PROVIDER: provider for jobs that name none (default: flite for English,
 *   espeak for other languages).
 * - polly: AWS_REGION (credentials from the default AWS chain), LIVEHOST_POLLY_ENGINE
 *   (`neural` default, or `standard`).
 * - openai: OPENAI_API_KEY (optional only with OPENAI_BASE_URL, for local servers),
 *   OPENAI_BASE_URL, LIVEHOST_OPENAI_TTS_MODEL (default `tts-1`).
 */
export function createVoiceProviders(env: Env = process.env, deps: VoiceProviderDeps = {}): VoiceProviderSet {
  const fliteBin = binary(env, 'LIVEHOST_FLITE_BIN', 'flite');
  const espeakBin = binary(env, 'LIVEHOST_ESPEAK_BIN', 'espeak-ng');
  const providers: VoiceProvider[] = [new FliteProvider({ bin: fliteBin }), new EspeakProvider({ bin: espeakBin })];

  const enabled = (env.LIVEHOST_TTS_PROVIDERS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of enabled) {
    if (!(CLOUD as readonly string[]).includes(name)) {
      throw new TtsConfigError('LIVEHOST_TTS_PROVIDERS', `unknown provider ${JSON.stringify(name.slice(0, 20))} (allowed: ${CLOUD.join(', ')})`);
    }
  }
  if (enabled.includes('polly')) providers.push(pollyFrom(env, deps));
  if (enabled.includes('openai')) providers.push(openaiFrom(env, deps));

  const preferred = env.LIVEHOST_TTS_PROVIDER?.trim() || undefined;
  if (preferred !== undefined) {
    if (!(TTS_PROVIDERS as readonly string[]).includes(preferred)) {
      throw new TtsConfigError('LIVEHOST_TTS_PROVIDER', `must be one of ${TTS_PROVIDERS.join(', ')}`);
    }
    if (!providers.some((p) => p.name === preferred)) {
      throw new TtsConfigError('LIVEHOST_TTS_PROVIDER', `${preferred} is not enabled; add it to LIVEHOST_TTS_PROVIDERS`);
    }
  }
  return new VoiceProviderSet(providers, { preferred: preferred as TtsProviderName | undefined });
}

function binary(env: Env, variable: string, fallback: string): string {
  const bin = env[variable]?.trim() || fallback;
  const probe = spawnSync(bin, ['--version'], { stdio: 'ignore', timeout: 5000 });
  // flite exits 1 after printing its version, so only a missing program counts as failure.
  if (probe.error) throw new TtsConfigError(variable, `cannot run ${JSON.stringify(bin)}: ${probe.error.message}`);
  return bin;
}

function pollyFrom(env: Env, deps: VoiceProviderDeps): VoiceProvider {
  const engine = env.LIVEHOST_POLLY_ENGINE?.trim() || 'neural';
  if (engine !== 'neural' && engine !== 'standard') {
    throw new TtsConfigError('LIVEHOST_POLLY_ENGINE', 'must be "neural" or "standard"');
  }
  let client = deps.pollyClient;
  if (!client) {
    const region = env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim();
    if (!region) throw new TtsConfigError('AWS_REGION', 'required when LIVEHOST_TTS_PROVIDERS includes polly');
    client = new PollyClient({ region, requestHandler: { requestTimeout: CLOUD_TIMEOUT_MS, connectionTimeout: 5000 } });
  }
  return new PollyProvider({ client, engine });
}

function openaiFrom(env: Env, deps: VoiceProviderDeps): VoiceProvider {
  const model = env.LIVEHOST_OPENAI_TTS_MODEL?.trim() || 'tts-1';
  let client = deps.openaiClient;
  if (!client) {
    const baseURL = env.OPENAI_BASE_URL?.trim() || undefined;
    if (baseURL) {
      try {
        if (!['http:', 'https:'].includes(new URL(baseURL).protocol)) throw new Error('protocol');
      } catch {
        throw new TtsConfigError('OPENAI_BASE_URL', 'must be an http(s) URL');
      }
    }
    const apiKey = env.OPENAI_API_KEY?.trim();
    if (!apiKey && !baseURL) throw new TtsConfigError('OPENAI_API_KEY', 'required when LIVEHOST_TTS_PROVIDERS includes openai');
    // Local OpenAI-compatible servers often need no key; the SDK still wants a string.
    client = new OpenAI({ apiKey: apiKey || 'not-needed', baseURL, timeout: CLOUD_TIMEOUT_MS, maxRetries: 1 });
  }
  return new OpenAiProvider({ client, model });
}
