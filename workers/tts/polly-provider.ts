import { SynthesizeSpeechCommand, type PollyClient, type SynthesizeSpeechCommandOutput, type VoiceId as PollyVoiceId } from '@aws-sdk/client-polly';
import { POLLY_TO_VISEME, type Language, type VisemeTiming, type WordTiming } from '../../protocol/index.js';
import { UnsupportedLanguageError, VoiceProviderError } from './errors.js';
import { pollySsml, unescapeXml } from './ssml.js';
import { buildTimeline } from './timeline.js';
import { VOICE_CATALOG } from './voice-catalog.js';
import type { SynthesisRequest, SynthesisResult, VoiceProvider } from './voice-provider.js';
import { encodeWav, pcmBytesToSamples } from './wav.js';

export interface PollyProviderOptions {
  client: PollyClient;
  /** Catalog voices are all neural; 'standard' exists for accounts/regions without neural. */
  engine?: 'neural' | 'standard';
}

/** Polly's PCM rates are 8000 and 16000; 16 kHz is its best for PCM. */
export const POLLY_SAMPLE_RATE = 16000;

export interface PollyMark {
  time: number;
  type: 'sentence' | 'word' | 'viseme' | 'ssml';
  start?: number;
  end?: number;
  value: string;
}

/** Speech marks come as newline-delimited JSON; a line that is not a mark is skipped. */
export function parseSpeechMarks(body: string): PollyMark[] {
  const marks: PollyMark[] = [];
  for (const line of body.split('\n')) {
    if (!line.trim()) continue;
    try {
      const m = JSON.parse(line) as Partial<PollyMark>;
      if (typeof m.time === 'number' && typeof m.type === 'string' && typeof m.value === 'string') marks.push(m as PollyMark);
    } catch {
      // A torn line cannot be trusted; the rest of the marks still are.
    }
  }
  return marks;
}

/** Polly's marks → protocol words and visemes; a word ends at the next word or the pause after it. */
export function marksToTimeline(marks: readonly PollyMark[], durationMs: number): { words: WordTiming[]; visemes: VisemeTiming[] } {
  const visemes: VisemeTiming[] = marks
    .filter((m) => m.type === 'viseme')
    .map((m) => ({ viseme: POLLY_TO_VISEME[m.value] ?? 'sil', timeMs: m.time }));
  const wordMarks = marks.filter((m) => m.type === 'word');
  const silences = visemes.filter((v) => v.viseme === 'sil').map((v) => v.timeMs);
  const words = wordMarks.map((m, i) => {
    const next = wordMarks[i + 1]?.time ?? durationMs;
    const pause = silences.find((t) => t > m.time && t < next);
    return { text: unescapeXml(m.value), startMs: m.time, durationMs: Math.max(0, (pause ?? next) - m.time) };
  });
  return { words, visemes };
}

async function bodyBytes(out: SynthesizeSpeechCommandOutput): Promise<Buffer> {
  const stream = out.AudioStream as unknown;
  if (!stream) return Buffer.alloc(0);
  const s = stream as { transformToByteArray?: () => Promise<Uint8Array> } & Partial<AsyncIterable<Uint8Array>>;
  if (typeof s.transformToByteArray === 'function') return Buffer.from(await s.transformToByteArray());
  if (typeof s[Symbol.asyncIterator] === 'function') {
    const chunks: Buffer[] = [];
    for await (const c of s as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(c));
    return Buffer.concat(chunks);
  }
  throw new Error('unreadable AudioStream');
}

/**
 * Amazon Polly neural voices. Audio and speech marks are two requests over the same
 * SSML (Polly returns one output format per call); the marks give exact word and
 * viseme times.
 */
export class PollyProvider implements VoiceProvider {
  readonly name = 'polly' as const;
  private readonly client: PollyClient;
  private readonly engine: 'neural' | 'standard';

  constructor(opts: PollyProviderOptions) {
    this.client = opts.client;
    this.engine = opts.engine ?? 'neural';
  }

  supports(_language: Language): boolean {
    return true; // the catalog has a Polly voice for every language
  }

  async synthesize(req: SynthesisRequest): Promise<SynthesisResult> {
    const voice = VOICE_CATALOG[req.voice];
    if (!voice) throw new UnsupportedLanguageError(req.language, this.name);
    const common = {
      Engine: this.engine,
      Text: pollySsml(req.text, req.prosody, this.engine),
      TextType: 'ssml' as const,
      VoiceId: voice.polly as PollyVoiceId,
    };
    try {
      const [audioOut, marksOut] = await Promise.all([
        this.client.send(new SynthesizeSpeechCommand({ ...common, OutputFormat: 'pcm', SampleRate: String(POLLY_SAMPLE_RATE) }), { abortSignal: req.signal }),
        this.client.send(new SynthesizeSpeechCommand({ ...common, OutputFormat: 'json', SpeechMarkTypes: ['sentence', 'word', 'viseme'] }), { abortSignal: req.signal }),
      ]);
      const samples = pcmBytesToSamples(await bodyBytes(audioOut));
      const durationMs = (samples.length / POLLY_SAMPLE_RATE) * 1000;
      const { words, visemes } = marksToTimeline(parseSpeechMarks((await bodyBytes(marksOut)).toString('utf8')), durationMs);
      return {
        audio: encodeWav(samples, POLLY_SAMPLE_RATE),
        sampleRate: POLLY_SAMPLE_RATE,
        channels: 1,
        timeline: buildTimeline(durationMs, words, visemes),
      };
    } catch (err) {
      // AWS errors carry request ids, never credentials; the message is safe to log.
      throw new VoiceProviderError(this.name, (err as Error).message, { cause: err });
    }
  }
}
