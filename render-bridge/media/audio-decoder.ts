import { spawn } from 'node:child_process';
import type { AudioRef } from '../../protocol/index.js';
import { BridgeError } from '../errors.js';
import { mediaInput } from './fetch-url.js';
import { AUDIO_CHANNELS, SAMPLE_RATE } from './media-timing.js';

export interface AudioDecoder {
  /** The segment's audio as s16le PCM at the clock's rate and channel count. */
  decode(audio: AudioRef): Promise<Int16Array>;
}

export interface FfmpegAudioDecoderOptions {
  ffmpegPath?: string;
  timeoutMs?: number;
  /** Refuse to decode more than this many seconds (a runaway or hostile file). */
  maxSeconds?: number;
}

/** Decodes and resamples once per segment with ffmpeg (its resampler beats a linear one). */
export class FfmpegAudioDecoder implements AudioDecoder {
  private readonly opts: Required<FfmpegAudioDecoderOptions>;

  constructor(options: FfmpegAudioDecoderOptions = {}) {
    this.opts = { ffmpegPath: 'ffmpeg', timeoutMs: 15_000, maxSeconds: 600, ...options };
    if (this.opts.timeoutMs <= 0) throw new BridgeError('config', 'timeoutMs must be positive');
  }

  decode(audio: AudioRef): Promise<Int16Array> {
    const input = mediaInput(audio.url);
    const inputFormat = audio.format === 'pcm_s16le'
      ? ['-f', 's16le', '-ar', String(audio.sampleRate), '-ac', String(audio.channels)]
      : [];
    const args = [
      '-hide_banner', '-loglevel', 'error', '-nostdin',
      ...inputFormat, '-i', input,
      '-t', String(this.opts.maxSeconds),
      '-f', 's16le', '-acodec', 'pcm_s16le', '-ar', String(SAMPLE_RATE), '-ac', String(AUDIO_CHANNELS), 'pipe:1',
    ];
    return new Promise((resolve, reject) => {
      const child = spawn(this.opts.ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      const chunks: Buffer[] = [];
      let stderr = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), this.opts.timeoutMs);
      child.stdout.on('data', (c: Buffer) => chunks.push(c));
      child.stderr.on('data', (c: Buffer) => { if (stderr.length < 2000) stderr += c.toString(); });
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(new BridgeError('audio_decode', `ffmpeg could not start: ${err.message}`, { cause: err }));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (code !== 0) {
          const why = signal ? `killed (${signal})` : `exit ${code}: ${stderr.trim().split('\n').pop() ?? ''}`;
          return reject(new BridgeError('audio_decode', `audio decode failed, ${why}`));
        }
        const buf = Buffer.concat(chunks);
        // Copy into an aligned buffer: Buffer.concat may return a pooled, odd-offset slice.
        const pcm = new Int16Array(Math.floor(buf.length / 2));
        Buffer.from(pcm.buffer).set(buf.subarray(0, pcm.length * 2));
        resolve(pcm);
      });
    });
  }
}
