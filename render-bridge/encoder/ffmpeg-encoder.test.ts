import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FfmpegEncoder } from './ffmpeg-encoder.js';
import { SAMPLES_PER_FRAME } from '../media/media-timing.js';

const dir = mkdtempSync(join(tmpdir(), 'enc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const W = 320;
const H = 180;

function encoder(output: string, keyframeSeconds: 1 | 2) {
  return new FfmpegEncoder({
    settings: { width: W, height: H, fps: 30, keyframeSeconds, codec: 'libx264', videoKbps: 500, audioKbps: 64, output },
    maxQueuedFrames: 30,
  });
}

/** Feeds `frames` frames at about real time: a moving bar and a tone. */
async function feed(enc: FfmpegEncoder, frames: number, from = 0): Promise<void> {
  const audio = new Int16Array(SAMPLES_PER_FRAME);
  const t0 = Date.now();
  for (let f = from; f < from + frames; f++) {
    const rgba = Buffer.alloc(W * H * 4, 40);
    const row = (f * 3) % (H - 4);
    rgba.fill(220, row * W * 4, (row + 4) * W * 4);
    for (let i = 0; i < audio.length; i++) audio[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * (f * SAMPLES_PER_FRAME + i)) / 48_000));
    enc.writeFrame(rgba, audio);
    const due = t0 + ((f - from + 1) * 1000) / 30;
    await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
  }
}

const probe = (args: string[]) => JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-of', 'json', ...args]).toString());

describe('ffmpeg encoder', () => {
  it('publishes H.264 without B-frames, keyframes at the configured interval and AAC-LC 48 kHz', async () => {
    const out = join(dir, 'out.flv');
    const enc = encoder(out, 1);
    enc.start();
    await feed(enc, 100);
    await enc.stop();
    const { streams } = probe(['-show_streams', out]);
    const v = streams.find((s: { codec_type: string }) => s.codec_type === 'video');
    const a = streams.find((s: { codec_type: string }) => s.codec_type === 'audio');
    expect(v).toMatchObject({ codec_name: 'h264', width: W, height: H, has_b_frames: 0 });
    expect(a).toMatchObject({ codec_name: 'aac', profile: 'LC', sample_rate: '48000' });
    const { frames } = probe(['-select_streams', 'v', '-show_frames', '-show_entries', 'frame=pict_type,key_frame,pts_time', out]);
    expect(frames.length).toBeGreaterThanOrEqual(90);
    expect(frames.filter((f: { pict_type: string }) => f.pict_type === 'B')).toEqual([]);
    const keys = frames.filter((f: { key_frame: number }) => f.key_frame === 1).map((f: { pts_time: string }) => Number(f.pts_time));
    expect(keys.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < keys.length; i++) expect(keys[i]! - keys[i - 1]!).toBeCloseTo(1, 1);
  });

  it('restarts a killed ffmpeg and is encoding again within 2 s', async () => {
    const out = join(dir, 'restart.flv');
    const enc = encoder(out, 2);
    enc.start();
    const firstPid = enc.pid!;
    const feeding = feed(enc, 120);
    await new Promise((r) => setTimeout(r, 1200));
    const killedAt = Date.now();
    process.kill(firstPid, 'SIGKILL');
    const resumedAfter = await new Promise<number>((resolve) => {
      enc.on('progress', ({ frame }) => {
        if (enc.pid !== firstPid && frame > 0) resolve(Date.now() - killedAt);
      });
    });
    await feeding;
    await enc.stop();
    expect(enc.pid === null || enc.pid !== firstPid).toBe(true);
    expect(resumedAfter).toBeLessThan(2000);
    const { streams } = probe(['-show_streams', out]);
    expect(streams.map((s: { codec_name: string }) => s.codec_name).sort()).toEqual(['aac', 'h264']);
  });
});
