// npm run bench:relay — R rooms, one operator and one render host each; every operator sends
// N commands/s, each acknowledged by its host back to the operator (2·R·N relayed frames/s).
// Two systems under test in the same run, in interleaved rounds so the machine's noise falls
// on both: the livehost server with a redis-server of its own, and a bare `ws` relay (no
// auth, validation, Redis or sessions: the floor). Fair on a shared machine: the load
// generator (this process) is pinned to one core and the system under test to another
// (taskset); the figure to trust is the CPU the system under test spends per relayed frame
// (server + its Redis, from /proc), with the latency (operator send → host receive) beside it.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { TokenService } from '../../server/auth/token-service.js';
import { createRedis } from '../../protocol/redis-connection.js';
import { freePort } from '../../stream-gateway/free-port.js';
import { waitForPing } from '../local-redis/redis-process.js';
import { treeCpuMs } from './lib/proc-cpu.js';
import { loadAverage, machineLine } from './lib/machine.js';
import { percentile } from './lib/stats.js';

const ROOMS = Number(process.env.BENCH_ROOMS ?? 200);
const RATE = Number(process.env.BENCH_RATE ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const cores = availableParallelism();
/** Load generator on the first core, system under test on the last (they differ when there are two). */
const LOAD_CPU = process.env.BENCH_LOAD_CPU ?? '0';
const SUT_CPU = process.env.BENCH_SUT_CPU ?? String(cores - 1);
const out = (s: string) => process.stdout.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Phase { sent: number; received: number; acked: number; reordered: number; latenciesMs: number[]; cpuMs: Record<string, number>; wallMs: number }
interface Pair { room: string; op: WebSocket; host: WebSocket }

function pinned(cpu: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  return spawn('taskset', ['-c', cpu, cmd, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
}

function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs = 90_000): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`not ready in ${timeoutMs} ms: ${buf.slice(-500)}`)), timeoutMs);
    const onData = (d: Buffer) => {
      buf += d.toString();
      const m = pattern.exec(buf);
      if (m) { clearTimeout(timer); child.stdout?.off('data', onData); child.stdout?.resume(); child.stderr?.resume(); resolve(m); }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => { buf += d.toString(); });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`exited (${code}) before ready: ${buf.slice(-800)}`)); });
  });
}

function open(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/**
 * Wires the traffic once per relay: a host acks every command at once; latency is taken at
 * the host. `current` collects the phase being measured.
 */
function wire(pairs: Pair[], ackFor: (msg: string) => string | null) {
  const sentAt = new Map<string, number>();
  const lastSeen = new Map<string, number>();
  let current: Phase | null = null;
  for (const { room, op, host } of pairs) {
    host.on('message', (data) => {
      const msg = data.toString();
      const m = /"text":"(\d+)"/.exec(msg);
      if (!m) return;
      const n = Number(m[1]);
      const key = `${room}/${n}`;
      const t0 = sentAt.get(key);
      sentAt.delete(key);
      if (current && t0 !== undefined) {
        current.latenciesMs.push(performance.now() - t0);
        current.received++;
        if (n !== (lastSeen.get(room) ?? -1) + 1) current.reordered++;
      }
      lastSeen.set(room, n);
      const ack = ackFor(msg);
      if (ack) host.send(ack);
    });
    op.on('message', (data) => { if (current && data.toString().includes('"command.ack"')) current.acked++; });
  }
  const counters = new Map(pairs.map((p) => [p.room, 0]));
  return {
    /** Sends for `seconds`, spread evenly; returns once the last frames had time to land. */
    async run(seconds: number, measure: Phase | null): Promise<void> {
      current = measure;
      const interval = 1000 / RATE;
      const start = performance.now();
      const timers: NodeJS.Timeout[] = [];
      await new Promise<void>((resolve) => {
        pairs.forEach(({ room, op }, i) => timers.push(setTimeout(() => {
          const t = setInterval(() => {
            if (performance.now() - start > seconds * 1000) return clearInterval(t);
            const n = counters.get(room)!;
            counters.set(room, n + 1);
            sentAt.set(`${room}/${n}`, performance.now());
            op.send(`{"type":"command","id":"c${n}","room":"${room}","command":{"name":"caption","text":"${n}"}}`);
            if (measure) measure.sent++;
          }, interval);
          timers.push(t);
        }, (i / pairs.length) * interval)));
        setTimeout(resolve, seconds * 1000 + 50);
      });
      timers.forEach((t) => clearInterval(t));
      await sleep(1500); // in-flight frames land
      current = null;
    },
  };
}

async function startBare(): Promise<{ pids: Record<string, number>; pairs: Pair[]; stop(): void }> {
  const child = pinned(SUT_CPU, process.execPath, ['--import', 'tsx', 'scripts/bench/bare-relay.ts'], { ...process.env, PORT: '0' });
  const port = Number((await waitForLine(child, /listening (\d+)/))[1]);
  const pairs: Pair[] = [];
  for (let i = 0; i < ROOMS; i++) {
    const room = `room-${i}`;
    pairs.push({ room, host: await open(`ws://127.0.0.1:${port}/?role=host&room=${room}`), op: await open(`ws://127.0.0.1:${port}/?role=op&room=${room}`) });
  }
  return {
    pids: { relay: child.pid! }, pairs,
    stop: () => { pairs.forEach((p) => { p.op.terminate(); p.host.terminate(); }); child.kill('SIGTERM'); },
  };
}

async function startLivehost(dir: string): Promise<{ pids: Record<string, number>; pairs: Pair[]; beat: NodeJS.Timeout[]; stop(): Promise<void> }> {
  // Its own redis-server, on the system under test's core: its CPU is the server's cost too.
  const redisPort = await freePort('127.0.0.1');
  const redisChild = pinned(SUT_CPU, 'redis-server', [
    '--port', String(redisPort), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec', '--loglevel', 'warning',
  ]);
  await waitForPing(redisPort, 30_000);
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  const secret = randomBytes(32).toString('base64url');
  const env = {
    ...process.env, PORT: '0', REDIS_URL: redisUrl, LIVEHOST_REDIS_PREFIX: prefix, LIVEHOST_JWT_SECRET: secret, LIVEHOST_DATA_DIR: dir,
    LIVEHOST_PUBLISH_SECRET: randomBytes(32).toString('base64url'), LOG_LEVEL: 'warn', LIVEHOST_WS_RATE: String(RATE * 3), LIVEHOST_WS_BURST: String(RATE * 6),
  };
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const server = pinned(SUT_CPU, process.execPath, [...nodeArgs, '--import', 'tsx', 'server/main.ts'], { ...env, LOG_LEVEL: 'info' });
  const port = Number((await waitForLine(server, /listening at http:\/\/127\.0\.0\.1:(\d+)/i))[1]);
  // BENCH_SERVER_LOG=path keeps what the server prints (with BENCH_SERVER_NODE_ARGS=--trace-gc, its collections).
  if (process.env.BENCH_SERVER_LOG) {
    const log = createWriteStream(process.env.BENCH_SERVER_LOG);
    server.stdout?.pipe(log);
    server.stderr?.pipe(log);
  }
  const redis = createRedis(redisUrl);
  const tokens = new TokenService(secret, redis, prefix);
  const admin = (await tokens.issue({ role: 'admin' })).token;
  const assigned = new Map<string, WebSocket>();
  const hosts: WebSocket[] = [];
  for (let i = 0; i < ROOMS; i++) {
    const host = await open(`ws://127.0.0.1:${port}/ws/render-host`, { authorization: `Bearer ${(await tokens.issue({ role: 'render-host', hostId: `host-${i}` })).token}` });
    host.on('message', (d) => { const m = /"type":"room.assign","room":"([^"]+)"/.exec(d.toString()); if (m) assigned.set(m[1]!, host); });
    host.send(JSON.stringify({ type: 'host.register', id: 'r', capacity: 1, capabilities: { renderer: 'reference', resolutions: ['720p'], encoders: ['libx264'] } }));
    hosts.push(host);
  }
  await sleep(500);
  // Each room is placed as it is created (REST), on the host with the most free capacity.
  for (let i = 0; i < ROOMS; i++) {
    const res = await fetch(`http://127.0.0.1:${port}/api/rooms`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ id: `room-${i}` }) });
    if (res.status !== 201) throw new Error(`room-${i}: ${res.status} ${await res.text()}`);
  }
  for (const end = Date.now() + 60_000; assigned.size < ROOMS && Date.now() < end;) await sleep(100);
  if (assigned.size < ROOMS) throw new Error(`only ${assigned.size}/${ROOMS} rooms placed`);
  // Hosts heartbeat as the real one does (every 5 s), each on its own clock.
  const beat: NodeJS.Timeout[] = [];
  hosts.forEach((h, i) => beat.push(setTimeout(() => beat.push(setInterval(() => h.send('{"type":"host.heartbeat","id":"hb","rooms":[]}'), 5000)), (i / hosts.length) * 5000)));
  const pairs: Pair[] = [];
  for (let i = 0; i < ROOMS; i++) {
    const room = `room-${i}`;
    const op = await open(`ws://127.0.0.1:${port}/ws/operator`, { authorization: `Bearer ${(await tokens.issue({ role: 'operator', rooms: [room] })).token}` });
    pairs.push({ room, op, host: assigned.get(room)! });
  }
  return {
    pids: { server: server.pid!, redis: redisChild.pid! }, pairs, beat,
    stop: async () => {
      beat.forEach((t) => clearInterval(t));
      pairs.forEach((p) => { p.op.terminate(); p.host.terminate(); });
      redis.disconnect();
      server.kill('SIGTERM');
      await sleep(500);
      redisChild.kill('SIGKILL');
    },
  };
}

function measure(pids: Record<string, number>): { read(): Record<string, number>; wall(): number } {
  // taskset is the parent of each pinned process: its pid's tree is the process.
  const start = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, treeCpuMs(pid)]));
  const t0 = performance.now();
  return {
    read: () => Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, treeCpuMs(pid) - start[k]!])),
    wall: () => performance.now() - t0,
  };
}

function merge(phases: Phase[]): Phase {
  const m: Phase = { sent: 0, received: 0, acked: 0, reordered: 0, latenciesMs: [], cpuMs: {}, wallMs: 0 };
  for (const p of phases) {
    m.sent += p.sent; m.received += p.received; m.acked += p.acked; m.reordered += p.reordered; m.wallMs += p.wallMs;
    for (const x of p.latenciesMs) m.latenciesMs.push(x);
    for (const [k, v] of Object.entries(p.cpuMs)) m.cpuMs[k] = (m.cpuMs[k] ?? 0) + v;
  }
  return m;
}

function row(name: string, p: Phase) {
  const frames = p.received + p.acked;
  const cpu = Object.values(p.cpuMs).reduce((a, b) => a + b, 0);
  const perFrameUs = (cpu * 1000) / Math.max(1, frames);
  const parts = Object.entries(p.cpuMs).map(([k, v]) => `${k} ${((v * 1000) / Math.max(1, frames)).toFixed(1)}`).join(' + ');
  const r = { p50: percentile(p.latenciesMs, 50), p99: percentile(p.latenciesMs, 99), max: Math.max(...p.latenciesMs), perFrameUs, lost: p.sent - p.received, reordered: p.reordered, cpuShare: cpu / p.wallMs };
  out(`${name.padEnd(16)} sent ${p.sent}  lost ${r.lost}  reordered ${r.reordered}  acks ${p.acked}  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  max ${r.max.toFixed(1)} ms  `
    + `CPU ${perFrameUs.toFixed(1)} µs per relayed frame (${parts})  ${(100 * r.cpuShare).toFixed(0)}% of a core`);
  return r;
}

async function main(): Promise<void> {
  const machine = machineLine();
  // This process is the load generator: it stays on its own core.
  execFileSync('taskset', ['-a', '-p', '-c', LOAD_CPU, String(process.pid)], { stdio: 'ignore' });
  out(`bench:relay — ${ROOMS} rooms × ${RATE} commands/s (${2 * ROOMS * RATE} relayed frames/s), ${ROUNDS} rounds of ${SECONDS} s per relay, interleaved`);
  out(`machine: ${machine}`);
  out(`load generator on CPU ${LOAD_CPU}, system under test on CPU ${SUT_CPU}${LOAD_CPU === SUT_CPU ? ' (one core: they share it)' : ''}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'livehost-bench-relay-'));
  const bare = await startBare();
  const live = await startLivehost(dir);
  try {
    const bareTraffic = wire(bare.pairs, (msg) => `{"type":"command.ack","id":"a","ref":"${/"id":"([^"]+)"/.exec(msg)?.[1]}","ok":true}`);
    const liveTraffic = wire(live.pairs, (msg) => {
      const id = /"commandId":"([^"]+)"/.exec(msg)?.[1];
      const room = /"room":"([^"]+)"/.exec(msg)?.[1];
      return id ? `{"type":"command.ack","id":"a","ref":"${id}","room":"${room}","ok":true}` : null;
    });
    // Warm up both (JIT, Redis, connection buffers) before anything is measured.
    await bareTraffic.run(3, null);
    await liveTraffic.run(3, null);
    const phases = { bare: [] as Phase[], live: [] as Phase[] };
    const loads: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, sut, traffic] of [['bare', bare, bareTraffic], ['live', live, liveTraffic]] as const) {
        const phase: Phase = { sent: 0, received: 0, acked: 0, reordered: 0, latenciesMs: [], cpuMs: {}, wallMs: 0 };
        const m = measure(sut.pids);
        await traffic.run(SECONDS, phase);
        phase.cpuMs = m.read();
        phase.wallMs = m.wall();
        phases[name].push(phase);
        loads.push(loadAverage().split(' ')[0]!);
      }
    }
    // Per round, each relay's CPU per frame and their ratio: the machine's noise moves both.
    const perFrame = (p: Phase) => (Object.values(p.cpuMs).reduce((a, x) => a + x, 0) * 1000) / Math.max(1, p.received + p.acked);
    const ratios = phases.live.map((p, i) => perFrame(p) / perFrame(phases.bare[i]!));
    out('');
    phases.live.forEach((p, i) => out(`round ${i + 1}: bare ${perFrame(phases.bare[i]!).toFixed(1)} µs, livehost ${perFrame(p).toFixed(1)} µs per relayed frame: ratio ${ratios[i]!.toFixed(2)}`));
    const b = row('bare ws relay', merge(phases.bare));
    const l = row('livehost', merge(phases.live));
    out(`median of the rounds' CPU ratios: ${percentile(ratios, 50).toFixed(2)}`);
    const cpuRatio = l.perFrameUs / b.perFrameUs;
    const p99Ratio = l.p99 / b.p99;
    out(`ratio livehost/bare: CPU per frame ${cpuRatio.toFixed(2)} (goal ≤ 2 → ${cpuRatio <= 2 ? 'met' : 'missed'}), p99 ${p99Ratio.toFixed(2)} (goal ≤ 1.5 → ${p99Ratio <= 1.5 ? 'met' : 'missed'}), `
      + `p50 ${(l.p50 / b.p50).toFixed(2)}; lost/reordered ${l.lost}/${l.reordered} (goal 0/0 → ${l.lost === 0 && l.reordered === 0 ? 'met' : 'missed'})`);
    out(`load average (1 min) during the phases: ${loads.join(', ')}`);
  } finally {
    bare.stop();
    await live.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`bench:relay failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
