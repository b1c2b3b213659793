import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { RecordingView } from '../../protocol/index.js';
import type { ProgramConsumer } from '../program/program-forwarder.js';
import { finishRecording, partName } from './finish-recording.js';

export interface ShowRecorderOptions {
  /** `${LIVEHOST_DATA_DIR}/recordings`: a show goes to `<dir>/<room>/<id>/`. */
  dir: string;
  log: Logger;
  ffmpegPath?: string;
  /** Told when a recording is ready for on-demand (recording.json written). */
  onRecorded?: (view: RecordingView) => void;
  /**
   * Told when a room's recording starts and stops (null): its id and the wall-clock time of
   * its first frame (the as-run log's offsets), first as the show's start, then exactly once
   * the program reports what the recorder got first.
   */
  onTake?: (room: string, take: { id: string; startedAt: number; firstTs?: number } | null) => void;
  /** Where a named program reader's stream begins (program timestamp, wall clock), from the program server. */
  startOf?: (room: string, consumer: string) => { wall: number; firstTs: number } | undefined;
  /** How long ffmpeg may take to finish its file after the program ends, before SIGINT (ms). */
  drainMs?: number;
}

interface Take {
  room: string;
  id: string;
  dir: string;
  startedAt: number;
  programUrl: string;
  part: number;
  child: ChildProcess | null;
  exited: Promise<void>;
  ending: boolean;
  restart: NodeJS.Timeout | null;
}

/**
 * Records every show: an `ffmpeg -c copy` reader of the room's program feed writes the
 * show as FLV (a file that stays readable whatever way ffmpeg ends), and when the show ends
 * it is remuxed for on-demand (finish-recording.ts). Reading the program rather than the
 * room means the recording runs through publisher drops with the slate, like viewers saw.
 */
export class ShowRecorder implements ProgramConsumer {
  private readonly takes = new Map<string, Take>();
  private readonly finishing = new Set<Promise<unknown>>();

  constructor(private readonly options: ShowRecorderOptions) {}

  /** Rooms being recorded now. */
  rooms(): string[] {
    return [...this.takes.keys()];
  }

  showStarted(room: string, programUrl: string): void {
    if (this.takes.has(room)) return;
    const startedAt = Date.now();
    const take: Take = {
      room, id: recordingId(startedAt), dir: '', startedAt, programUrl, part: 0,
      child: null, exited: Promise.resolve(), ending: false, restart: null,
    };
    take.dir = join(this.options.dir, room, take.id);
    this.takes.set(room, take);
    this.options.onTake?.(room, { id: take.id, startedAt });
    mkdir(take.dir, { recursive: true }).then(() => this.capture(take), (err: Error) => {
      this.options.log.error({ room, err: err.message }, 'recording directory not created: show not recorded');
      this.takes.delete(room);
    });
  }

  /** Once the recorder's ffmpeg is reading, the time 0 of its file is known exactly: report it. */
  private reportStart(take: Take, consumer: string, tries: number): void {
    const at = this.options.startOf?.(take.room, consumer);
    if (at !== undefined) {
      if (this.takes.get(take.room) === take) this.options.onTake?.(take.room, { id: take.id, startedAt: at.wall, firstTs: at.firstTs });
      return;
    }
    if (tries < 100 && !take.ending) setTimeout(() => this.reportStart(take, consumer, tries + 1), 50).unref();
  }

  async showEnded(room: string): Promise<void> {
    const take = this.takes.get(room);
    if (!take) return;
    this.takes.delete(room);
    this.options.onTake?.(room, null);
    const finishing = this.finish(take);
    this.finishing.add(finishing);
    await finishing.finally(() => this.finishing.delete(finishing));
  }

  async close(): Promise<void> {
    await Promise.all([...this.takes.keys()].map((room) => this.showEnded(room)));
    await Promise.all([...this.finishing]);
  }

  private capture(take: Take): void {
    if (take.ending) return;
    const file = join(take.dir, partName(take.part));
    const consumer = `${take.id}-p${take.part}`;
    const child = spawn(this.options.ffmpegPath ?? 'ffmpeg', [
      '-hide_banner', '-nostdin', '-loglevel', 'error',
      '-analyzeduration', '1000000', '-probesize', '500000',
      '-i', `${take.programUrl}?consumer=${consumer}`, '-map', '0', '-c', 'copy', '-f', 'flv', '-y', file,
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    if (take.part === 0 && this.options.startOf) this.reportStart(take, consumer, 0);
    take.child = child;
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-1000); });
    child.once('error', (err) => { stderr += err.message; });
    take.exited = new Promise((resolve) => {
      child.once('close', (code) => {
        take.child = null;
        resolve();
        if (take.ending) return;
        // The program is still on: keep recording into a new part rather than lose the rest.
        this.options.log.warn({ room: take.room, recording: take.id, code, err: stderr.trim().slice(-300) }, 'recorder exited mid-show; restarting');
        take.part += 1;
        take.restart = setTimeout(() => { take.restart = null; this.capture(take); }, 500);
      });
    });
    this.options.log.info({ room: take.room, recording: take.id, part: take.part }, 'recording');
  }

  private async finish(take: Take): Promise<void> {
    take.ending = true;
    const endedAt = Date.now();
    if (take.restart) clearTimeout(take.restart);
    const child = take.child;
    if (child) {
      // The program closing ends ffmpeg's input, so it normally finishes on its own; SIGINT
      // still lets it write a clean file if the end of input is slow to show.
      const interrupt = setTimeout(() => child.kill('SIGINT'), this.options.drainMs ?? 3000);
      const kill = setTimeout(() => child.kill('SIGKILL'), (this.options.drainMs ?? 3000) + 5000);
      await take.exited;
      clearTimeout(interrupt);
      clearTimeout(kill);
    }
    try {
      const view = await finishRecording({
        dir: take.dir, id: take.id, room: take.room, startedAt: take.startedAt, endedAt, ffmpegPath: this.options.ffmpegPath,
      });
      this.options.log.info({ room: take.room, recording: take.id, durationMs: view.durationMs }, 'recording ready');
      this.options.onRecorded?.(view);
    } catch (err) {
      this.options.log.error({ room: take.room, recording: take.id, err: (err as Error).message }, 'recording not finished');
    }
  }
}

/** Sortable and unique: `20250131-142501-3f9a1c`. */
function recordingId(at: number): string {
  const iso = new Date(at).toISOString(); // 2025-01-31T14:25:01.123Z
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}-${randomBytes(3).toString('hex')}`;
}
