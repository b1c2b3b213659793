import type { Logger } from 'pino';
import { compile, SpeechTimeline, type Language, type SegmentReady, type TtsJobData } from '../../protocol/index.js';
import { ASSET_CONTENT_TYPES, assetKeyFor } from '../../assets/asset-key.js';
import type { AssetStore } from '../../assets/asset-store.js';
import { blendshapeTrack } from './blendshapes.js';
import { moveLeadInToTail } from './lead-in.js';
import { UnsupportedLanguageError } from './errors.js';
import { cleanText } from './text-cleaner.js';
import { embeddedProviderFor, resolveProsody, resolveVoice } from './voice-catalog.js';
import type { VoiceProviderSet } from './voice-provider-set.js';
import type { TtsProviderName } from './voice-provider.js';

export interface SynthesizeLineDeps {
  store: AssetStore;
  providers: VoiceProviderSet;
  logger?: Logger;
  /** Text cap handed to cleanText (default 1,000 chars). */
  maxChars?: number;
  signal?: AbortSignal;
}

/** What `${key}.json` holds beside `${key}.wav`. */
interface StoredLine {
  format: 'wav';
  sampleRate: number;
  channels: 1;
  timeline: SpeechTimeline;
}

const timelineValidator = compile(SpeechTimeline);

// Two jobs for the same line at once (a repeated question) share one synthesis.
const inflight = new WeakMap<AssetStore, Map<string, Promise<StoredLine>>>();

/**
 * One line of speech: cleaned, served from the content-addressed store when the same
 * text was already spoken with the same voice, otherwise synthesized and stored. A cloud
 * provider that fails falls back to the embedded engine for the language, so a show
 * keeps talking through a cloud outage.
 */
export async function synthesizeLine(job: TtsJobData, deps: SynthesizeLineDeps): Promise<SegmentReady> {
  const text = cleanText(job.text, { maxChars: deps.maxChars });
  const voice = resolveVoice(job.language, job.voice.voice);
  const prosody = resolveProsody(job.voice.prosody);
  const chain = providerChain(job.voice.provider ?? deps.providers.preferred, job.language, deps.providers);
  if (!chain.length) throw new UnsupportedLanguageError(job.language);

  let lastError: unknown;
  for (const name of chain) {
    const key = assetKeyFor(name, voice, prosody, text);
    let cached = true;
    try {
      const line = await once(deps.store, key, async () => {
        const found = await load(deps.store, key);
        if (found) return found;
        cached = false;
        const provider = deps.providers.get(name)!;
        // The line speaks from its first moment; its lead-in silence plays after it instead.
        const result = moveLeadInToTail(await provider.synthesize({ text, language: job.language, voice, prosody, signal: deps.signal }));
        const stored: StoredLine = { format: 'wav', sampleRate: result.sampleRate, channels: 1, timeline: result.timeline };
        // The timeline is written last: its presence is what marks the line complete.
        await deps.store.put(`${key}.wav`, result.audio, ASSET_CONTENT_TYPES.wav);
        await deps.store.put(`${key}.json`, Buffer.from(JSON.stringify(stored)), ASSET_CONTENT_TYPES.json);
        return stored;
      });
      const timeline = job.blendshapes ? { ...line.timeline, blendshapes: blendshapeTrack(line.timeline) } : line.timeline;
      const audioKey = `${key}.wav`;
      return {
        ...job,
        text,
        voice: { provider: name, voice, prosody },
        audio: { key: audioKey, url: deps.store.url(audioKey), format: 'wav', sampleRate: line.sampleRate, channels: line.channels },
        durationMs: timeline.durationMs,
        timeline,
        timing: { ...job.timing, voice: name, cached },
      };
    } catch (err) {
      lastError = err;
      if (name === chain[chain.length - 1]) break;
      deps.logger?.warn({ provider: name, segmentId: job.segmentId, err: (err as Error).message }, 'voice provider failed, falling back');
    }
  }
  throw lastError;
}

/** The requested provider (if it speaks the language), then the embedded engines. */
function providerChain(requested: TtsProviderName | undefined, language: Language, providers: VoiceProviderSet): TtsProviderName[] {
  const chain: TtsProviderName[] = [];
  for (const name of [requested, embeddedProviderFor(language), 'espeak'] as const) {
    if (name && !chain.includes(name) && providers.speaks(name, language)) chain.push(name);
  }
  return chain;
}

async function load(store: AssetStore, key: string): Promise<StoredLine | undefined> {
  const json = await store.get(`${key}.json`);
  if (!json) return undefined;
  try {
    const parsed = JSON.parse(json.toString('utf8')) as Partial<StoredLine>;
    if (parsed.format === 'wav' && typeof parsed.sampleRate === 'number' && timelineValidator.check(parsed.timeline).ok
      && await store.has(`${key}.wav`)) {
      return parsed as StoredLine;
    }
  } catch {
    // A damaged entry is simply synthesized again and overwritten.
  }
  return undefined;
}

function once(store: AssetStore, key: string, work: () => Promise<StoredLine>): Promise<StoredLine> {
  let map = inflight.get(store);
  if (!map) inflight.set(store, (map = new Map()));
  const running = map.get(key);
  if (running) return running;
  const p = work().finally(() => map.delete(key));
  map.set(key, p);
  return p;
}
