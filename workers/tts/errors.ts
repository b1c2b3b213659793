/** Codes a tts job can fail with; stable, so logs and dashboards can count them. */
export const TTS_ERROR_CODES = {
  empty_text: 'Nothing speakable is left after cleaning the text.',
  unsupported_language: 'No configured voice provider speaks this language.',
  provider_failed: 'The voice provider failed to synthesize the line.',
  bad_audio: 'The provider returned audio that is not a 16-bit PCM WAV.',
  invalid_config: 'A LIVEHOST_* / OPENAI_* / AWS_* setting is missing or malformed.',
  invalid_job: 'The job payload does not match protocol TtsJobData.',
} as const;
export type TtsErrorCode = keyof typeof TTS_ERROR_CODES;

export class TtsError extends Error {
  readonly code: TtsErrorCode;
  constructor(code: TtsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TtsError';
    this.code = code;
  }
}

export class EmptyTextError extends TtsError {
  constructor() {
    super('empty_text', TTS_ERROR_CODES.empty_text);
    this.name = 'EmptyTextError';
  }
}

export class UnsupportedLanguageError extends TtsError {
  constructor(language: string, provider?: string) {
    super('unsupported_language', provider
      ? `voice provider ${provider} does not speak ${language}`
      : `no configured voice provider speaks ${language}`);
    this.name = 'UnsupportedLanguageError';
  }
}

export class VoiceProviderError extends TtsError {
  readonly provider: string;
  constructor(provider: string, message: string, options?: { cause?: unknown }) {
    super('provider_failed', `${provider}: ${message}`, options);
    this.name = 'VoiceProviderError';
    this.provider = provider;
  }
}

export class BadAudioError extends TtsError {
  constructor(message: string) {
    super('bad_audio', message);
    this.name = 'BadAudioError';
  }
}

export class TtsConfigError extends TtsError {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super('invalid_config', `${variable}: ${message}`);
    this.name = 'TtsConfigError';
    this.variable = variable;
  }
}
