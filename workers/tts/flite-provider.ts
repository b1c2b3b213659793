import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARPABET_TO_VISEME, type Language, type VisemeTiming, type WordTiming } from '../../protocol/index.js';
import { VoiceProviderError, UnsupportedLanguageError } from './errors.js';
import { assignPhonesToWords } from './phone-alignment.js';
import { runProcess } from './run-process.js';
import { buildTimeline } from './timeline.js';
import { resolveProsody, SPEED_MAP, VOICE_CATALOG } from './voice-catalog.js';
import type { SynthesisRequest, SynthesisResult, VoiceProvider } from './voice-provider.js';
import { applyGainDb, decodeWav, durationMsOf, encodeWav } from './wav.js';
import { captionWords } from './words.js';

export interface FliteProviderOptions {
  /** The flite binary (LIVEHOST_FLITE_BIN). */
  bin?: string;
  timeoutMs?: number;
}

export interface FlitePhone {
  phone: string;
  endMs: number;
}

/** Parses `-psdur` output: "pau:0.220 hh:0.295 …" (phone name, end time in seconds). */
export function parseFliteSegments(stdout: string): FlitePhone[] {
  const phones: FlitePhone[] = [];
  for (const token of stdout.trim().split(/\s+/)) {
    const m = /^([a-z$]+[0-9]?):([0-9.]+)$/i.exec(token);
    if (m) phones.push({ phone: m[1]!.toLowerCase(), endMs: Number(m[2]) * 1000 });
  }
  return phones;
}

const PAUSE = new Set(['pau', 'sil', 'h#']);

/**
 * flite, the embedded English voice. flite reports every phone with its end time
 * (`-psdur`), so visemes here are exact, not estimated. Words are flite's own: its word
 * list (`-pw`) and each word's phones spoken alone, aligned to the connected phones.
 */
export class FliteProvider implements VoiceProvider {
  readonly name = 'flite' as const;
  private readonly bin: string;
  private readonly timeoutMs: number;

  constructor(opts: FliteProviderOptions = {}) {
    this.bin = opts.bin ?? 'flite';
    this.timeoutMs = opts.timeoutMs ?? 20_000;
  }

  supports(language: Language): boolean {
    return language.startsWith('en-');
  }

  async synthesize(req: SynthesisRequest): Promise<SynthesisResult> {
    if (!this.supports(req.language)) throw new UnsupportedLanguageError(req.language, this.name);
    const voice = VOICE_CATALOG[req.voice].flite ?? 'slt';
    const prosody = resolveProsody(req.prosody);
    // The word list and the words-alone phones only need flite's lexicon and text rules,
    // which every bundled voice shares; kal loads in a quarter of the time of the
    // clustergen voices, and the words-alone run is on the line's critical path.
    const base = ['-voice', 'kal'];
    const shaped = [
      '-voice', voice,
      '--setf', `duration_stretch=${SPEED_MAP[prosody.speed].fliteStretch}`,
      // f0_shift scales the clustergen voices' pitch contour.
      '--setf', `f0_shift=${(1 + prosody.pitch / 100).toFixed(2)}`,
    ];
    const dir = await mkdtemp(join(tmpdir(), 'livehost-flite-'));
    try {
      const wavPath = join(dir, 'out.wav');
      // The words-alone run needs only the word list, not the audio: it runs while the voice
      // still speaks, so the line is ready when its audio is (the first line's wait, issue 15).
      const wordsRun = this.run([...base, '-pw', '-t', req.text, '-o', 'none']).then(async (wordList) => {
        const words = wordList.trim().split(/\s+/).filter(Boolean);
        // Each word alone, separated by commas so flite puts a pause between them.
        const alone = words.length ? await this.run([...base, '-ps', '-t', words.join(', '), '-o', 'none']) : '';
        return { words, alone };
      });
      const [segs, { words, alone }] = await Promise.all([this.run([...shaped, '-psdur', '-t', req.text, '-o', wavPath]), wordsRun]);
      const phones = parseFliteSegments(segs);
      const wordPhones = splitAtPauses(alone);

      const decoded = decodeWav(await readFile(wavPath));
      const samples = applyGainDb(decoded.samples, prosody.volumeDb);
      const durationMs = durationMsOf({ sampleRate: decoded.sampleRate, samples });
      const timeline = buildTimeline(
        durationMs,
        timeWords(phones, words, wordPhones, captionWords(req.text)),
        phonesToVisemes(phones),
      );
      return { audio: encodeWav(samples, decoded.sampleRate), sampleRate: decoded.sampleRate, channels: 1, timeline };
    } catch (err) {
      if (err instanceof UnsupportedLanguageError) throw err;
      throw new VoiceProviderError(this.name, (err as Error).message, { cause: err });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async run(args: string[]): Promise<string> {
    return (await runProcess(this.bin, args, { timeoutMs: this.timeoutMs })).stdout;
  }
}

function splitAtPauses(stdout: string): string[][] {
  const groups: string[][] = [];
  let current: string[] = [];
  for (const p of stdout.trim().split(/\s+/).filter(Boolean)) {
    if (PAUSE.has(p)) {
      if (current.length) groups.push(current);
      current = [];
    } else {
      current.push(p);
    }
  }
  if (current.length) groups.push(current);
  return groups;
}

/** Each phone starts where the previous one ended; pauses close the mouth. */
export function phonesToVisemes(phones: readonly FlitePhone[]): VisemeTiming[] {
  let start = 0;
  return phones.map(({ phone, endMs }) => {
    const v: VisemeTiming = { viseme: ARPABET_TO_VISEME[phone.replace(/[0-9]$/, '')] ?? 'sil', timeMs: start };
    start = endMs;
    return v;
  });
}

function timeWords(
  phones: readonly FlitePhone[],
  words: readonly string[],
  wordPhones: readonly string[][],
  spelled: readonly string[],
): WordTiming[] {
  const spoken: { phone: string; startMs: number; endMs: number }[] = [];
  let start = 0;
  for (const { phone, endMs } of phones) {
    if (!PAUSE.has(phone)) spoken.push({ phone, startMs: start, endMs });
    start = endMs;
  }
  if (!words.length || !spoken.length) return [];
  // flite's words are normalised ("doctor" for "Dr."); when the counts agree the text's own spelling reads better.
  const label = spelled.length === words.length ? spelled : words;
  const owner = wordPhones.length === words.length
    ? assignPhonesToWords(spoken.map((p) => p.phone), wordPhones)
    // Should flite ever disagree with itself, share the phones out evenly rather than fail the line.
    : spoken.map((_, k) => Math.floor((k * words.length) / spoken.length));
  const out: WordTiming[] = [];
  owner.forEach((w, k) => {
    const p = spoken[k]!;
    const last = out[out.length - 1] as (WordTiming & { index: number }) | undefined;
    if (last && last.index === w) {
      last.durationMs = p.endMs - last.startMs;
    } else {
      out.push({ text: label[w] ?? words[w] ?? '', startMs: p.startMs, durationMs: p.endMs - p.startMs, index: w } as WordTiming & { index: number });
    }
  });
  return out.map(({ text, startMs, durationMs }) => ({ text, startMs, durationMs }));
}
