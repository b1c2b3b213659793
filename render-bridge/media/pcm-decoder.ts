import { readFile } from 'node:fs/promises';
import type { AudioRef } from '../../protocol/index.js';
import { BridgeError } from '../errors.js';
import type { AudioDecoder } from './audio-decoder.js';
import { mediaInput } from './fetch-url.js';
import { AUDIO_CHANNELS, SAMPLE_RATE } from './media-timing.js';
import { resample } from './resampler.js';

export interface PcmDecoderOptions {
  /** What this decoder does not read itself (mp3, WAV other than 16-bit or float PCM). */
  fallback: AudioDecoder;
  timeoutMs?: number;
  /** Refuse more than this many seconds (a runaway or hostile file). */
  maxSeconds?: number;
}

interface Pcm { rate: number; channels: number; samples: Int16Array }

/**
 * Decodes the audio the voices make — PCM WAV, or raw s16le — in process: read, downmixed
 * to the media clock's channels, resampled to its rate (resampler.ts). Every line used to
 * start an ffmpeg for this; on a busy machine that process took 90 ms of CPU and 300 ms of
 * wall clock before the line could air (bench:latency, README). Anything else goes to the
 * fallback (ffmpeg).
 */
export class PcmDecoder implements AudioDecoder {
  private readonly timeoutMs: number;
  private readonly maxSeconds: number;

  constructor(private readonly o: PcmDecoderOptions) {
    this.timeoutMs = o.timeoutMs ?? 15_000;
    this.maxSeconds = o.maxSeconds ?? 600;
    if (!(this.timeoutMs > 0)) throw new BridgeError('config', 'timeoutMs must be positive');
  }

  async decode(audio: AudioRef): Promise<Int16Array> {
    if (audio.format === 'mp3') return this.o.fallback.decode(audio);
    const bytes = await this.read(audio);
    const pcm = audio.format === 'pcm_s16le'
      ? { rate: audio.sampleRate, channels: audio.channels, samples: s16(bytes, 0, bytes.length) }
      : parseWav(bytes);
    if (!pcm) return this.o.fallback.decode(audio);
    if (pcm.samples.length / pcm.channels > this.maxSeconds * pcm.rate) {
      throw new BridgeError('audio_decode', `audio longer than ${this.maxSeconds} s`);
    }
    return resample(downmix(pcm.samples, pcm.channels, AUDIO_CHANNELS), pcm.rate, SAMPLE_RATE);
  }

  private async read(audio: AudioRef): Promise<Buffer> {
    const input = mediaInput(audio.url);
    // Enough for maxSeconds of 96 kHz stereo s16, and the header.
    const limit = this.maxSeconds * 96_000 * 2 * 2 + 1024;
    if (!/^https?:\/\//.test(input)) {
      const buf = await readFile(input).catch((err: Error) => { throw new BridgeError('audio_decode', `audio unreadable: ${err.message}`, { cause: err }); });
      if (buf.length > limit) throw new BridgeError('audio_decode', 'audio file too large');
      return buf;
    }
    const res = await fetch(input, { signal: AbortSignal.timeout(this.timeoutMs) })
      .catch((err: Error) => { throw new BridgeError('audio_decode', `audio fetch failed: ${err.message}`, { cause: err }); });
    if (!res.ok) throw new BridgeError('audio_decode', `audio fetch failed: HTTP ${res.status}`);
    if (Number(res.headers.get('content-length') ?? 0) > limit) throw new BridgeError('audio_decode', 'audio file too large');
    const buf = Buffer.from(await res.arrayBuffer());
    if (buf.length > limit) throw new BridgeError('audio_decode', 'audio file too large');
    return buf;
  }
}

/** s16le samples of `bytes[from, to)`, copied to an aligned buffer. */
function s16(bytes: Buffer, from: number, to: number): Int16Array {
  const out = new Int16Array(Math.floor((to - from) / 2));
  Buffer.from(out.buffer).set(bytes.subarray(from, from + out.length * 2));
  return out;
}

/**
 * A RIFF/WAVE file of 16-bit integer or 32-bit float PCM; null for anything else (the
 * fallback decodes it). Streamed WAVs carry 0 or 0xFFFFFFFF as the data size: the data
 * then runs to the end of the file.
 */
export function parseWav(buf: Buffer): Pcm | null {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new BridgeError('audio_decode', 'not a RIFF/WAVE file');
  }
  let fmt: { format: number; channels: number; rate: number; bits: number } | null = null;
  for (let o = 12; o + 8 <= buf.length;) {
    const id = buf.toString('ascii', o, o + 4);
    const size = buf.readUInt32LE(o + 4);
    const body = o + 8;
    if (id === 'fmt ') {
      if (body + 16 > buf.length) throw new BridgeError('audio_decode', 'truncated fmt chunk');
      let format = buf.readUInt16LE(body);
      // WAVE_FORMAT_EXTENSIBLE: the real format is the subformat GUID's first two bytes.
      if (format === 0xfffe && size >= 26 && body + 26 <= buf.length) format = buf.readUInt16LE(body + 24);
      fmt = { format, channels: buf.readUInt16LE(body + 2), rate: buf.readUInt32LE(body + 4), bits: buf.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      if (!fmt) throw new BridgeError('audio_decode', 'data before fmt');
      if (fmt.channels < 1 || fmt.channels > 8 || fmt.rate < 1000 || fmt.rate > 384_000) throw new BridgeError('audio_decode', 'implausible WAV format');
      const end = size === 0 || size === 0xffffffff ? buf.length : Math.min(buf.length, body + size);
      if (fmt.format === 1 && fmt.bits === 16) return { rate: fmt.rate, channels: fmt.channels, samples: s16(buf, body, end) };
      if (fmt.format === 3 && fmt.bits === 32) {
        const n = Math.floor((end - body) / 4);
        const samples = new Int16Array(n);
        for (let i = 0; i < n; i++) {
          const v = buf.readFloatLE(body + i * 4);
          samples[i] = v >= 1 ? 32767 : v <= -1 ? -32768 : Math.round(v * 32767);
        }
        return { rate: fmt.rate, channels: fmt.channels, samples };
      }
      return null;
    }
    o = body + size + (size % 2);
  }
  throw new BridgeError('audio_decode', 'WAV has no data chunk');
}

/** Interleaved `from`-channel samples as `to` channels (mono: the mean; stereo from mono: copied). */
export function downmix(samples: Int16Array, from: number, to: number): Int16Array {
  if (from === to) return samples;
  const frames = Math.floor(samples.length / from);
  const out = new Int16Array(frames * to);
  for (let f = 0; f < frames; f++) {
    if (to === 1) {
      let sum = 0;
      for (let c = 0; c < from; c++) sum += samples[f * from + c]!;
      out[f] = Math.round(sum / from);
    } else {
      for (let c = 0; c < to; c++) out[f * to + c] = samples[f * from + (c % from)]!;
    }
  }
  return out;
}
