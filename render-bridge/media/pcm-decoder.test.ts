import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { AudioRef } from '../../protocol/index.js';
import { FfmpegAudioDecoder, type AudioDecoder } from './audio-decoder.js';
import { downmix, PcmDecoder } from './pcm-decoder.js';
import { resample } from './resampler.js';

const dir = mkdtempSync(join(tmpdir(), 'pcm-decoder-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ffmpeg = new FfmpegAudioDecoder();
const ref = (path: string, sampleRate: number, format: AudioRef['format'] = 'wav', channels = 1): AudioRef =>
  ({ key: 'k', url: pathToFileURL(path).toString(), format, sampleRate, channels });

/** Signal over difference, dB, of two decodes of the same audio. */
function snrDb(a: Int16Array, b: Int16Array): number {
  let sig = 0;
  let err = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    sig += a[i]! * a[i]!;
    err += (a[i]! - b[i]!) ** 2;
  }
  return 10 * Math.log10(sig / Math.max(err, 1));
}

describe('decoding a line\'s audio in process', () => {
  it('gives what ffmpeg gives for the voices\' WAVs (flite 16 kHz, espeak-ng 22.05 kHz): same length, within 40 dB', async () => {
    const flite = join(dir, 'flite.wav');
    execFileSync('flite', ['-voice', 'slt', '-t', 'The kettle costs twelve dollars. It ships today.', '-o', flite]);
    const espeak = join(dir, 'espeak.wav');
    execFileSync('espeak-ng', ['-v', 'en-us', '-w', espeak, 'The kettle costs twelve dollars.']);
    const decoder = new PcmDecoder({ fallback: ffmpeg });
    for (const [path, rate] of [[flite, 16_000], [espeak, 22_050]] as const) {
      const ours = await decoder.decode(ref(path, rate));
      const theirs = await ffmpeg.decode(ref(path, rate));
      expect(Math.abs(ours.length - theirs.length)).toBeLessThanOrEqual(1);
      expect(snrDb(theirs, ours)).toBeGreaterThan(40);
    }
  });

  it('reads raw s16le and stereo, and fetches over HTTP', async () => {
    const raw = join(dir, 'tone.raw');
    const tone = new Int16Array(24_000).map((_, i) => Math.round(10_000 * Math.sin((2 * Math.PI * 440 * i) / 24_000)));
    writeFileSync(raw, Buffer.from(tone.buffer));
    const decoder = new PcmDecoder({ fallback: ffmpeg });
    const fromRaw = await decoder.decode(ref(raw, 24_000, 'pcm_s16le'));
    expect(fromRaw.length).toBe(48_000);
    expect(snrDb(await ffmpeg.decode(ref(raw, 24_000, 'pcm_s16le')), fromRaw)).toBeGreaterThan(40);

    expect([...downmix(Int16Array.from([100, 300, -50, 50]), 2, 1)]).toEqual([200, 0]);

    const wav = join(dir, 'served.wav');
    execFileSync('ffmpeg', ['-v', 'error', '-f', 's16le', '-ar', '24000', '-ac', '1', '-i', raw, '-ac', '2', '-y', wav]);
    const server = createServer((_req, res) => res.end(execFileSync('cat', [wav])));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/a.wav`;
      const overHttp = await decoder.decode({ key: 'k', url, format: 'wav', sampleRate: 24_000, channels: 2 });
      // ffmpeg's own upmix put the tone at −3 dB in each channel; both decoders mix it back alike.
      expect(snrDb(await ffmpeg.decode({ key: 'k', url, format: 'wav', sampleRate: 24_000, channels: 2 }), overHttp)).toBeGreaterThan(40);
    } finally {
      server.close();
    }
  });

  it('leaves mp3 to the fallback and refuses what is not audio, or not a URL it may read', async () => {
    const seen: string[] = [];
    const fallback: AudioDecoder = { decode: async (a) => { seen.push(a.format); return new Int16Array(10); } };
    const decoder = new PcmDecoder({ fallback });
    expect(await decoder.decode({ key: 'k', url: 'file:///x.mp3', format: 'mp3', sampleRate: 24_000, channels: 1 })).toHaveLength(10);
    expect(seen).toEqual(['mp3']);
    const junk = join(dir, 'junk.wav');
    writeFileSync(junk, 'this is not a wav file at all');
    await expect(decoder.decode(ref(junk, 16_000))).rejects.toThrow(/RIFF/);
    await expect(decoder.decode({ key: 'k', url: 'concat:/etc/passwd', format: 'wav', sampleRate: 16_000, channels: 1 })).rejects.toThrow();
    await expect(decoder.decode(ref(join(dir, 'missing.wav'), 16_000))).rejects.toThrow(/unreadable/);
  });

  it('keeps a constant level and a tone\'s amplitude through any rate change', () => {
    const dc = new Int16Array(4000).fill(1000);
    const up = resample(dc, 16_000, 48_000);
    expect(up).toHaveLength(12_000);
    for (let i = 200; i < 11_800; i++) expect(Math.abs(up[i]! - 1000)).toBeLessThanOrEqual(1);
    const tone = new Int16Array(22_050).map((_, i) => Math.round(10_000 * Math.sin((2 * Math.PI * 1000 * i) / 22_050)));
    const out = resample(tone, 22_050, 48_000);
    const peak = Math.max(...out.subarray(1000, 47_000));
    expect(peak).toBeGreaterThan(9_900);
    expect(peak).toBeLessThan(10_100);
    expect(() => resample(tone, 0, 48_000)).toThrow(/rates/);
  });
});
