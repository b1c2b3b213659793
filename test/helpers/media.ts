import { spawn } from 'node:child_process';

/** Runs a media tool to completion and returns stdout (binary-safe). */
export function run(cmd: string, args: string[], timeoutMs = 60_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`${cmd} exited ${code}: ${err.slice(-1500)}`));
    });
  });
}

export async function probeStreams(file: string): Promise<Array<{ codec_type: string; codec_name: string; profile?: string; sample_rate?: string; has_b_frames?: number; start_time?: string }>> {
  const json = JSON.parse((await run('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', file])).toString());
  return json.streams;
}

/** Mono 16 kHz PCM of a file's audio, as RMS per `windowMs` window. */
export async function audioRms(file: string, windowMs = 100): Promise<number[]> {
  const pcm = await run('ffmpeg', ['-v', 'error', '-i', file, '-vn', '-ac', '1', '-ar', '16000', '-f', 's16le', '-']);
  const samples = new Int16Array(pcm.buffer, pcm.byteOffset, Math.floor(pcm.byteLength / 2));
  const per = (16000 * windowMs) / 1000;
  const out: number[] = [];
  for (let i = 0; i + per <= samples.length; i += per) {
    let sum = 0;
    for (let j = i; j < i + per; j++) sum += samples[j]! * samples[j]!;
    out.push(Math.sqrt(sum / per));
  }
  return out;
}

/** Grayscale pixels of a box of every frame at `fps`, one Buffer per frame. */
export async function boxFrames(file: string, box: { x: number; y: number; width: number; height: number }, fps: number): Promise<Buffer[]> {
  const raw = await run('ffmpeg', ['-v', 'error', '-i', file, '-an', '-vf', `fps=${fps},crop=${box.width}:${box.height}:${box.x}:${box.y},format=gray`, '-f', 'rawvideo', '-']);
  const size = box.width * box.height;
  const frames: Buffer[] = [];
  for (let i = 0; i + size <= raw.length; i += size) frames.push(raw.subarray(i, i + size));
  return frames;
}

export function meanAbsDiff(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}
