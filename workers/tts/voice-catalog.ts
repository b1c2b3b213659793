import type { Language, Prosody, Speed, VoiceId } from '../../protocol/index.js';
import type { TtsProviderName } from './voice-provider.js';

export type Gender = 'male' | 'female';

export interface CatalogVoice {
  id: VoiceId;
  language: Language;
  gender: Gender;
  /** flite only speaks English; its three 16 kHz clustergen voices (kal is 8 kHz diphone). */
  flite?: 'rms' | 'slt' | 'awb';
  /** espeak-ng voice plus variant. zh uses cmn-latn-pinyin: the plain cmn voice in 1.51
   *  reads its own pinyin with English letter rules. */
  espeak: string;
  /** Amazon Polly neural VoiceId. */
  polly: string;
  /** OpenAI TTS voice (multilingual: the language follows the text). */
  openai: string;
}

export const VOICE_CATALOG: Readonly<Record<VoiceId, CatalogVoice>> = {
  'zh-CN-female': { id: 'zh-CN-female', language: 'zh-CN', gender: 'female', espeak: 'cmn-latn-pinyin+f3', polly: 'Zhiyu', openai: 'nova' },
  'en-US-male': { id: 'en-US-male', language: 'en-US', gender: 'male', flite: 'rms', espeak: 'en-us+m3', polly: 'Matthew', openai: 'onyx' },
  'en-US-female': { id: 'en-US-female', language: 'en-US', gender: 'female', flite: 'slt', espeak: 'en-us+f3', polly: 'Joanna', openai: 'nova' },
  // awb is Scottish English, the closest British male flite has.
  'en-GB-male': { id: 'en-GB-male', language: 'en-GB', gender: 'male', flite: 'awb', espeak: 'en-gb+m3', polly: 'Brian', openai: 'fable' },
  // flite has no British female voice; slt is the only female one.
  'en-GB-female': { id: 'en-GB-female', language: 'en-GB', gender: 'female', flite: 'slt', espeak: 'en-gb+f3', polly: 'Amy', openai: 'shimmer' },
  'fr-FR-female': { id: 'fr-FR-female', language: 'fr-FR', gender: 'female', espeak: 'fr-fr+f3', polly: 'Lea', openai: 'nova' },
  'de-DE-male': { id: 'de-DE-male', language: 'de-DE', gender: 'male', espeak: 'de+m3', polly: 'Daniel', openai: 'onyx' },
  'de-DE-female': { id: 'de-DE-female', language: 'de-DE', gender: 'female', espeak: 'de+f3', polly: 'Vicki', openai: 'shimmer' },
};

/** The voice used when a job names none: the catalog's first voice of that language. */
const DEFAULT_VOICE: Readonly<Record<Language, VoiceId>> = {
  'en-US': 'en-US-female',
  'en-GB': 'en-GB-female',
  'zh-CN': 'zh-CN-female',
  'fr-FR': 'fr-FR-female',
  'de-DE': 'de-DE-female',
};

export function defaultVoiceFor(language: Language): VoiceId {
  return DEFAULT_VOICE[language];
}

/** A named voice of another language is ignored: the line's language decides what is spoken. */
export function resolveVoice(language: Language, voice: VoiceId | undefined): VoiceId {
  return voice && VOICE_CATALOG[voice].language === language ? voice : defaultVoiceFor(language);
}

/** The embedded engine for a language: flite for English (real phoneme times), espeak-ng otherwise. */
export function embeddedProviderFor(language: Language): Extract<TtsProviderName, 'flite' | 'espeak'> {
  return language.startsWith('en-') ? 'flite' : 'espeak';
}

/**
 * The five catalog speeds per provider, chosen so that each step sounds like the same
 * relative change on every engine (about ±15 % per step around each engine's normal rate).
 */
export const SPEED_MAP: Readonly<Record<Speed, { fliteStretch: number; espeakWpm: number; pollyRatePct: number; openaiSpeed: number }>> = {
  'x-slow': { fliteStretch: 1.45, espeakWpm: 115, pollyRatePct: 70, openaiSpeed: 0.7 },
  slow: { fliteStretch: 1.2, espeakWpm: 145, pollyRatePct: 85, openaiSpeed: 0.85 },
  medium: { fliteStretch: 1.0, espeakWpm: 170, pollyRatePct: 100, openaiSpeed: 1.0 },
  fast: { fliteStretch: 0.85, espeakWpm: 200, pollyRatePct: 115, openaiSpeed: 1.15 },
  'x-fast': { fliteStretch: 0.72, espeakWpm: 235, pollyRatePct: 135, openaiSpeed: 1.35 },
};

/** Prosody with every field filled, so `{}` and `{ speed: 'medium' }` hash to the same asset. */
export function resolveProsody(prosody: Prosody | undefined): Required<Prosody> {
  return { speed: prosody?.speed ?? 'medium', pitch: prosody?.pitch ?? 0, volumeDb: prosody?.volumeDb ?? 0 };
}
