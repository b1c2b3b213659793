import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Language, WordTiming } from '../../protocol/index.js';
import type { Region } from './envelope.js';
import { voicedRegions } from './envelope.js';
import { UnsupportedLanguageError, VoiceProviderError } from './errors.js';
import { ipaToUnits } from './ipa.js';
import { runProcess } from './run-process.js';
import { alignUnitsToRegions, spreadWords, type AlignUnit } from './speech-alignment.js';
import { buildTimeline } from './timeline.js';
import { resolveProsody, SPEED_MAP, VOICE_CATALOG } from './voice-catalog.js';
import type { SynthesisRequest, SynthesisResult, VoiceProvider } from './voice-provider.js';
import { applyGainDb, decodeWav, durationMsOf, encodeWav } from './wav.js';
import { clauseWords } from './words.js';

export interface EspeakProviderOptions {
  /** The espeak-ng binary (LIVEHOST_ESPEAK_BIN). */
  bin?: string;
  timeoutMs?: number;
}

const LANGUAGES: ReadonlySet<Language> = new Set(['en-US', 'en-GB', 'zh-CN', 'fr-FR', 'de-DE']);

/** `--ipa` output: one line per clause, words separated by spaces, "(en)" language-switch markers. */
export function parseEspeakIpa(stdout: string): string[][] {
  return stdout
    .split('\n')
    .map((line) => line.replace(/\([a-z-]+\)/gi, ' ').trim())
    .filter(Boolean)
    .map((line) => line.split(/\s+/));
}

/**
 * espeak-ng, the embedded voice for every catalog language. The command line reports
 * phonemes but not their times, so the phonemes are laid over the voiced stretches of
 * the audio it produced (clause ends pinned to its pauses); the mouth is closed in the
 * pauses. Text goes in on stdin, so no text can become an option.
 */
export class EspeakProvider implements VoiceProvider {
  readonly name = 'espeak' as const;
  private readonly bin: string;
  private readonly timeoutMs: number;

  constructor(opts: EspeakProviderOptions = {}) {
    this.bin = opts.bin ?? 'espeak-ng';
    this.timeoutMs = opts.timeoutMs ?? 20_000;
  }

  supports(language: Language): boolean {
    return LANGUAGES.has(language);
  }

  async synthesize(req: SynthesisRequest): Promise<SynthesisResult> {
    if (!this.supports(req.language)) throw new UnsupportedLanguageError(req.language, this.name);
    const prosody = resolveProsody(req.prosody);
    const dir = await mkdtemp(join(tmpdir(), 'livehost-espeak-'));
    try {
      const wavPath = join(dir, 'out.wav');
      const { stdout } = await runProcess(this.bin, [
        '-v', VOICE_CATALOG[req.voice].espeak,
        '-s', String(SPEED_MAP[prosody.speed].espeakWpm),
        '-p', String(Math.max(0, Math.min(99, 50 + prosody.pitch))),
        '-b', '1', // input is UTF-8
        '--ipa',
        '-w', wavPath,
      ], { input: req.text, timeoutMs: this.timeoutMs });
      const decoded = decodeWav(await readFile(wavPath));
      const samples = applyGainDb(decoded.samples, prosody.volumeDb);
      const durationMs = durationMsOf({ sampleRate: decoded.sampleRate, samples });

      const ipaClauses = parseEspeakIpa(stdout);
      let wordIndex = 0;
      const clauses: AlignUnit[][] = ipaClauses.map((words) =>
        words.flatMap((w) => ipaToUnits(w, req.language).map((u) => ({ ...u, word: wordIndex })).concat(
          ((wordIndex += 1), []),
        )));
      const regions = voicedRegions(samples, decoded.sampleRate);
      const aligned = alignUnitsToRegions(clauses, regions);

      const words = nameWords(clauseWords(req.text), ipaClauses.map((c) => c.length), aligned.words, regions);
      const timeline = buildTimeline(durationMs, words, aligned.visemes);
      return { audio: encodeWav(samples, decoded.sampleRate), sampleRate: decoded.sampleRate, channels: 1, timeline };
    } catch (err) {
      throw new VoiceProviderError(this.name, (err as Error).message, { cause: err });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/**
 * espeak-ng's words are timed but spelled in IPA; captions want the text's words. Text
 * and IPA are paired clause by clause; a clause where espeak-ng expanded or merged words
 * (numbers, abbreviations) spreads the text's words over that clause's time instead.
 */
function nameWords(
  textClauses: readonly string[][],
  ipaWordCounts: readonly number[],
  timed: ReadonlyMap<number, { startMs: number; endMs: number }>,
  regions: readonly Region[],
): WordTiming[] {
  if (textClauses.length !== ipaWordCounts.length) return spreadWords(textClauses, regions);
  const out: WordTiming[] = [];
  let first = 0;
  textClauses.forEach((texts, c) => {
    const count = ipaWordCounts[c]!;
    const times = Array.from({ length: count }, (_, i) => timed.get(first + i)).filter((t) => t !== undefined);
    first += count;
    if (!times.length) return;
    if (count === texts.length && times.length === count) {
      texts.forEach((text, i) => out.push({ text, startMs: times[i]!.startMs, durationMs: times[i]!.endMs - times[i]!.startMs }));
      return;
    }
    const span: Region = { startMs: times[0]!.startMs, endMs: Math.max(...times.map((t) => t.endMs)) };
    out.push(...spreadWords([texts], [span]));
  });
  return out;
}
