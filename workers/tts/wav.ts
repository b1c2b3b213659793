import { BadAudioError } from './errors.js';

/** Decoded 16-bit PCM, always mono after decoding (renderers drive one mouth from one channel). */
export interface PcmAudio {
  sampleRate: number;
  samples: Int16Array;
}

const HEADER_BYTES = 44;

/** A canonical 44-byte-header RIFF/WAVE file, PCM s16le. */
export function encodeWav(samples: Int16Array, sampleRate: number, channels = 1): Buffer {
  const dataBytes = samples.length * 2;
  const out = Buffer.alloc(HEADER_BYTES + dataBytes);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + dataBytes, 4);
  out.write('WAVE', 8, 'ascii');
  out.write('fmt ', 12, 'ascii');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20);
  out.writeUInt16LE(channels, 22);
  out.writeUInt32LE(sampleRate, 24);
  out.writeUInt32LE(sampleRate * channels * 2, 28);
  out.writeUInt16LE(channels * 2, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i] ?? 0, HEADER_BYTES + i * 2);
  return out;
}

/** Raw little-endian s16 bytes (Polly's and OpenAI's `pcm` format) as samples. */
export function pcmBytesToSamples(bytes: Buffer): Int16Array {
  const count = Math.floor(bytes.length / 2);
  const samples = new Int16Array(count);
  for (let i = 0; i < count; i++) samples[i] = bytes.readInt16LE(i * 2);
  return samples;
}

/**
 * Reads a PCM s16 WAV. Streamed WAVs (OpenAI, ffmpeg to a pipe) carry 0 or 0xFFFFFFFF as
 * the data size because the writer did not know it yet, so the data chunk runs to the end.
 * Stereo is downmixed.
 */
export function decodeWav(buf: Buffer): PcmAudio {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new BadAudioError('not a RIFF/WAVE file');
  }
  let offset = 12;
  let fmt: { format: number; channels: number; sampleRate: number; bits: number } | undefined;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (body + 16 > buf.length) throw new BadAudioError('truncated fmt chunk');
      fmt = {
        format: buf.readUInt16LE(body),
        channels: buf.readUInt16LE(body + 2),
        sampleRate: buf.readUInt32LE(body + 4),
        bits: buf.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!fmt) throw new BadAudioError('data chunk before fmt chunk');
      // 0xFFFE is WAVE_FORMAT_EXTENSIBLE, which PCM writers use for the same samples.
      if ((fmt.format !== 1 && fmt.format !== 0xfffe) || fmt.bits !== 16) {
        throw new BadAudioError(`unsupported WAV format ${fmt.format}/${fmt.bits}-bit (want PCM 16-bit)`);
      }
      if (fmt.channels < 1 || fmt.sampleRate < 1) throw new BadAudioError('WAV without channels or sample rate');
      const end = size === 0 || size === 0xffffffff || body + size > buf.length ? buf.length : body + size;
      return { sampleRate: fmt.sampleRate, samples: downmix(buf.subarray(body, end), fmt.channels) };
    }
    offset = body + size + (size % 2);
  }
  throw new BadAudioError('WAV without a data chunk');
}

function downmix(bytes: Buffer, channels: number): Int16Array {
  const frames = Math.floor(bytes.length / (2 * channels));
  const out = new Int16Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += bytes.readInt16LE((f * channels + c) * 2);
    out[f] = Math.round(sum / channels);
  }
  return out;
}

/** Software volume for engines without a volume control; clips rather than wraps. */
export function applyGainDb(samples: Int16Array, db: number): Int16Array {
  if (!db) return samples;
  const factor = 10 ** (db / 20);
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    out[i] = Math.max(-32768, Math.min(32767, Math.round((samples[i] ?? 0) * factor)));
  }
  return out;
}

export function durationMsOf(audio: PcmAudio): number {
  return (audio.samples.length / audio.sampleRate) * 1000;
}
