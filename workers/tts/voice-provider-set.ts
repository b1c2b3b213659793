import type { Language } from '../../protocol/index.js';
import type { TtsProviderName, VoiceProvider } from './voice-provider.js';

/** The voice providers a worker has, and which one to use when a job names none. */
export class VoiceProviderSet {
  private readonly byName = new Map<TtsProviderName, VoiceProvider>();
  /** LIVEHOST_TTS_PROVIDER: used when a job names no provider; else the embedded one per language. */
  readonly preferred: TtsProviderName | undefined;

  constructor(providers: readonly VoiceProvider[], opts: { preferred?: TtsProviderName } = {}) {
    for (const p of providers) this.byName.set(p.name, p);
    if (opts.preferred && !this.byName.has(opts.preferred)) {
      throw new Error(`preferred voice provider ${opts.preferred} is not configured`);
    }
    this.preferred = opts.preferred;
  }

  get(name: TtsProviderName): VoiceProvider | undefined {
    return this.byName.get(name);
  }

  names(): TtsProviderName[] {
    return [...this.byName.keys()];
  }

  speaks(name: TtsProviderName, language: Language): boolean {
    return this.byName.get(name)?.supports(language) ?? false;
  }
}
