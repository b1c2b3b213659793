import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AssetStore } from '../../../assets/asset-store.js';
import { joinWavs } from './wav.js';

/** The digest an MP3 is cached under: the WAV assets it is made of, in order. */
export function mp3Digest(wavKeys: string[]): string {
  return createHash('sha256').update(JSON.stringify(wavKeys)).digest('hex').slice(0, 40);
}

export class Mp3Error extends Error {
  override readonly name = 'Mp3Error';
}

// CBR, not VBR: ffmpeg writing to a pipe cannot go back to write a VBR header, and then
// players (and ffprobe) estimate a VBR file's duration wrongly. 44.1 kHz mono at 64 kb/s
// is MPEG-1 Layer III, which every decoder (and Unreal's) plays.
const FFMPEG_ARGS = ['-hide_banner', '-loglevel', 'error', '-f', 'wav', '-i', 'pipe:0', '-vn', '-ac', '1', '-ar', '44100', '-c:a', 'libmp3lame', '-b:a', '64k', '-f', 'mp3', 'pipe:1'];

/**
 * MP3s of synthesized lines for renderers that play MP3 (the original's render module),
 * transcoded with ffmpeg (audio through stdin and stdout) once per content and kept under
 * the data directory. Two requests for one MP3 share one transcode; at most `parallel`
 * transcodes run at once, so a burst of new items cannot take every core from the show.
 */
export class Mp3Cache {
  private readonly inFlight = new Map<string, Promise<string>>();
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    readonly dir: string,
    private readonly assets: AssetStore,
    private readonly opts: { parallel?: number; timeoutMs?: number } = {},
  ) {}

  private file(digest: string): string {
    return path.join(this.dir, `${digest}.mp3`);
  }

  /** The MP3's path, made first when it is not cached. */
  async get(wavKeys: string[]): Promise<string> {
    const digest = mp3Digest(wavKeys);
    const file = this.file(digest);
    if (await stat(file).then(() => true, () => false)) return file;
    let job = this.inFlight.get(digest);
    if (!job) {
      job = this.make(wavKeys, file).finally(() => this.inFlight.delete(digest));
      this.inFlight.set(digest, job);
    }
    return job;
  }

  private async make(wavKeys: string[], file: string): Promise<string> {
    const parts: Buffer[] = [];
    for (const key of wavKeys) {
      const wav = await this.assets.get(key);
      if (!wav) throw new Mp3Error(`audio ${key} is gone from the asset store`);
      parts.push(wav);
    }
    const mp3 = await this.slot(() => transcode(joinWavs(parts), this.opts.timeoutMs ?? 60_000));
    await mkdir(this.dir, { recursive: true });
    const tmp = path.join(this.dir, `.${path.basename(file)}.${randomUUID()}.tmp`);
    try {
      await writeFile(tmp, mp3);
      await rename(tmp, file);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return file;
  }

  private async slot<T>(fn: () => Promise<T>): Promise<T> {
    const parallel = this.opts.parallel ?? 2;
    while (this.running >= parallel) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}

function transcode(wav: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', FFMPEG_ARGS, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-2000); });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Mp3Error(`ffmpeg could not start: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0 && out.length) resolve(Buffer.concat(out));
      else reject(new Mp3Error(`ffmpeg failed (${signal ?? code}): ${err.trim() || 'no output'}`));
    });
    // ffmpeg may stop reading early (bad input): its EPIPE is the exit code's to report.
    child.stdin.on('error', () => undefined);
    child.stdin.end(wav);
  });
}
