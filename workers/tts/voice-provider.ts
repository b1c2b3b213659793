import type { Language, Prosody, SpeechTimeline, VoiceId } from '../../protocol/index.js';

export type TtsProviderName = 'flite' | 'espeak' | 'polly' | 'openai';

export interface SynthesisRequest {
  /** Already cleaned by text-cleaner: no markup, no control characters, capped length. */
  text: string;
  language: Language;
  voice: VoiceId;
  prosody: Prosody;
  /** Aborts a cloud request (job cancelled, worker closing). */
  signal?: AbortSignal;
}

export interface SynthesisResult {
  /**
   * A WAV file, PCM s16le mono, at the provider's native rate (flite 16 kHz, espeak-ng
   * 22.05 kHz, Polly 16 kHz, OpenAI 24 kHz): resampling here would only cost time and
   * quality, and every consumer reads the rate from the header / AudioRef.
   */
  audio: Buffer;
  sampleRate: number;
  channels: 1;
  /** Times in ms from the first sample, all inside the audio; visemes ordered; pauses are 'sil'. */
  timeline: SpeechTimeline;
}

/** One voice engine. Adding one is a new file and an entry in providers.ts, nothing else. */
export interface VoiceProvider {
  readonly name: TtsProviderName;
  supports(language: Language): boolean;
  synthesize(req: SynthesisRequest): Promise<SynthesisResult>;
}
