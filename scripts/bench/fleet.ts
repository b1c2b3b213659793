// npm run bench:fleet — the render fleet at scale (issue 14). 1,000 rooms (BENCH_ROOMS) placed
// over 100 light render hosts (BENCH_HOSTS; capacities 8, 12, 16 in turn) that speak the
// protocol over real WebSockets — register, heartbeat every 2 s, take the rooms assigned —
// with hosts dying (socket destroyed, no goodbye) and joining during the run. The server is
// its own process on its own Redis (the bootstrap's); this process is the hosts and the
// REST client. Measured: create request → the host told (room.assign), in the same run on
// an idle server with 10 hosts, with 100, and with 100 hosts holding 1,000 rooms; balance by
// count and by capacity; kill → every lost room told to its new host; and, every 250 ms,
// the server's livehost_rooms_waiting_for_host and livehost_rooms_placed from /metrics
// against the counts this process saw for itself (lib/fleet-ledger.ts).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { TokenService } from '../../server/auth/token-service.js';
import { balanceOf, type Balance } from './lib/fleet-balance.js';
import { FleetHost } from './lib/fleet-host.js';
import { FleetLedger, type MetricSample, type Mismatch } from './lib/fleet-ledger.js';
import { loadAverage, machineLine } from './lib/machine.js';
import { startPart } from './lib/parts.js';
import { redisCpuMs, treeCpuMs } from './lib/proc-cpu.js';
import { ms, summarize, table } from './lib/stats.js';
import { deletePrefix } from '../../test/helpers/redis.js';

const HOSTS = Number(process.env.BENCH_HOSTS ?? 100);
const ROOMS = Number(process.env.BENCH_ROOMS ?? 1000);
/** Rooms created a second in the main load (open loop). */
const RATE = Number(process.env.BENCH_RATE ?? 100);
const KILL = Number(process.env.BENCH_KILL ?? 10);
const JOIN = Number(process.env.BENCH_JOIN ?? 10);
/** Rooms placed one at a time for each baseline. */
const PROBE = Number(process.env.BENCH_PROBE ?? 20);
const CAPACITIES = [8, 12, 16];
const BASE_HOSTS = 10;
/** The server's default resume grace for a host whose socket closed (server/config.ts). */
const GRACE_MS = 3000;
const SAMPLE_MS = 250;
/** Either side of a scrape: the gap between a room's placement in Redis and its host hearing of it. */
const SLACK_MS = Number(process.env.BENCH_SLACK_MS ?? 50);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const out = (s = '') => process.stdout.write(`${s}\n`);
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const metric = (text: string, name: string) => Number(text.split('\n').find((l) => l.startsWith(`${name} `))?.split(' ').pop() ?? NaN);

interface PhaseCpu { name: string; wallMs: number; serverMs: number; redisMs: number; benchMs: number; load: string; rooms: number }

async function main(): Promise<void> {
  out(`bench:fleet — ${ROOMS} rooms over ${HOSTS} fake render hosts (capacity ${CAPACITIES.join('/')} in turn), created at ${RATE}/s;`
    + ` ${KILL} hosts killed, ${JOIN} join, ${KILL} more killed; /metrics every ${SAMPLE_MS} ms`);
  out(`machine: ${machineLine()}`);
  const prefix = `bench-fleet-${randomBytes(4).toString('hex')}`;
  const secret = randomBytes(32).toString('base64url');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'livehost-bench-fleet-'));
  const redis = new Redis(REDIS_URL);
  const server = await startPart('server', 'server/main.ts', {
    REDIS_URL, LIVEHOST_REDIS_PREFIX: prefix, LIVEHOST_JWT_SECRET: secret, LIVEHOST_PUBLISH_SECRET: randomBytes(32).toString('base64url'),
    LIVEHOST_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    LIVEHOST_HOST_GRACE_MS: String(GRACE_MS),
  }, /listening at http:\/\/127\.0\.0\.1:\d+/i);
  const hosts: FleetHost[] = [];
  let sampler: NodeJS.Timeout | null = null;
  try {
    const port = Number(/listening at http:\/\/127\.0\.0\.1:(\d+)/i.exec(server.output())![1]);
    const base = `http://127.0.0.1:${port}`;
    const tokens = new TokenService(secret, redis, prefix);
    const admin = (await tokens.issue({ role: 'admin', label: 'bench:fleet' })).token;
    const api = async (method: string, url: string, body?: unknown): Promise<void> => {
      const res = await fetch(`${base}${url}`, {
        method, headers: { authorization: `Bearer ${admin}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (!res.ok) throw new Error(`${method} ${url} → ${res.status} ${(await res.text()).slice(0, 300)}`);
      await res.arrayBuffer();
    };

    const ledger = new FleetLedger(GRACE_MS);
    const told = new Map<string, () => void>();
    const sink = {
      assigned: (room: string, hostId: string, at: number) => {
        ledger.assigned(room, hostId, at);
        told.get(room)?.();
      },
      released: (room: string, hostId: string, at: number) => ledger.released(room, hostId, at),
    };
    let hostSeq = 0;
    const join = async (n: number): Promise<FleetHost[]> => {
      const batch = await Promise.all(Array.from({ length: n }, async () => {
        const i = hostSeq++;
        const hostId = `fleet-${String(i).padStart(3, '0')}`;
        const token = (await tokens.issue({ role: 'render-host', hostId, label: 'bench:fleet host' })).token;
        return FleetHost.join(`ws://127.0.0.1:${port}`, token, hostId, CAPACITIES[i % CAPACITIES.length]!, sink);
      }));
      hosts.push(...batch);
      return batch;
    };
    const roomTold = (room: string, timeoutMs = 30_000) => new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`room ${room}: no host told in ${timeoutMs} ms`)), timeoutMs);
      told.set(room, () => { clearTimeout(timer); told.delete(room); resolve(); });
    });
    let roomSeq = 0;
    const create = async (): Promise<string> => {
      const room = `fleet-room-${String(roomSeq++).padStart(4, '0')}`;
      const placed = roomTold(room);
      ledger.sent(room, performance.now());
      await api('POST', '/api/rooms', { id: room, name: room });
      ledger.created(room, performance.now());
      await placed;
      return room;
    };

    // The metric against the ledger, all through the run; a scrape still running skips a tick.
    let phase = 'start';
    const samples: MetricSample[] = [];
    let skipped = 0;
    let scraping = false;
    sampler = setInterval(() => {
      if (scraping) { skipped++; return; }
      scraping = true;
      const t0 = performance.now();
      void fetch(`${base}/metrics`).then((r) => r.text()).then((text) => {
        samples.push({ t0, t1: performance.now(), phase, waiting: metric(text, 'livehost_rooms_waiting_for_host'), placed: metric(text, 'livehost_rooms_placed') });
      }).catch((err: Error) => out(`scrape failed: ${err.message}`)).finally(() => { scraping = false; });
    }, SAMPLE_MS);

    const phases: PhaseCpu[] = [];
    const measure = async <T>(name: string, rooms: number, fn: () => Promise<T>): Promise<T> => {
      phase = name;
      out(`${name} …`);
      const c0 = { server: treeCpuMs(server.pid), redis: await redisCpuMs(redis), bench: process.cpuUsage(), at: performance.now() };
      const result = await fn();
      const bench = process.cpuUsage(c0.bench);
      phases.push({
        name, rooms, wallMs: performance.now() - c0.at, serverMs: treeCpuMs(server.pid) - c0.server, redisMs: (await redisCpuMs(redis)) - c0.redis,
        benchMs: (bench.user + bench.system) / 1000, load: loadAverage(),
      });
      return result;
    };
    const probe = async (): Promise<string[]> => {
      const rooms: string[] = [];
      for (let i = 0; i < PROBE; i++) rooms.push(await create());
      return rooms;
    };
    const liveBalance = (): Balance => balanceOf(hosts.filter((h) => h.alive).map((h) => ({ capacity: h.capacity, rooms: h.rooms.size })));

    await measure(`join ${BASE_HOSTS} hosts`, 0, () => join(BASE_HOSTS));
    // The server's first room takes its cold paths (JIT, first Lua load); not part of any figure.
    const remove = async (room: string) => {
      ledger.deleting(room);
      await api('DELETE', `/api/rooms/${room}`);
      ledger.deleted(room, performance.now());
    };
    const warm = await create();
    await remove(warm);
    const idle10 = await measure(`baseline: ${PROBE} rooms one at a time, ${BASE_HOSTS} hosts`, PROBE, probe);
    await measure(`join ${HOSTS - BASE_HOSTS} hosts`, 0, () => join(HOSTS - BASE_HOSTS));
    const idle100 = await measure(`baseline: ${PROBE} rooms one at a time, ${HOSTS} hosts`, PROBE, probe);
    const main = ROOMS - 2 * PROBE;
    let halfBalance: Balance | null = null;
    const loadRooms = await measure(`load: ${main} rooms at ${RATE}/s, ${HOSTS} hosts`, main, async () => {
      const t0 = performance.now();
      const pending: Array<Promise<string>> = [];
      for (let i = 0; i < main; i++) {
        // Halfway, once those rooms are told: balance at a partial load, where a policy that
        // favours big hosts shows most (at the end every host is nearly full either way).
        if (i === Math.floor(main / 2)) {
          await Promise.all(pending);
          halfBalance = liveBalance();
        }
        const due = t0 + (i * 1000) / RATE;
        if (due > performance.now()) await sleep(due - performance.now());
        pending.push(create());
      }
      return Promise.all(pending);
    });
    const placedBalance = liveBalance();
    const full = await measure(`baseline: ${PROBE} rooms one at a time, ${HOSTS} hosts holding ${ROOMS}`, PROBE, async () => {
      const rooms = await probe();
      // They go again, so the churn below starts from the same 1,000 rooms.
      for (const room of rooms) await remove(room);
      return rooms;
    });
    await sleep(1000);

    const kills: Array<{ name: string; killed: FleetHost[] }> = [];
    const killAndWait = async (name: string, victims: FleetHost[]) => {
      await measure(name, victims.reduce((n, h) => n + h.rooms.size, 0), async () => {
        const waits = victims.flatMap((h) => [...h.rooms].map((room) => roomTold(room, GRACE_MS + 60_000)));
        for (const h of victims) ledger.killed(h.hostId, h.kill());
        await Promise.all(waits);
      });
      kills.push({ name, killed: victims });
      await sleep(1000);
    };
    // Spread over the capacities and the join order; each victim holds rooms.
    const pick = (from: FleetHost[], n: number, offset: number) => {
      const holding = from.filter((h) => h.alive && h.rooms.size > 0);
      const step = Math.max(1, Math.floor(holding.length / n));
      return holding.filter((_, i) => i % step === offset % step).slice(0, n);
    };
    await killAndWait(`kill ${KILL} hosts (no newcomers)`, pick(hosts, KILL, 3));
    const joined = await measure(`join ${JOIN} new hosts`, 0, () => join(JOIN));
    await sleep(1000);
    await killAndWait(`kill ${KILL} more hosts (${JOIN} newcomers idle)`, pick(hosts.filter((h) => !joined.includes(h)), KILL, 6));
    const endBalance = liveBalance();
    phase = 'quiet';
    await sleep(2000);
    clearInterval(sampler);
    sampler = null;
    while (scraping) await sleep(20);

    // What the hosts hold at the end, against the rooms that should exist.
    const live = hosts.filter((h) => h.alive);
    const holders = new Map<string, number>();
    for (const h of live) for (const room of h.rooms) holders.set(room, (holders.get(room) ?? 0) + 1);
    const expected = [...idle10, ...idle100, ...loadRooms];
    const unheld = expected.filter((r) => !holders.has(r)).length;
    const twice = [...holders.values()].filter((n) => n > 1).length;
    const stray = [...holders.keys()].filter((r) => full.includes(r) || r === warm).length;

    report({
      ledger, samples, skipped, phases, idle10, idle100, loadRooms, full, halfBalance: halfBalance!, placedBalance, endBalance, kills, joined,
      end: { unheld, twice, stray, live: live.length },
    });
  } finally {
    if (sampler) clearInterval(sampler);
    for (const h of hosts) h.close();
    await server.stop();
    await deletePrefix(`${prefix}:`, REDIS_URL);
    await redis.quit();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function report(o: {
  ledger: FleetLedger; samples: MetricSample[]; skipped: number; phases: PhaseCpu[];
  idle10: string[]; idle100: string[]; loadRooms: string[]; full: string[];
  halfBalance: Balance; placedBalance: Balance; endBalance: Balance; kills: Array<{ name: string; killed: FleetHost[] }>; joined: FleetHost[];
  end: { unheld: number; twice: number; stray: number; live: number };
}): void {
  const { ledger } = o;
  const goals: Array<[string, boolean, string]> = [];
  const goal = (name: string, met: boolean, figure: string) => goals.push([name, met, figure]);

  out('\n## Placement: create request → the host told (room.assign)');
  const base = summarize(ledger.placementMs(o.idle10));
  const rows = [['case', 'n', 'p50', 'p95', 'max', '× idle p50', '× idle p95', 'goal']];
  const row = (name: string, rooms: string[], g = '') => {
    const s = summarize(ledger.placementMs(rooms));
    rows.push([name, String(s.n), ms(s.p50, 1), ms(s.p95, 1), ms(s.max, 1), (s.p50 / base.p50).toFixed(2), (s.p95 / base.p95).toFixed(2), g]);
    return s;
  };
  row(`idle server, ${BASE_HOSTS} hosts, one at a time (baseline)`, o.idle10);
  row(`idle server, ${HOSTS} hosts, one at a time`, o.idle100);
  const load = row(`${o.loadRooms.length} rooms at ${RATE}/s, ${HOSTS} hosts`, o.loadRooms, 'p95 ≤ 50 ms, max ≤ 250 ms');
  row(`${HOSTS} hosts holding ${ROOMS} rooms, one at a time`, o.full);
  out(table(rows));
  goal('placement under load p95 ≤ 50 ms and max ≤ 250 ms', load.p95 <= 50 && load.max <= 250, `p95 ${ms(load.p95, 1)}, max ${ms(load.max, 1)}`);

  out('\n## Balance (live hosts)');
  const bal = (name: string, b: Balance) => [name, String(b.hosts), `${b.rooms} / ${b.capacity}`,
    `${b.perHost.min}–${b.perHost.max} (σ ${b.perHost.stddev.toFixed(2)})`,
    `${pct(b.fill.min)}–${pct(b.fill.max)} (σ ${pct(b.fill.stddev)})`, b.worstOffShare.toFixed(2), String(b.overfull)];
  out(table([
    ['when', 'hosts', 'rooms / capacity', 'rooms per host', 'fill (rooms / capacity)', 'worst distance from capacity share (rooms)', 'over capacity'],
    bal(`halfway through the load`, o.halfBalance),
    bal(`after ${ROOMS} rooms placed`, o.placedBalance),
    bal('after the churn', o.endBalance),
  ]));
  for (const [when, b] of [['halfway', o.halfBalance], [`at ${ROOMS} rooms`, o.placedBalance]] as const) {
    goal(`balance ${when}: every host within 1 room of its capacity share, none over capacity`,
      b.worstOffShare <= 1 && b.overfull === 0, `worst ${b.worstOffShare.toFixed(2)} rooms, ${b.overfull} over`);
  }

  out(`\n## Hosts lost: kill (socket destroyed) → every room told to a new host; the resume grace is ${GRACE_MS} ms`);
  const krows = [['event', 'hosts', 'rooms lost', 'p50', 'max', 'max beyond the grace', 'to newcomers', 'goal']];
  for (const k of o.kills) {
    const moved = k.killed.flatMap((h) => ledger.replaced(h.hostId));
    const times = moved.flatMap((m) => (m.ms === null ? [] : [m.ms]));
    const s = summarize(times);
    const toNew = moved.filter((m) => o.joined.some((h) => h.hostId === m.to)).length;
    krows.push([k.name, String(k.killed.length), String(moved.length), ms(s.p50, 0), ms(s.max, 0), ms(s.max - GRACE_MS, 0), String(toNew), `max ≤ grace + 1000 ms`]);
    goal(`${k.name}: every lost room re-placed within the grace + 1 s`, times.length === moved.length && s.max <= GRACE_MS + 1000, `${times.length}/${moved.length}, max ${ms(s.max, 0)}`);
  }
  out(table(krows));

  out(`\n## The waiting-rooms metric against the rooms no host holds (${o.samples.length} scrapes, ${o.skipped} ticks skipped while a scrape ran)`);
  const scrapeMs = summarize(o.samples.map((s) => s.t1 - s.t0));
  out(`scrape time p50 ${ms(scrapeMs.p50, 1)}, max ${ms(scrapeMs.max, 1)}; a sample agrees when the metric lies in the ledger's range over the scrape ± the slack`);
  const show = (list: Mismatch[]) => list.slice(0, 8).map((m) => `  ${m.sample.phase} @${((m.sample.t0 - o.samples[0]!.t0) / 1000).toFixed(2)} s: waiting ${m.sample.waiting} `
    + `(ledger ${m.waitingRange.join('–')}), placed ${m.sample.placed} (ledger ${m.placedRange.join('–')})`).join('\n');
  const mrows = [['check', 'slack', 'mismatches', 'goal']];
  const exact = ledger.mismatches(o.samples, 0);
  const slack = ledger.mismatches(o.samples, SLACK_MS);
  const strict = ledger.mismatches(o.samples, SLACK_MS, true);
  mrows.push(['waiting and placed vs the ledger (a host in its resume grace holds its rooms)', '0 ms', String(exact.length), '']);
  mrows.push(['same', `${SLACK_MS} ms`, String(slack.length), '0']);
  mrows.push(['same, a killed host holding nothing from the moment it dies', `${SLACK_MS} ms`, String(strict.length), '(the grace: expected)']);
  out(table(mrows));
  if (slack.length) out(`mismatches (first 8):\n${show(slack)}`);
  if (exact.length && !slack.length) out(`mismatches at 0 ms slack (first 8):\n${show(exact)}`);
  const peak = Math.max(...o.samples.map((s) => s.waiting));
  out(`highest waiting-rooms value seen: ${peak}`);
  goal(`waiting-rooms metric exact at every sample (± ${SLACK_MS} ms)`, slack.length === 0, `${slack.length} of ${o.samples.length} differ`);

  out('\n## At the end');
  out(`live hosts ${o.end.live}; rooms no live host holds ${o.end.unheld}; rooms on two live hosts ${o.end.twice}; deleted rooms still held ${o.end.stray}`);
  goal('every room on exactly one live host at the end', o.end.unheld === 0 && o.end.twice === 0 && o.end.stray === 0,
    `${o.end.unheld} unheld, ${o.end.twice} twice, ${o.end.stray} deleted but held`);

  out('\n## CPU by phase (user + system; server from /proc, Redis from INFO cpu)');
  out(table([
    ['phase', 'wall', 'server', 'server per room', 'Redis', 'load generator', 'load average after'],
    ...o.phases.map((p) => [p.name, `${(p.wallMs / 1000).toFixed(1)} s`, `${(p.serverMs / 1000).toFixed(2)} s (${pct(p.serverMs / p.wallMs)} of a core)`,
      p.rooms ? `${(p.serverMs / p.rooms).toFixed(2)} ms` : '—', `${(p.redisMs / 1000).toFixed(2)} s`, `${(p.benchMs / 1000).toFixed(2)} s`, p.load]),
  ]));

  out('\n## Goals');
  for (const [name, met, figure] of goals) out(`${name}: ${figure} → ${met ? 'met' : 'missed'}`);
  out(`load average at the end: ${loadAverage()}`);
}

await main();
process.exit(0);
