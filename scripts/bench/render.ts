// npm run bench:render — the render host's two numbers:
//   (a) frames rendered + encoded per second at 720p30, one room speaking, process and
//       ffmpeg pinned to one core (taskset), goal >= 60 fps; with the CPU time per frame of
//       the bridge and of ffmpeg (user + system), and the same against a baseline in the
//       same run that draws, reads back and converts every frame whole;
//   (b) A/V offset of a published stream: the room publishes over RTMP to a local ffmpeg
//       listener, the capture is decoded, and the delay of the picture (mouth pixels) and of
//       the sound (envelope) against what the bridge produced are found by
//       cross-correlation over >= 30 s of flite speech; |video delay - audio delay|, goal <= 20 ms.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { SpeechSegment } from '../../protocol/index.js';
import { FfmpegEncoder } from '../../render-bridge/encoder/ffmpeg-encoder.js';
import { RESOLUTIONS } from '../../render-bridge/encoder/encoder-settings.js';
import { silentLogger } from '../../render-bridge/log.js';
import { FfmpegAudioDecoder } from '../../render-bridge/media/audio-decoder.js';
import { FPS, SAMPLE_RATE } from '../../render-bridge/media/media-timing.js';
import { applyPatch } from '../../render-bridge/renderer/frame-patch.js';
import type { Renderer } from '../../render-bridge/renderer/frame-state.js';
import { createReferenceRenderer, mouthRegion } from '../../render-bridge/renderer/reference-renderer.js';
import { HttpImageLoader } from '../../render-bridge/room/panel-image.js';
import { ReferenceRoom } from '../../render-bridge/room/reference-room.js';
import { FliteProvider } from '../../workers/tts/flite-provider.js';

const out = (s: string) => process.stdout.write(`${s}\n`);
const run = promisify(execFile);
const { width: W, height: H } = RESOLUTIONS['720p'];
const LOOK = { character: 'ava', scene: 'park', camera: 'front' } as const;
const THROUGHPUT_FRAMES = Number(process.env.BENCH_RENDER_FRAMES ?? 600);
const SYNC_SECONDS = Number(process.env.BENCH_SYNC_SECONDS ?? 32);

const LINES = [
  'Welcome to the show, today we look at three new products that our viewers asked about.',
  'The first one is a red kettle that boils a full litre of water in about two minutes.',
  'It has an automatic shut off, a blue light ring, and a handle that stays cool.',
  'Next up is a small travel backpack, made from recycled fabric, with a padded laptop sleeve.',
  'Many of you asked whether it fits under an airline seat, and the answer is yes.',
  'Finally, a wireless speaker that floats in the pool and plays for twelve hours.',
  'Thanks for all your questions, keep them coming and we will answer as many as we can.',
  'Remember that every product ships within five days, and returns are free for thirty days.',
];

async function synthesize(dir: string, seconds: number): Promise<SpeechSegment[]> {
  const flite = new FliteProvider();
  const segments: SpeechSegment[] = [];
  let total = 0;
  for (let i = 0; total < seconds * 1000; i++) {
    const text = LINES[i % LINES.length]!;
    const r = await flite.synthesize({ text, language: 'en-US', voice: i % 2 ? 'en-US-female' : 'en-US-male', prosody: {} });
    const file = path.join(dir, `line-${i}.wav`);
    writeFileSync(file, r.audio);
    total += r.timeline.durationMs;
    segments.push({
      segmentId: `bench-${i}`, room: 'bench', segmentSeq: i + 1, text, language: 'en-US', priority: 'script', final: true,
      durationMs: r.timeline.durationMs, timeline: r.timeline,
      audio: { key: `bench/${i}.wav`, url: pathToFileURL(file).toString(), format: 'wav', sampleRate: r.sampleRate, channels: 1 },
    });
  }
  return segments;
}

interface Captured { mouth: number[]; audio: Int16Array[] }

/** ffmpeg's crop snaps to the 4:2:0 chroma grid; use the same even box on both sides. */
function evenBox(b: { x: number; y: number; width: number; height: number }) {
  return { x: b.x & ~1, y: b.y & ~1, width: b.width & ~1, height: b.height & ~1 };
}

/** Luma of the mouth crop of an RGBA frame with row stride `width`. */
function cropLuma(rgba: Uint8Array, width: number, box: { x: number; y: number; width: number; height: number }): Float32Array {
  const out = new Float32Array(box.width * box.height);
  let k = 0;
  for (let y = box.y; y < box.y + box.height; y++) {
    for (let x = box.x, i = (y * width + box.x) * 4; x < box.x + box.width; x++, i += 4) {
      out[k++] = 0.299 * rgba[i]! + 0.587 * rgba[i + 1]! + 0.114 * rgba[i + 2]!;
    }
  }
  return out;
}

/**
 * How far the mouth crop is from the idle (closed-mouth) picture: survives H.264
 * compression far better than matching exact mouth colours, and is computed the same
 * way on the bridge's frames and on the decoded capture.
 */
function mouthActivity(luma: Float32Array, ref: Float32Array): number {
  let s = 0;
  for (let i = 0; i < luma.length; i++) s += Math.abs(luma[i]! - ref[i]!);
  return s / luma.length;
}

const CLK_TCK = (() => { try { return Number(execFileSync('getconf', ['CLK_TCK']).toString()) || 100; } catch { return 100; } })();

/** A process's user and system CPU so far, ms (from /proc: works for any child, not only ours). */
function processCpuMs(pid: number): { user: number; sys: number } {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return { user: (Number(fields[11]) * 1000) / CLK_TCK, sys: (Number(fields[12]) * 1000) / CLK_TCK };
}

interface Cpu { bridgeMs: number; ffmpegMs: number }

/** The renderer with its patches hidden: every frame is drawn, read and converted whole. */
function wholeFrames(r: Renderer): Renderer {
  return { name: `${r.name} (whole frames)`, render: (s) => r.render(s), close: () => r.close() };
}

/** Runs one room as fast as the encoder takes frames; returns what the bridge produced. */
async function runRoom(output: string, segments: SpeechSegment[], frames: number | 'until-done', pin: boolean, whole = false): Promise<{ fps: number; frames: number; cpu: Cpu; captured: Captured; ref: Float32Array | null }> {
  const encoder = new FfmpegEncoder({
    settings: { width: W, height: H, fps: FPS, keyframeSeconds: 2, codec: 'libx264', videoKbps: 2500, audioKbps: 128, output },
    commandPrefix: pin ? ['taskset', '-c', '0'] : [], maxQueuedFrames: 4,
  });
  let finished = 0;
  const room = new ReferenceRoom({
    assignment: { room: 'bench', look: LOOK, publish: { url: 'rtmp://unused/live', streamKey: 'x' } },
    events: { speechStarted: () => {}, speechFinished: () => { finished++; } },
    width: W, height: H, renderer: whole ? wholeFrames(createReferenceRenderer({ width: W, height: H })) : createReferenceRenderer({ width: W, height: H }),
    createSink: () => encoder, decoder: new FfmpegAudioDecoder(), images: new HttpImageLoader(), log: silentLogger, autoStart: false,
  });
  // Small settle/gap defaults are media-time based; pre-decode so speech starts at once.
  for (const s of segments) room.enqueue(s);
  await room.scheduler.decoded();
  const box = evenBox(mouthRegion(LOOK, W, H));
  const captured: Captured = { mouth: [], audio: [] };
  let ref: Float32Array | null = null;
  const picture = Buffer.alloc(W * H * 4);
  // ffmpeg has started and waits for input; CPU from here on is the frames'.
  await new Promise((r) => setTimeout(r, 300));
  const ffmpegPid = encoder.pid!;
  const ff0 = processCpuMs(ffmpegPid);
  const me0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let f = 0;
  const limit = frames === 'until-done' ? Infinity : frames;
  while (f < limit && !(frames === 'until-done' && finished === segments.length && f % FPS === 0)) {
    while (encoder.backlogFrames >= 3 || encoder.state === 'backoff') await new Promise((r) => setTimeout(r, 1));
    if (encoder.state !== 'running') throw new Error(`encoder is ${encoder.state}`);
    const { rgba, box: changed, audio } = room.renderFrame(f++);
    if (frames === 'until-done') {
      if (changed) applyPatch(picture, W, { box: changed, rgba });
      else rgba.copy(picture);
      const luma = cropLuma(picture, W, box);
      ref ??= luma;
      captured.mouth.push(mouthActivity(luma, ref));
      captured.audio.push(audio.slice());
    }
  }
  // Every frame through x264 (progress reports lag by up to half a second), then measure.
  while (encoder.encodedFrames < f - 2 && encoder.state === 'running') await new Promise((r) => setTimeout(r, 5));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const me = process.cpuUsage(me0);
  const ff1 = processCpuMs(ffmpegPid);
  await encoder.stop(30_000);
  await room.close();
  const cpu = { bridgeMs: (me.user + me.system) / 1000, ffmpegMs: ff1.user + ff1.sys - ff0.user - ff0.sys };
  return { fps: f / secs, frames: f, cpu, captured, ref };
}

function throughputLine(name: string, r: { fps: number; frames: number; cpu: Cpu }): string {
  const perFrame = (ms: number) => (ms / r.frames).toFixed(2);
  const perCpuSecond = (r.frames * 1000) / (r.cpu.bridgeMs + r.cpu.ffmpegMs);
  return `    ${name}: ${r.fps.toFixed(1)} fps wall; CPU per frame: bridge ${perFrame(r.cpu.bridgeMs)} ms + ffmpeg ${perFrame(r.cpu.ffmpegMs)} ms = ${perFrame(r.cpu.bridgeMs + r.cpu.ffmpegMs)} ms → ${perCpuSecond.toFixed(1)} frames per CPU-second`;
}

function cpuModel(): string {
  return cpus()[0]?.model.trim() ?? 'unknown CPU';
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** RMS envelope at 1 ms steps over a 20 ms window. */
function envelope(pcm: Int16Array): Float64Array {
  const step = SAMPLE_RATE / 1000;
  const n = Math.floor(pcm.length / step);
  const sq = new Float64Array(pcm.length + 1);
  for (let i = 0; i < pcm.length; i++) sq[i + 1] = sq[i]! + pcm[i]! * pcm[i]!;
  const env = new Float64Array(n);
  const half = 10 * step;
  for (let i = 0; i < n; i++) {
    const a = Math.max(0, i * step - half);
    const b = Math.min(pcm.length, i * step + half);
    env[i] = Math.sqrt((sq[b]! - sq[a]!) / Math.max(1, b - a));
  }
  return env;
}

/** A per-frame series at 1 ms steps (linear between frame times), starting at `startMs`. */
function frameSeries(values: number[], startMs: number, lengthMs: number): Float64Array {
  const s = new Float64Array(lengthMs);
  const period = 1000 / FPS;
  for (let t = 0; t < lengthMs; t++) {
    const x = (t - startMs) / period;
    const i = Math.floor(x);
    if (i < 0 || i >= values.length) continue;
    const a = values[i]!;
    const b = values[Math.min(values.length - 1, i + 1)]!;
    s[t] = a + (b - a) * (x - i);
  }
  return s;
}

/** The lag (ms) of `b` behind `a` maximising normalised cross-correlation within ±maxLag. */
function bestLag(a: Float64Array, b: Float64Array, maxLag = 500): { lag: number; r: number } {
  const n = Math.min(a.length, b.length);
  const mean = (x: Float64Array) => { let s = 0; for (let i = 0; i < n; i++) s += x[i]!; return s / n; };
  const ma = mean(a);
  const mb = mean(b);
  let best = { lag: 0, r: -Infinity };
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    let sab = 0, saa = 0, sbb = 0;
    for (let i = Math.max(0, -lag); i < Math.min(n, n - lag); i++) {
      const x = a[i]! - ma;
      const y = b[i + lag]! - mb;
      sab += x * y; saa += x * x; sbb += y * y;
    }
    const r = sab / Math.sqrt(saa * sbb || 1);
    if (r > best.r) best = { lag, r };
  }
  return best;
}

async function firstPts(file: string, stream: 'v' | 'a'): Promise<number> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', stream, '-show_entries', 'packet=pts_time', '-read_intervals', '%+#1', '-of', 'csv=p=0', file]);
  return Number(stdout.trim().split('\n')[0]) * 1000;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'livehost-bench-render-'));
  try {
    out(`synthesizing ${SYNC_SECONDS}+ s of speech with flite…`);
    const segments = await synthesize(dir, SYNC_SECONDS);
    const speechMs = segments.reduce((s, x) => s + x.durationMs, 0);

    // (a) throughput, one core.
    const pinned = process.env.BENCH_NOPIN ? false : (() => { try { execFileSync('taskset', ['-a', '-cp', '0', String(process.pid)], { stdio: 'ignore' }); return true; } catch { return false; } })();
    out(`machine: ${cpuModel()}, ${cpus().length} vCPU, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    const a = await runRoom(path.join(dir, 'throughput.flv'), segments, THROUGHPUT_FRAMES, pinned);
    const base = await runRoom(path.join(dir, 'whole.flv'), segments, THROUGHPUT_FRAMES, pinned, true);
    out(`(a) render+encode 720p30, one room speaking, ${pinned ? 'bridge and ffmpeg pinned to core 0' : 'NOT pinned (taskset failed)'}, ${a.frames} frames each:`);
    out(throughputLine('patches (what the render host runs)', a));
    out(throughputLine('baseline, same run: whole frames redrawn and converted', base));
    const ratio = (base.cpu.bridgeMs + base.cpu.ffmpegMs) / base.frames / ((a.cpu.bridgeMs + a.cpu.ffmpegMs) / a.frames);
    out(`    CPU per frame, baseline / patches: ${ratio.toFixed(2)}x`);
    out(`    ${a.fps.toFixed(1)} fps on one core (goal >= 60) ${a.fps >= 60 ? 'PASS' : 'FAIL'}`);
    try { execFileSync('taskset', ['-a', '-cp', `0-${Math.max(0, availableParallelism() - 1)}`, String(process.pid)], { stdio: 'ignore' }); } catch { /* stays pinned */ }

    // (b) A/V sync through a real RTMP publish.
    const port = await freePort();
    const capture = path.join(dir, 'capture.flv');
    const listener = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-listen', '1', '-i', `rtmp://127.0.0.1:${port}/live/bench`, '-c', 'copy', '-y', capture], { stdio: 'ignore' });
    const listenerDone = new Promise<void>((r) => listener.on('close', () => r()));
    // ffmpeg -listen accepts exactly one connection, so no probe: give it time to bind.
    await new Promise((r) => setTimeout(r, 1500));
    const b = await runRoom(`rtmp://127.0.0.1:${port}/live/bench`, segments, 'until-done', false);
    await Promise.race([listenerDone, new Promise((r) => setTimeout(r, 10_000))]);
    listener.kill('SIGKILL');

    const box = evenBox(mouthRegion(LOOK, W, H));
    const vRaw = path.join(dir, 'mouth.rgba');
    const aRaw = path.join(dir, 'audio.s16');
    await run('ffmpeg', ['-v', 'error', '-i', capture,
      '-map', '0:v', '-fps_mode', 'passthrough', '-vf', `crop=${box.width}:${box.height}:${box.x}:${box.y}`, '-f', 'rawvideo', '-pix_fmt', 'rgba', '-y', vRaw,
      '-map', '0:a', '-f', 's16le', '-ac', '1', '-ar', String(SAMPLE_RATE), '-y', aRaw], { maxBuffer: 1 << 20 });
    const vbuf = readFileSync(vRaw);
    const fsz = box.width * box.height * 4;
    const pubMouth: number[] = [];
    const whole = { x: 0, y: 0, width: box.width, height: box.height };
    for (let o = 0; o + fsz <= vbuf.length; o += fsz) pubMouth.push(mouthActivity(cropLuma(vbuf.subarray(o, o + fsz), box.width, whole), b.ref!));
    const abuf = readFileSync(aRaw);
    const pubAudio = new Int16Array(abuf.buffer, abuf.byteOffset, Math.floor(abuf.length / 2));
    const vStart = await firstPts(capture, 'v');
    const aStart = await firstPts(capture, 'a');

    const srcAudio = new Int16Array(b.captured.audio.reduce((s, x) => s + x.length, 0));
    let o = 0;
    for (const x of b.captured.audio) { srcAudio.set(x, o); o += x.length; }
    const len = Math.floor((srcAudio.length * 1000) / SAMPLE_RATE);
    const srcEnv = envelope(srcAudio);
    const pubEnvRaw = envelope(pubAudio);
    const pubEnv = new Float64Array(len);
    for (let t = 0; t < len; t++) pubEnv[t] = pubEnvRaw[Math.round(t - aStart)] ?? 0;
    const srcM = frameSeries(b.captured.mouth, 0, len);
    const pubM = frameSeries(pubMouth, vStart, len);
    const audioDelay = bestLag(srcEnv, pubEnv);
    const videoDelay = bestLag(srcM, pubM);
    const offset = videoDelay.lag - audioDelay.lag;
    out(`(b) published ${b.frames} frames (${(speechMs / 1000).toFixed(1)} s of speech) over RTMP; captured ${pubMouth.length} frames, ${(pubAudio.length / SAMPLE_RATE).toFixed(1)} s audio`);
    out(`    delays against the frames and samples the bridge produced (the AAC encoder's 1024-sample priming shows in both):`);
    out(`    audio delay ${audioDelay.lag} ms (r=${audioDelay.r.toFixed(3)}), video delay ${videoDelay.lag} ms (r=${videoDelay.r.toFixed(3)}), first pts v=${vStart.toFixed(0)} a=${aStart.toFixed(0)} ms`);
    out(`    |A/V offset| = ${Math.abs(offset)} ms (goal <= 20) ${Math.abs(offset) <= 20 ? 'PASS' : 'FAIL'}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
