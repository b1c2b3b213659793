import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { VideoCodec } from './encoder-settings.js';

const run = promisify(execFile);

async function succeeds(cmd: string, args: string[]): Promise<string | null> {
  try {
    const { stdout } = await run(cmd, args, { timeout: 10_000, maxBuffer: 4 * 1024 * 1024 });
    return stdout;
  } catch {
    return null;
  }
}

/** Encoders this host can use: NVENC only when ffmpeg has it AND a GPU answers nvidia-smi. */
export async function availableCodecs(ffmpegPath = 'ffmpeg'): Promise<VideoCodec[]> {
  const list = (await succeeds(ffmpegPath, ['-hide_banner', '-encoders'])) ?? '';
  const codecs: VideoCodec[] = [];
  if (/\bh264_nvenc\b/.test(list) && (await succeeds('nvidia-smi', ['-L'])) !== null) codecs.push('h264_nvenc');
  if (/\blibx264\b/.test(list)) codecs.push('libx264');
  return codecs;
}

export async function selectCodec(wanted: 'auto' | VideoCodec, ffmpegPath = 'ffmpeg'): Promise<{ codec: VideoCodec; available: VideoCodec[] }> {
  const available = await availableCodecs(ffmpegPath);
  if (wanted !== 'auto') {
    if (!available.includes(wanted)) throw new Error(`encoder ${wanted} is not available here (have: ${available.join(', ') || 'none'})`);
    return { codec: wanted, available };
  }
  const codec = available[0];
  if (!codec) throw new Error('ffmpeg has neither h264_nvenc nor libx264');
  return { codec, available };
}
