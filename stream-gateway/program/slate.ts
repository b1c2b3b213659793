import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { FlvReader, isAudioHeader, isVideoHeader, TAG_AUDIO, TAG_VIDEO, type FlvTag } from './flv.js';

/** A short pre-encoded loop the program plays while no publisher is on air. */
export interface SlateClip {
  videoHeader: FlvTag;
  audioHeader: FlvTag;
  /** Media tags, ts from 0, in ts order; starts with a keyframe. */
  tags: FlvTag[];
  /** Length of one loop: the clip's frame count × frame duration, so looping keeps the frame rate. */
  durationMs: number;
}

export interface SlateFormat { width: number; height: number; fps: number; channels?: number }

/** The default card: the room's own still image replaces it when one is given. */
function defaultCard(width: number, height: number): Buffer {
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  const g = ctx.createLinearGradient(0, 0, width, height);
  g.addColorStop(0, '#1d2b4a');
  g.addColorStop(1, '#3a1f4f');
  ctx.fillStyle = g;
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#ffffff';
  ctx.textAlign = 'center';
  ctx.font = `bold ${Math.round(height / 12)}px sans-serif`;
  ctx.fillText("We'll be right back", width / 2, height / 2);
  ctx.font = `${Math.round(height / 24)}px sans-serif`;
  ctx.fillText('The show continues in a moment', width / 2, height / 2 + height / 10);
  return canvas.toBuffer('image/png');
}

/**
 * Encodes a 2 s slate loop (still image + AAC silence) with the encoder settings every
 * destination accepts: H.264 main, no B-frames, a keyframe each second, AAC-LC 48 kHz
 * stereo, so switching to it meets IVS real-time's media rules as the live feed does.
 */
export async function renderSlate(format: SlateFormat, imagePath?: string, ffmpegPath = 'ffmpeg'): Promise<SlateClip> {
  const fps = Math.max(1, Math.round(format.fps));
  const frames = fps * 2;
  const dir = await mkdtemp(join(tmpdir(), 'lh-slate-'));
  try {
    const image = imagePath ?? join(dir, 'card.png');
    if (!imagePath) await writeFile(image, defaultCard(format.width, format.height));
    const reader = new FlvReader();
    const tags: FlvTag[] = [];
    await new Promise<void>((resolve, reject) => {
      const child = spawn(ffmpegPath, [
        '-hide_banner', '-nostdin', '-loglevel', 'error',
        '-loop', '1', '-framerate', String(fps), '-t', '2', '-i', image,
        // Audio as long as the video: a muxer downstream (ffmpeg relays, IVS) holds video back
        // while it waits for audio to interleave, so a short audio track stalls the picture.
        '-f', 'lavfi', '-t', '2', '-i', `anullsrc=r=48000:cl=${format.channels === 1 ? 'mono' : 'stereo'}`,
        '-vf', `scale=${format.width}:${format.height}:force_original_aspect_ratio=decrease,pad=${format.width}:${format.height}:(ow-iw)/2:(oh-ih)/2,format=yuv420p`,
        // Input-side durations, not -frames:v: ffmpeg 5 ends the whole output when the
        // video frame limit is hit, cutting the audio short.
        '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'stillimage', '-profile:v', 'main', '-bf', '0',
        '-g', String(fps), '-keyint_min', String(fps), '-sc_threshold', '0', '-r', String(fps),
        '-c:a', 'aac', '-b:a', '96k', '-ar', '48000', '-ac', String(format.channels ?? 2),
        '-f', 'flv', 'pipe:1',
      ], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-1000); });
      child.stdout.on('data', (d: Buffer) => { tags.push(...reader.push(d)); });
      child.once('error', reject);
      child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`slate encode failed (${code}): ${stderr.trim()}`))));
    });
    const videoHeader = tags.find(isVideoHeader);
    const audioHeader = tags.find(isAudioHeader);
    // AVC end-of-sequence (packet type 2) would end the stream for a decoder at every loop.
    const media = tags.filter((t) => (t.type === TAG_AUDIO && !isAudioHeader(t)) || (t.type === TAG_VIDEO && t.data[1] === 1));
    if (!videoHeader || !audioHeader || !media.some((t) => t.type === TAG_VIDEO)) throw new Error('slate encode produced no H.264/AAC');
    const durationMs = Math.round((frames * 1000) / fps);
    return { videoHeader, audioHeader, tags: media.filter((t) => t.ts < durationMs).sort((a, b) => a.ts - b.ts), durationMs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Slates by format, rendered once each; a format not ready yet falls back to any ready one. */
export class SlateLibrary {
  private readonly ready = new Map<string, SlateClip>();
  private readonly pending = new Map<string, Promise<SlateClip>>();

  constructor(private readonly imagePath?: string, private readonly ffmpegPath = 'ffmpeg') {}

  prepare(format: SlateFormat): Promise<SlateClip> {
    const key = `${format.width}x${format.height}@${Math.round(format.fps)}`;
    const have = this.ready.get(key);
    if (have) return Promise.resolve(have);
    let p = this.pending.get(key);
    if (!p) {
      p = renderSlate(format, this.imagePath, this.ffmpegPath).then((clip) => {
        this.ready.set(key, clip);
        return clip;
      }).finally(() => this.pending.delete(key));
      this.pending.set(key, p);
    }
    return p;
  }

  best(format: SlateFormat | null): SlateClip | undefined {
    if (format) {
      const exact = this.ready.get(`${format.width}x${format.height}@${Math.round(format.fps)}`);
      if (exact) return exact;
    }
    return this.ready.values().next().value;
  }
}
