import { execFile } from 'node:child_process';
import { readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RecordingView } from '../../protocol/index.js';

const run = promisify(execFile);

/** Names the server's recording routes serve (server/distribution/recording-routes.ts). */
export const RECORDING_FILES = { mp4: 'show.mp4', playlist: 'index.m3u8', segment: 'seg-%d.ts', meta: 'recording.json' } as const;

/** Raw captures a recorder writes while the show is on: `part-0.flv`, `part-1.flv`… */
export const partName = (n: number): string => `part-${n}.flv`;

export interface FinishInput {
  dir: string;
  id: string;
  room: string;
  startedAt: number;
  endedAt: number;
  ffmpegPath?: string;
  ffprobePath?: string;
  /** HLS segment length (s). */
  hlsTime?: number;
}

export class RecordingError extends Error {
  override readonly name = 'RecordingError';
  constructor(readonly code: 'empty' | 'remux_failed', message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Turns a show's raw FLV capture into what on-demand playback needs, with `-c copy` (no
 * re-encode): show.mp4 with its moov atom first (`+faststart`, so a browser starts playing
 * before the download ends), an HLS VOD playlist with its segments, and recording.json,
 * written last and atomically, since its presence is what tells the API the recording is
 * ready. The raw parts are removed once the outputs exist.
 */
export async function finishRecording(input: FinishInput): Promise<RecordingView> {
  const { dir, ffmpegPath = 'ffmpeg', ffprobePath = 'ffprobe', hlsTime = 4 } = input;
  const parts = (await readdir(dir)).filter((f) => /^part-\d+\.flv$/.test(f))
    .sort((a, b) => Number(a.slice(5, -4)) - Number(b.slice(5, -4)));
  const nonEmpty: string[] = [];
  for (const p of parts) if ((await stat(join(dir, p))).size > 13) nonEmpty.push(p); // 13 = FLV header + first tag size
  if (!nonEmpty.length) throw new RecordingError('empty', `recording ${input.id} of ${input.room} captured nothing`);

  let inputArgs: string[];
  if (nonEmpty.length === 1) {
    inputArgs = ['-i', join(dir, nonEmpty[0]!)];
  } else {
    // The recorder restarted mid-show: the concat demuxer joins the parts in order.
    await writeFile(join(dir, 'parts.txt'), nonEmpty.map((p) => `file '${p}'\n`).join(''));
    inputArgs = ['-f', 'concat', '-safe', '0', '-i', join(dir, 'parts.txt')];
  }
  try {
    await run(ffmpegPath, [
      '-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...inputArgs,
      '-map', '0', '-c', 'copy', '-movflags', '+faststart', join(dir, RECORDING_FILES.mp4),
      '-map', '0', '-c', 'copy', '-f', 'hls', '-hls_time', String(hlsTime), '-hls_list_size', '0',
      '-hls_playlist_type', 'vod', '-hls_segment_filename', join(dir, RECORDING_FILES.segment), join(dir, RECORDING_FILES.playlist),
    ], { timeout: 300_000 });
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? '').trim().split('\n').slice(-2).join(' | ');
    throw new RecordingError('remux_failed', `remux of recording ${input.id} failed: ${stderr || (err as Error).message}`, { cause: err });
  }
  const durationMs = await probeDurationMs(join(dir, RECORDING_FILES.mp4), ffprobePath);
  const base = `/api/rooms/${input.room}/recordings/${input.id}`;
  const view: RecordingView = {
    id: input.id, room: input.room, startedAt: input.startedAt, endedAt: input.endedAt, durationMs,
    mp4: `${base}/${RECORDING_FILES.mp4}`, hls: `${base}/${RECORDING_FILES.playlist}`,
  };
  const tmp = join(dir, `${RECORDING_FILES.meta}.tmp`);
  await writeFile(tmp, JSON.stringify(view, null, 2));
  await rename(tmp, join(dir, RECORDING_FILES.meta));
  await Promise.all([...parts, 'parts.txt'].map((p) => rm(join(dir, p), { force: true })));
  return view;
}

/** Container duration as ffprobe reports it, in whole ms. */
export async function probeDurationMs(path: string, ffprobePath = 'ffprobe'): Promise<number> {
  const { stdout } = await run(ffprobePath, ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path], { timeout: 30_000 });
  const seconds = Number(stdout.trim());
  if (!Number.isFinite(seconds)) throw new RecordingError('remux_failed', `ffprobe found no duration in ${path}`);
  return Math.round(seconds * 1000);
}
