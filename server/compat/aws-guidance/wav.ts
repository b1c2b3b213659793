/**
 * Joins PCM WAV files of one format into one (an answer's lines, spoken by one voice):
 * RIFF chunks are walked, `fmt ` must match across parts, `data` is concatenated.
 */
export interface WavFormat {
  audioFormat: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
}

export class WavError extends Error {
  override readonly name = 'WavError';
}

export function parseWav(buf: Buffer): { format: WavFormat; data: Buffer } {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') throw new WavError('not a RIFF/WAVE file');
  let format: WavFormat | null = null;
  let data: Buffer | null = null;
  for (let at = 12; at + 8 <= buf.length;) {
    const id = buf.toString('ascii', at, at + 4);
    const size = buf.readUInt32LE(at + 4);
    const body = buf.subarray(at + 8, Math.min(buf.length, at + 8 + size));
    if (id === 'fmt ' && body.length >= 16) {
      format = { audioFormat: body.readUInt16LE(0), channels: body.readUInt16LE(2), sampleRate: body.readUInt32LE(4), bitsPerSample: body.readUInt16LE(14) };
    } else if (id === 'data') {
      data = body;
    }
    at += 8 + size + (size % 2); // chunks are word-aligned
  }
  if (!format || !data) throw new WavError('a WAV file without fmt or data chunk');
  return { format, data };
}

export function joinWavs(parts: Buffer[]): Buffer {
  if (parts.length === 1) return parts[0]!;
  const parsed = parts.map(parseWav);
  const f = parsed[0]!.format;
  for (const p of parsed) {
    const g = p.format;
    if (g.audioFormat !== f.audioFormat || g.channels !== f.channels || g.sampleRate !== f.sampleRate || g.bitsPerSample !== f.bitsPerSample) {
      throw new WavError(`parts differ in format (${f.sampleRate} Hz × ${f.channels} vs ${g.sampleRate} Hz × ${g.channels})`);
    }
  }
  const data = Buffer.concat(parsed.map((p) => p.data));
  const header = Buffer.alloc(44);
  const blockAlign = (f.channels * f.bitsPerSample) / 8;
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(f.audioFormat, 20);
  header.writeUInt16LE(f.channels, 22);
  header.writeUInt32LE(f.sampleRate, 24);
  header.writeUInt32LE(f.sampleRate * blockAlign, 28);
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(f.bitsPerSample, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}
