import { mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RecordingView } from '../../protocol/index.js';

/** A recording as the gateway leaves it: show.mp4, its playlist and recording.json. */
export function writeRecording(dataDir: string, room: string, id: string, mp4Bytes: number, startedAt = Date.now() - 3 * 3_600_000): RecordingView {
  const dir = path.join(dataDir, 'recordings', room, id);
  mkdirSync(dir, { recursive: true });
  // Sparse: a multi-hundred-MiB file that costs no disk and reads fast.
  writeFileSync(path.join(dir, 'show.mp4'), '');
  truncateSync(path.join(dir, 'show.mp4'), mp4Bytes);
  writeFileSync(path.join(dir, 'index.m3u8'), '#EXTM3U\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-ENDLIST\n');
  const view: RecordingView = {
    id, room, startedAt, endedAt: startedAt + 7_200_000, durationMs: 7_200_000,
    mp4: `/api/rooms/${room}/recordings/${id}/show.mp4`, hls: `/api/rooms/${room}/recordings/${id}/index.m3u8`,
  };
  writeFileSync(path.join(dir, 'recording.json'), JSON.stringify(view));
  return view;
}
