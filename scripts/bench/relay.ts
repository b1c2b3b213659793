// npm run bench:relay — R rooms, one operator and one render host each; operators send
// N commands/s for S seconds. Measures operator → host latency through livehost's server
// and, under the same load, through a bare `ws` relay (the floor on this machine).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { Redis } from 'ioredis';
import { deletePrefix } from '../../test/helpers/redis.js';
import WebSocket from 'ws';
import { TokenService } from '../../server/auth/token-service.js';
import { RoomStore } from '../../server/rooms/room-store.js';

const ROOMS = Number(process.env.BENCH_ROOMS ?? 200);
const RATE = Number(process.env.BENCH_RATE ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const out = (s: string) => process.stdout.write(`${s}\n`);

interface Result { sent: number; received: number; lost: number; reordered: number; acked: number; latenciesMs: number[] }

function waitForLine(child: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      const m = pattern.exec(buf);
      if (m) { child.stdout?.off('data', onData); resolve(m); }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before ready: ${buf.slice(-500)}`)));
  });
}

function open(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Drives the load: the same traffic shape for both relays. */
async function drive(pairs: Array<{ room: string; op: WebSocket; host: WebSocket }>, frame: (room: string, n: number) => string, ackFor: (msg: string) => string | null): Promise<Result> {
  const result: Result = { sent: 0, received: 0, lost: 0, reordered: 0, acked: 0, latenciesMs: [] };
  const sentAt = new Map<string, number>();
  const lastSeen = new Map<string, number>();
  for (const { room, op, host } of pairs) {
    host.on('message', (data) => {
      const msg = data.toString();
      const m = /"text":"(\d+)"/.exec(msg);
      if (!m) return;
      const n = Number(m[1]);
      const t0 = sentAt.get(`${room}/${n}`);
      if (t0 !== undefined) result.latenciesMs.push(performance.now() - t0);
      result.received++;
      const prev = lastSeen.get(room) ?? -1;
      if (n !== prev + 1) result.reordered++;
      lastSeen.set(room, n);
      const ack = ackFor(msg);
      if (ack) host.send(ack);
    });
    op.on('message', (data) => { if (data.toString().includes('"command.ack"')) result.acked++; });
  }
  const counters = new Map(pairs.map((p) => [p.room, 0]));
  const interval = 1000 / RATE;
  const start = performance.now();
  await new Promise<void>((resolve) => {
    // Operators are spread across the interval so the load is smooth, as real operators are.
    const timers = pairs.map(({ room, op }, i) => setTimeout(() => {
      const t = setInterval(() => {
        if (performance.now() - start > SECONDS * 1000) return clearInterval(t);
        const n = counters.get(room)!;
        counters.set(room, n + 1);
        sentAt.set(`${room}/${n}`, performance.now());
        op.send(frame(room, n));
        result.sent++;
      }, interval);
      timers.push(t);
    }, (i / pairs.length) * interval));
    setTimeout(() => { timers.forEach(clearTimeout); resolve(); }, SECONDS * 1000 + 100);
  });
  await new Promise((r) => setTimeout(r, 1500)); // let in-flight frames land
  result.lost = result.sent - result.received;
  return result;
}

async function benchBare(): Promise<Result> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench/bare-relay.ts'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = Number((await waitForLine(child, /listening (\d+)/))[1]);
    const pairs = [];
    for (let i = 0; i < ROOMS; i++) {
      const room = `room-${i}`;
      const host = await open(`ws://127.0.0.1:${port}/?role=host&room=${room}`);
      const op = await open(`ws://127.0.0.1:${port}/?role=op&room=${room}`);
      pairs.push({ room, op, host });
    }
    const r = await drive(pairs,
      (room, n) => JSON.stringify({ type: 'command', id: `c${n}`, room, command: { name: 'caption', text: String(n) } }),
      (msg) => JSON.stringify({ type: 'command.ack', id: 'a', ref: /"id":"([^"]+)"/.exec(msg)?.[1], ok: true }));
    pairs.forEach((p) => { p.op.terminate(); p.host.terminate(); });
    return r;
  } finally {
    child.kill('SIGTERM');
  }
}

async function benchLivehost(): Promise<Result> {
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  const secret = randomBytes(32).toString('base64url');
  const env = {
    ...process.env, PORT: '0', REDIS_URL, LIVEHOST_REDIS_PREFIX: prefix, LIVEHOST_JWT_SECRET: secret,
    LIVEHOST_PUBLISH_SECRET: randomBytes(32).toString('base64url'), LOG_LEVEL: 'info', LIVEHOST_WS_RATE: String(RATE * 3), LIVEHOST_WS_BURST: String(RATE * 6),
  };
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'server/main.ts'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const redis = new Redis(REDIS_URL);
  try {
    const port = Number((await waitForLine(child, /listening at http:\/\/127\.0\.0\.1:(\d+)/i))[1]);
    child.stdout?.resume();
    const tokens = new TokenService(secret, redis, prefix);
    const store = new RoomStore(redis, prefix);
    const hosts: WebSocket[] = [];
    const assigned = new Map<string, WebSocket>();
    for (let i = 0; i < ROOMS; i++) await store.create({ id: `room-${i}` });
    for (let i = 0; i < ROOMS; i++) {
      const { token } = await tokens.issue({ role: 'render-host', hostId: `host-${i}` });
      const host = await open(`ws://127.0.0.1:${port}/ws/render-host`, { authorization: `Bearer ${token}` });
      host.on('message', (d) => { const m = /"type":"room.assign","room":"([^"]+)"/.exec(d.toString()); if (m) assigned.set(m[1]!, host); });
      host.send(JSON.stringify({ type: 'host.register', id: 'r', capacity: 1, capabilities: { renderer: 'reference', resolutions: ['720p'], encoders: ['libx264'] } }));
      hosts.push(host);
    }
    // Rooms wait in the placement set until hosts register; each host takes one.
    // Real hosts heartbeat on their own clocks, not all in the same millisecond.
    const beats: NodeJS.Timeout[] = [];
    hosts.forEach((h, i) => beats.push(setTimeout(() => beats.push(setInterval(() => h.send(JSON.stringify({ type: 'host.heartbeat', id: 'hb', rooms: [] })), 2000)), (i / hosts.length) * 2000)));
    const beat = { close: () => beats.forEach((t) => clearInterval(t)) };
    const { Placement } = await import('../../server/rooms/placement.js');
    void Placement;
    for (let i = 0; i < ROOMS; i++) await redis.sadd(`${prefix}:rooms:waiting`, `room-${i}`);
    const deadline = Date.now() + 30_000;
    while (assigned.size < ROOMS && Date.now() < deadline) {
      // Registration places waiting rooms; a heartbeat-free nudge is a fresh register.
      hosts[0]!.send(JSON.stringify({ type: 'host.register', id: 'r2', capacity: 1, capabilities: { renderer: 'reference', resolutions: ['720p'], encoders: ['libx264'] } }));
      await new Promise((r) => setTimeout(r, 200));
    }
    if (assigned.size < ROOMS) throw new Error(`only ${assigned.size}/${ROOMS} rooms placed`);
    const pairs = [];
    for (let i = 0; i < ROOMS; i++) {
      const room = `room-${i}`;
      const { token } = await tokens.issue({ role: 'operator', rooms: [room] });
      const op = await open(`ws://127.0.0.1:${port}/ws/operator`, { authorization: `Bearer ${token}` });
      pairs.push({ room, op, host: assigned.get(room)! });
    }
    const r = await drive(pairs,
      (room, n) => JSON.stringify({ type: 'command', id: `c${n}`, room, command: { name: 'caption', text: String(n) } }),
      (msg) => {
        const id = /"commandId":"([^"]+)"/.exec(msg)?.[1];
        const room = /"room":"([^"]+)"/.exec(msg)?.[1];
        return id ? JSON.stringify({ type: 'command.ack', id: 'a', ref: id, room, ok: true }) : null;
      });
    beat.close();
    // The server's own view of the run: event-loop delay and GC, to tell its stalls from the client's.
    const m = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const pick = (name: string) => m.split('\n').filter((l) => l.startsWith(name)).join('  ');
    out(`server event loop: ${pick('livehost_nodejs_eventloop_lag_p99_seconds')}  ${pick('livehost_nodejs_eventloop_lag_max_seconds')}  ${pick('livehost_process_cpu_seconds_total')}`);
    out(`server GC: ${m.split('\n').filter((l) => l.startsWith('livehost_nodejs_gc_duration_seconds_sum')).join('  ')}`);
    pairs.forEach((p) => { p.op.terminate(); p.host.terminate(); });
    return r;
  } finally {
    child.kill('SIGTERM');
    await deletePrefix(`${prefix}:`);
    await redis.quit();
  }
}

function summary(name: string, r: Result) {
  const s = [...r.latenciesMs].sort((a, b) => a - b);
  const row = { p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN };
  out(`${name.padEnd(18)} sent=${r.sent} received=${r.received} lost=${r.lost} reordered=${r.reordered} acks=${r.acked}  p50=${row.p50.toFixed(2)}ms p99=${row.p99.toFixed(2)}ms max=${row.max.toFixed(2)}ms`);
  return row;
}

out(`bench:relay — ${ROOMS} rooms × ${RATE} commands/s × ${SECONDS} s; ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
const bare = summary('bare ws relay', await benchBare());
const lh = await benchLivehost();
const live = summary('livehost server', lh);
out(`ratio livehost/bare: p50 ${(live.p50 / bare.p50).toFixed(2)}  p99 ${(live.p99 / bare.p99).toFixed(2)}  max ${(live.max / bare.max).toFixed(2)}`);
out(`goal: p99 ≤ 5 ms → ${live.p99 <= 5 ? 'met' : 'missed'}; p99 ratio ≤ 1.5 → ${live.p99 / bare.p99 <= 1.5 ? 'met' : 'missed'}; zero lost/reordered → ${lh.lost === 0 && lh.reordered === 0 ? 'met' : 'missed'}`);
process.exit(0);
