/**
 * What forwarding costs now that a destination relay publishes from the gateway process,
 * against the relay it replaced (`ffmpeg -c copy` per destination), measured in one run:
 *
 * 1. a program feed stand-in: an H.264/AAC FLV (made once by ffmpeg) served over loopback
 *    HTTP-FLV, paced by its timestamps as the program paces the live stream, to every reader;
 * 2. N destinations: ffmpeg RTMP listeners (`-listen 1 … -f null`), whose CPU is not counted;
 * 3. phase "in process": N DestinationRelays; phase "ffmpeg": N `ffmpeg -c copy` children.
 *
 * CPU is user + system time: this process's (the feed is served here in both phases, so the
 * ffmpeg phase's own share of it is subtracted) plus, for the baseline, the children's.
 * Run: `npx tsx stream-gateway/destinations/relay-bench.ts` (env BENCH_RELAYS, BENCH_SECONDS,
 * BENCH_KBPS). No Redis, no network.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { FlvTagReader, type FlvTag } from '../../media/rtmp/index.js';
import { freePort } from '../free-port.js';
import { DestinationRelay } from './destination-relay.js';

const RELAYS = Number(process.env.BENCH_RELAYS ?? 4);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const KBPS = Number(process.env.BENCH_KBPS ?? 2500);
const out = (s: string): void => { process.stdout.write(`${s}\n`); };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}: ${err.slice(-500)}`))));
  });
}

function encodeTag(tag: FlvTag, ts: number): Buffer {
  const b = Buffer.alloc(11 + tag.data.length + 4);
  b[0] = tag.type;
  b.writeUIntBE(tag.data.length, 1, 3);
  b.writeUIntBE(ts & 0xffffff, 4, 3);
  b[7] = (ts >>> 24) & 0xff;
  tag.data.copy(b, 11);
  b.writeUInt32BE(11 + tag.data.length, 11 + tag.data.length);
  return b;
}

/** Serves the clip as an endless live feed: each reader gets the headers, then the tags at their time. */
async function feedServer(tags: FlvTag[]): Promise<{ url: string; close: () => Promise<void> }> {
  const headers = tags.filter((t) => t.data[1] === 0 && (t.type === 8 || t.type === 9));
  const media = tags.filter((t) => !headers.includes(t) && (t.type === 8 || t.type === 9));
  const clipMs = media.at(-1)!.timestamp + 33;
  const readers = new Set<ServerResponse>();
  const t0 = Date.now();
  let next = 0;
  const timer = setInterval(() => {
    const now = Date.now() - t0;
    for (;;) {
      const loop = Math.floor(next / media.length);
      const tag = media[next % media.length]!;
      const ts = loop * clipMs + tag.timestamp;
      if (ts > now) break;
      const buf = encodeTag(tag, ts);
      for (const r of readers) r.write(buf);
      next += 1;
    }
  }, 20);
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'video/x-flv' });
    res.write(Buffer.from([0x46, 0x4c, 0x56, 1, 5, 0, 0, 0, 9, 0, 0, 0, 0]));
    for (const h of headers) res.write(encodeTag(h, Date.now() - t0));
    readers.add(res);
    res.once('close', () => readers.delete(res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed.flv`,
    close: async () => {
      clearInterval(timer);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** ffmpeg RTMP listeners that accept one publish each and throw it away. */
async function sinks(n: number): Promise<{ urls: string[]; children: ChildProcess[] }> {
  const urls: string[] = [];
  const children: ChildProcess[] = [];
  for (let i = 0; i < n; i++) {
    const port = await freePort('127.0.0.1');
    const url = `rtmp://127.0.0.1:${port}/live/bench-${i}`;
    children.push(spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-listen', '1', '-i', url, '-c', 'copy', '-f', 'null', '-'], { stdio: 'ignore' }));
    urls.push(url);
  }
  await sleep(1500); // listening
  return { urls, children };
}

/** CPU ms of a child so far (utime + stime from /proc, clock ticks of 10 ms). */
async function childCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const selfCpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

async function main(): Promise<void> {
  out(`machine: ${cpus().length} × ${cpus()[0]?.model}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  out(`${RELAYS} relays of a ${KBPS} kb/s H.264 + AAC feed, ${SECONDS} s a phase`);
  const dir = await mkdtemp(join(tmpdir(), 'lh-relay-bench-'));
  const clip = join(dir, 'clip.flv');
  await run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', '10', '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', `${KBPS}k`, '-maxrate', `${KBPS}k`, '-bufsize', `${KBPS}k`, '-g', '60', '-bf', '0',
    '-c:a', 'aac', '-b:a', '128k', '-f', 'flv', clip,
  ]);
  const tags = new FlvTagReader().push(await readFile(clip));
  const feed = await feedServer(tags);
  const log = pino({ level: 'warn' });
  try {
    // Phase 1: in process.
    let dest = await sinks(RELAYS);
    const relays = dest.urls.map((url, i) => new DestinationRelay({ id: `d${i}`, room: 'bench', sourceUrl: () => feed.url, targetUrl: url, log }));
    relays.forEach((r) => r.start());
    await sleep(3000);
    let cpu0 = selfCpuMs();
    let wall0 = Date.now();
    await sleep(SECONDS * 1000);
    const inProcess = selfCpuMs() - cpu0;
    const inWall = Date.now() - wall0;
    const live = relays.filter((r) => r.status().state === 'live').length;
    const kbps = relays.map((r) => r.status().bitrateKbps ?? 0);
    await Promise.all(relays.map((r) => r.stop()));
    dest.children.forEach((c) => c.kill('SIGKILL'));

    // Phase 2: the ffmpeg relays this replaced.
    dest = await sinks(RELAYS);
    const ffmpegs = dest.urls.map((url) => spawn('ffmpeg', [
      '-hide_banner', '-nostdin', '-loglevel', 'error', '-analyzeduration', '1000000', '-probesize', '500000',
      '-i', feed.url, '-c', 'copy', '-map', '0', '-f', 'flv', url,
    ], { stdio: 'ignore' }));
    await sleep(3000);
    const before = await Promise.all(ffmpegs.map((c) => childCpuMs(c.pid!)));
    cpu0 = selfCpuMs();
    wall0 = Date.now();
    await sleep(SECONDS * 1000);
    const feedOnly = selfCpuMs() - cpu0;
    const after = await Promise.all(ffmpegs.map((c) => childCpuMs(c.pid!)));
    const ffWall = Date.now() - wall0;
    const children = after.reduce((s, v, i) => s + v - before[i]!, 0);
    ffmpegs.forEach((c) => c.kill('SIGKILL'));
    dest.children.forEach((c) => c.kill('SIGKILL'));

    const perRelay = (ms: number, wall: number) => `${((ms / RELAYS / wall) * 100).toFixed(2)} % of a core`;
    const relayCost = Math.max(0, inProcess - feedOnly);
    out(`in process: ${live}/${RELAYS} live at ${kbps.map((k) => k.toFixed(0)).join(', ')} kb/s; gateway CPU ${inProcess.toFixed(0)} ms (feed ${feedOnly.toFixed(0)} ms) → ${perRelay(relayCost, inWall)} per relay`);
    out(`ffmpeg -c copy: children CPU ${children.toFixed(0)} ms → ${perRelay(children, ffWall)} per relay`);
    out(`ratio (in process / ffmpeg): ${(relayCost / inWall / (children / ffWall)).toFixed(2)}`);
  } finally {
    await feed.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
