import type OpenAI from 'openai';
import type { Language } from '../../protocol/index.js';
import { voicedRegions } from './envelope.js';
import { envelopeVisemes } from './envelope-visemes.js';
import { VoiceProviderError } from './errors.js';
import { spreadWords } from './speech-alignment.js';
import { buildTimeline } from './timeline.js';
import { resolveProsody, SPEED_MAP, VOICE_CATALOG } from './voice-catalog.js';
import type { SynthesisRequest, SynthesisResult, VoiceProvider } from './voice-provider.js';
import { applyGainDb, decodeWav, durationMsOf, encodeWav } from './wav.js';
import { clauseWords } from './words.js';

export interface OpenAiProviderOptions {
  client: OpenAI;
  /** LIVEHOST_OPENAI_TTS_MODEL. */
  model: string;
}

/**
 * OpenAI TTS (or any server speaking its /audio/speech API). It returns audio only, so
 * visemes come from the audio envelope and words are spread over the voiced stretches.
 * Pitch has no control there and is ignored; volume is applied to the samples.
 */
export class OpenAiProvider implements VoiceProvider {
  readonly name = 'openai' as const;
  private readonly client: OpenAI;
  private readonly model: string;

  constructor(opts: OpenAiProviderOptions) {
    this.client = opts.client;
    this.model = opts.model;
  }

  supports(_language: Language): boolean {
    return true; // the voices are multilingual: the language follows the text
  }

  async synthesize(req: SynthesisRequest): Promise<SynthesisResult> {
    const prosody = resolveProsody(req.prosody);
    try {
      const res = await this.client.audio.speech.create({
        model: this.model,
        voice: VOICE_CATALOG[req.voice].openai,
        input: req.text,
        response_format: 'wav',
        speed: SPEED_MAP[prosody.speed].openaiSpeed,
      }, { signal: req.signal });
      const decoded = decodeWav(Buffer.from(await res.arrayBuffer()));
      const samples = applyGainDb(decoded.samples, prosody.volumeDb);
      const durationMs = durationMsOf({ sampleRate: decoded.sampleRate, samples });
      const regions = voicedRegions(samples, decoded.sampleRate);
      const timeline = buildTimeline(
        durationMs,
        spreadWords(clauseWords(req.text), regions),
        envelopeVisemes(samples, decoded.sampleRate, regions),
      );
      return { audio: encodeWav(samples, decoded.sampleRate), sampleRate: decoded.sampleRate, channels: 1, timeline };
    } catch (err) {
      // The SDK's errors name status and request id, not the API key.
      throw new VoiceProviderError(this.name, (err as Error).message, { cause: err });
    }
  }
}
