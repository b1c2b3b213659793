// npm run bench:connections — one server instance holding 10,000 authenticated WebSocket
// sessions (issue 14). The server is its own process on the bootstrap's Redis, so its
// memory is its own: RSS (/proc) and the live V8 heap (after a full GC, through a preload
// probe) before and after the sessions connect, per connection. The sessions: bots and
// operators over BENCH_ROOMS rooms, every bot sending a chat line every 10 s (spread
// evenly), and one room whose 200 subscribed operators get a chat line a second from its
// bot: send → each operator's receipt, to the 200th. Midway, 100 operators lose their
// sockets without a goodbye and resume with session + lastSeq: what they missed must
// arrive, with contiguous seqs. The floor, in the same run: a bare `ws` server holding the
// same number of sockets from the same load generators (forked children; a `ws` client
// socket costs memory too).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { TokenService } from '../../server/auth/token-service.js';
import { checkNofile, checkPortRange, LoadChild, memoryAfterGc, raiseNofile, rssBytes, type Memory } from './lib/connections-host.js';
import { FAN_ROOM, planSessions, type ChildReport, type PlannedSession } from './lib/connections-protocol.js';
import { loadAverage, machineLine, sampleLoad } from './lib/machine.js';
import { startPart } from './lib/parts.js';
import { redisCpuMs, treeCpuMs } from './lib/proc-cpu.js';
import { ms, percentile, summarize, table } from './lib/stats.js';
import { deletePrefix } from '../../test/helpers/redis.js';

raiseNofile();

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 10_000);
const ROOMS = Number(process.env.BENCH_ROOMS ?? 500);
const FAN_OPERATORS = Number(process.env.BENCH_FAN_OPERATORS ?? 200);
const OPERATORS_PER_ROOM = Number(process.env.BENCH_OPERATORS_PER_ROOM ?? 3);
const CHILDREN = Number(process.env.BENCH_CHILDREN ?? 2);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const RESUME_SAMPLE = Number(process.env.BENCH_RESUME_SAMPLE ?? 100);
/** Connections each child opens at once: a crowd reconnecting, not one socket at a time. */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const CHAT_PERIOD_MS = 10_000;
const FAN_EVERY_MS = 1000;
/** How long the resume sample stays away: several of their rooms' chat lines go by meanwhile. */
const AWAY_MS = 5000;
const WINDOW_S = 5;
const GOAL_KB = 30;
const GOAL_FAN_P99_MS = 100;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const repoRoot = path.resolve(import.meta.dirname, '../..');
const profDir = process.env.BENCH_CPU_PROF;
const heapProbe = path.join(repoRoot, 'scripts/bench/lib/connections-heap.mjs');
const out = (s = '') => process.stdout.write(`${s}\n`);
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

interface Held { opened: number; failed: string[]; connectMs: number[]; wallMs: number; before: Memory; after: Memory; loadRss: number }

/** Connects every planned session through fresh children; memory of `pid` before and after. */
async function hold(url: string, bare: boolean, sessions: PlannedSession[][], pid: number, heapFile: string): Promise<{ held: Held; children: LoadChild[] }> {
  const children = sessions.map((_, i) => new LoadChild(`load-${i}`));
  await Promise.all(children.map((c) => c.ask(null, 'ready')));
  const before = await memoryAfterGc(pid, heapFile);
  const results = await Promise.all(children.map((c, i) => c.ask({ cmd: 'connect', url, bare, sessions: sessions[i]!, concurrency: CONCURRENCY }, 'connected')));
  await sleep(2000); // the last subscribes' follow-ups (host event, chat history) land
  const after = await memoryAfterGc(pid, heapFile);
  const first = Math.min(...results.map((r) => r.firstAt));
  const last = Math.max(...results.map((r) => r.lastAt));
  return {
    children,
    held: {
      opened: results.reduce((n, r) => n + r.opened, 0), failed: results.flatMap((r) => r.failed), connectMs: results.flatMap((r) => r.connectMs),
      wallMs: last - first, before, after, loadRss: children.reduce((n, c) => n + rssBytes(c.pid), 0),
    },
  };
}

async function baseline(plan: ReturnType<typeof planSessions>, dir: string): Promise<Held> {
  const heapFile = path.join(dir, 'bare-heap.json');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'scripts/bench/lib/connections-bare.ts')], {
    env: { ...process.env, NODE_OPTIONS: `--import ${heapProbe}`, BENCH_HEAP_FILE: heapFile }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => { const m = /listening (\d+)/.exec(d.toString()); if (m) resolve(Number(m[1])); });
      child.once('exit', (code) => reject(new Error(`bare server exited (${code})`)));
    });
    const sessions = plan.byChild.map((list) => list.map((s) => ({ ...s, token: '' })));
    const { held, children } = await hold(`ws://127.0.0.1:${port}`, true, sessions, child.pid!, heapFile);
    for (const c of children) await c.close();
    return held;
  } finally {
    child.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  const plan = planSessions({ sessions: SESSIONS, rooms: ROOMS, fanOperators: FAN_OPERATORS, operatorsPerRoom: OPERATORS_PER_ROOM, children: CHILDREN });
  const perChild = Math.max(...plan.byChild.map((c) => c.length));
  const limits = [checkNofile(SESSIONS + 1024), checkPortRange(SESSIONS + 1000)];
  out(`bench:connections — ${SESSIONS} sessions (${plan.bots} bots, ${plan.operators} operators) over ${ROOMS} rooms from ${CHILDREN} load generators (≤ ${perChild} each, ${CONCURRENCY} connecting at once in each);`
    + ` every bot sends a chat line every ${CHAT_PERIOD_MS / 1000} s (${(plan.periodicBots / (CHAT_PERIOD_MS / 1000)).toFixed(0)} lines/s); room ${FAN_ROOM}: ${FAN_OPERATORS} operators, a line a second; ${SECONDS} s;`
    + ` ${RESUME_SAMPLE} operators dropped and resumed after ${AWAY_MS / 1000} s`);
  out(`machine: ${machineLine()}`);
  out(limits.join('; '));
  const dir = mkdtempSync(path.join(tmpdir(), 'livehost-bench-connections-'));

  out('\nbaseline: a bare ws server holding the same sockets …');
  const bare = await baseline(plan, dir);
  out(`  ${bare.opened} sockets in ${(bare.wallMs / 1000).toFixed(1)} s; load average ${loadAverage()}`);
  if (bare.failed.length) out(`  failed: ${bare.failed.slice(0, 5).join('; ')}`);

  const prefix = `bench-conn-${randomBytes(4).toString('hex')}`;
  const secret = randomBytes(32).toString('base64url');
  const heapFile = path.join(dir, 'server-heap.json');
  const redis = new Redis(REDIS_URL);
  const server = await startPart('server', 'server/main.ts', {
    REDIS_URL, LIVEHOST_REDIS_PREFIX: prefix, LIVEHOST_JWT_SECRET: secret, LIVEHOST_PUBLISH_SECRET: randomBytes(32).toString('base64url'),
    LIVEHOST_DATA_DIR: dir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    NODE_OPTIONS: `--import ${heapProbe}${profDir ? ` --import ${path.join(repoRoot, 'scripts/bench/lib/cpu-profile.mjs')}` : ''}`, BENCH_HEAP_FILE: heapFile,
    // BENCH_CPU_PROF=<dir>: the server writes a .cpuprofile there when it exits.
    ...(profDir ? { BENCH_CPU_PROF_DIR: profDir } : {}),
  }, /listening at http:\/\/127\.0\.0\.1:\d+/i);
  let children: LoadChild[] = [];
  try {
    const port = Number(/listening at http:\/\/127\.0\.0\.1:(\d+)/i.exec(server.output())![1]);
    const tokens = new TokenService(secret, redis, prefix);
    const admin = (await tokens.issue({ role: 'admin', label: 'bench:connections' })).token;
    out(`\nlivehost: ${ROOMS} rooms …`);
    // One bot token and one operator token a room, shared by that room's sockets (each socket is its own session).
    const roomTokens = new Map<string, { bot: string; operator: string }>();
    for (let i = 0; i < plan.rooms.length; i += 20) {
      await Promise.all(plan.rooms.slice(i, i + 20).map(async (room) => {
        const res = await fetch(`http://127.0.0.1:${port}/api/rooms`, {
          method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ id: room, name: room }),
        });
        if (res.status !== 201) throw new Error(`POST /api/rooms ${room}: ${res.status} ${await res.text()}`);
        roomTokens.set(room, {
          bot: (await tokens.issue({ role: 'bot', rooms: [room], label: 'bench:connections bot' })).token,
          operator: (await tokens.issue({ role: 'operator', rooms: [room], label: 'bench:connections operator' })).token,
        });
      }));
    }
    const sessions = plan.byChild.map((list) => list.map((s) => ({ ...s, token: roomTokens.get(s.room)![s.role] })));
    const redisMem0 = await usedMemory(redis);
    out(`livehost: ${SESSIONS} sessions connecting …`);
    const cpu0 = { server: treeCpuMs(server.pid), redis: await redisCpuMs(redis) };
    const connected = await hold(`ws://127.0.0.1:${port}`, false, sessions, server.pid, heapFile);
    children = connected.children;
    const live = connected.held;
    const cpuConnect = { server: treeCpuMs(server.pid) - cpu0.server, redis: (await redisCpuMs(redis)) - cpu0.redis };
    const redisMem1 = await usedMemory(redis);
    out(`  ${live.opened} sessions in ${(live.wallMs / 1000).toFixed(1)} s; load average ${loadAverage()}`);
    if (live.failed.length) out(`  failed: ${live.failed.slice(0, 5).join('; ')}`);

    // The resume sample: the first operator of rooms 1…N; the room's second operator is the witness of what it missed.
    const sampleRooms = plan.rooms.slice(1, 1 + RESUME_SAMPLE);
    const sampleKeys = sampleRooms.map((room) => `op-${room.slice('conn-'.length)}-0`);
    const owner = (key: string) => children[sessions.findIndex((list) => list.some((s) => s.key === key))]!;

    out(`steady: ${SECONDS} s of chat …`);
    const load = sampleLoad();
    const t0 = Date.now() + 1000;
    const windows = sampleWindows(server.pid, redis, port, t0);
    const cpu1 = { server: treeCpuMs(server.pid), redis: await redisCpuMs(redis), at: performance.now() };
    await Promise.all(children.map((c) => c.ask({ cmd: 'start', atEpochMs: t0, periodMs: CHAT_PERIOD_MS, bots: plan.periodicBots, fanEveryMs: FAN_EVERY_MS }, 'ready')));
    // Midway through: the sample loses its sockets, stays away, and resumes.
    await sleep(Math.max(0, t0 - Date.now()) + (SECONDS * 1000) / 3);
    const byChild = new Map<LoadChild, string[]>();
    for (const k of sampleKeys) byChild.set(owner(k), [...(byChild.get(owner(k)) ?? []), k]);
    const dropped = (await Promise.all([...byChild].map(([c, keys]) => c.ask({ cmd: 'drop', keys }, 'dropped')))).reduce((n, r) => n + r.dropped, 0);
    await sleep(AWAY_MS);
    const resumed = await Promise.all([...byChild].map(([c, keys]) => c.ask({ cmd: 'resume', keys }, 'resumed')));
    await sleep(Math.max(0, t0 + SECONDS * 1000 - Date.now()));
    await Promise.all(children.map((c) => c.ask({ cmd: 'stop' }, 'stopped')));
    await sleep(3000); // the last lines' acks and events land
    windows.stop();
    const cpuSteady = { server: treeCpuMs(server.pid) - cpu1.server, redis: (await redisCpuMs(redis)) - cpu1.redis, wallMs: performance.now() - cpu1.at };
    const loadDuring = load.stop();
    const rssEnd = rssBytes(server.pid);
    const reports = await Promise.all(children.map((c) => c.ask({ cmd: 'report', watchRooms: sampleRooms }, 'report')));
    const afterRun = await memoryAfterGc(server.pid, heapFile);

    report({
      bare, live, cpuConnect, cpuSteady, loadDuring, rssEnd, afterRun, reports, plan, dropped,
      resumed: { n: resumed.reduce((a, r) => a + r.resumed, 0), failed: resumed.flatMap((r) => r.failed), ms: resumed.flatMap((r) => r.resumeMs) },
      windows: windows.rows, t0, sampleKeys, redisPerConn: (redisMem1 - redisMem0) / Math.max(1, live.opened),
    });
  } finally {
    for (const c of children) await c.close();
    await server.stop();
    await deletePrefix(`${prefix}:`, REDIS_URL);
    await redis.quit();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Window { serverCpuMs: number; redisCpuMs: number; lagP99: number; lagMax: number }

/** The server's CPU, Redis's CPU and the server's event-loop delay per window from `t0` (each scrape of /metrics resets its delay histogram). */
function sampleWindows(pid: number, redis: Redis, port: number, t0: number): { rows: Window[]; stop(): void } {
  const rows: Window[] = [];
  const metric = (text: string, name: string) => Number(text.split('\n').find((l) => l.startsWith(name))?.split(' ').pop() ?? NaN) * 1000;
  let mark: { server: number; redis: number } | null = null;
  const scrape = async () => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const now = { server: treeCpuMs(pid), redis: await redisCpuMs(redis) };
    if (mark) rows.push({ serverCpuMs: now.server - mark.server, redisCpuMs: now.redis - mark.redis, lagP99: metric(text, 'livehost_nodejs_eventloop_lag_p99_seconds'), lagMax: metric(text, 'livehost_nodejs_eventloop_lag_max_seconds') });
    mark = now;
  };
  let timer: NodeJS.Timeout | null = null;
  const first = setTimeout(() => {
    void scrape();
    timer = setInterval(() => void scrape(), WINDOW_S * 1000);
  }, Math.max(0, t0 - Date.now()));
  return { rows, stop: () => { clearTimeout(first); if (timer) clearInterval(timer); } };
}

async function usedMemory(redis: Redis): Promise<number> {
  return Number(/^used_memory:(\d+)/m.exec(await redis.info('memory'))?.[1] ?? NaN);
}

function report(o: {
  bare: Held; live: Held; cpuConnect: { server: number; redis: number }; cpuSteady: { server: number; redis: number; wallMs: number };
  loadDuring: string; rssEnd: number; afterRun: Memory; reports: ChildReport[]; plan: ReturnType<typeof planSessions>; dropped: number;
  resumed: { n: number; failed: string[]; ms: number[] }; sampleKeys: string[]; redisPerConn: number; windows: Window[]; t0: number;
}): void {
  const { bare, live, reports } = o;
  const per = (h: Held, f: (m: Memory) => number) => (f(h.after) - f(h.before)) / Math.max(1, h.opened);
  const liveRss = per(live, (m) => m.rss);
  const liveHeap = per(live, (m) => m.heapUsed);
  const liveExt = per(live, (m) => m.external);
  const bareRss = per(bare, (m) => m.rss);
  const bareHeap = per(bare, (m) => m.heapUsed);
  const bareExt = per(bare, (m) => m.external);

  out('\n## Memory per connection (after a full GC; delta between before and after connecting, / connections)');
  out(table([
    ['server', 'sockets', 'RSS before → after', 'RSS / conn', 'V8 heap / conn', 'external / conn', 'goal'],
    ['bare ws (floor)', String(bare.opened), `${mb(bare.before.rss)} → ${mb(bare.after.rss)}`, kb(bareRss), kb(bareHeap), kb(bareExt), ''],
    ['livehost', String(live.opened), `${mb(live.before.rss)} → ${mb(live.after.rss)}`, kb(liveRss), kb(liveHeap), kb(liveExt), `≤ ${GOAL_KB} KB RSS`],
    ['ratio livehost / bare', '', '', (liveRss / bareRss).toFixed(1), (liveHeap / bareHeap).toFixed(1), '', ''],
  ]));
  out(`V8 heap after GC: bare ${mb(bare.before.heapUsed)} → ${mb(bare.after.heapUsed)}, livehost ${mb(live.before.heapUsed)} → ${mb(live.after.heapUsed)} → ${mb(o.afterRun.heapUsed)} after the steady run`);
  out(`livehost after the run: RSS ${mb(o.rssEnd)} before its GC, ${mb(o.afterRun.rss)} after (heap ${mb(o.afterRun.heapUsed)}); Redis used_memory per session ${kb(o.redisPerConn)}; load generators' RSS ${mb(live.loadRss)} for ${live.opened} client sockets`);

  const conn = (h: Held) => { const s = summarize(h.connectMs); return [String(h.opened), String(h.failed.length), `${(h.wallMs / 1000).toFixed(1)} s`, `${(h.opened / (h.wallMs / 1000)).toFixed(0)}/s`, ms(s.p50, 1), ms(s.p99, 1)]; };
  out(`\n## Connect (${CHILDREN} × ${CONCURRENCY} connecting at once; livehost: to the welcome, operators to their subscribe's ack)`);
  out(table([
    ['server', 'opened', 'failed', 'wall', 'rate', 'p50 each', 'p99 each', 'server CPU'],
    ['bare ws (floor)', ...conn(bare), ''],
    ['livehost', ...conn(live), `${(o.cpuConnect.server / 1000).toFixed(1)} s (${((o.cpuConnect.server * 1000) / Math.max(1, live.opened)).toFixed(0)} µs a session), Redis ${(o.cpuConnect.redis / 1000).toFixed(1)} s`],
  ]));
  if (live.failed.length) out(`failed: ${live.failed.slice(0, 10).join('; ')}`);

  const fanEvents = reports.flatMap((r) => r.fanOut);
  const fanOut = fanEvents.map((e) => e.ms);
  const fanSent = reports.reduce((n, r) => n + r.fanSent, 0);
  const last = fanOut.filter((e) => e.length > 0).map((e) => e[e.length - 1]!);
  const complete = fanOut.filter((e) => e.length === FAN_OPERATORS).length;
  const first = fanOut.filter((e) => e.length > 0).map((e) => e[0]!);
  const all = fanOut.flat();
  const row = (name: string, xs: number[], goal = '') => { const s = summarize(xs); return [name, String(s.n), ms(s.p50, 1), ms(s.p99, 1), ms(s.max, 0), goal]; };
  const ackPairs = reports.flatMap((r) => r.chatAcks);
  const acks = ackPairs.map(([, x]) => x);
  out(`\n## Latency during the steady ${SECONDS} s (load generator's clock)`);
  out(table([
    ['measure', 'n', 'p50', 'p99', 'max', 'goal'],
    row(`fan-out: bot line → the ${FAN_OPERATORS}th (last) operator`, last, `p99 ≤ ${GOAL_FAN_P99_MS} ms`),
    row('fan-out: → the first operator', first),
    row('fan-out: → every operator (all receipts)', all),
    row('chat → ack (every bot)', acks),
  ]));
  out(`fan-out events: ${fanSent} sent, ${complete} reached all ${FAN_OPERATORS} operators`);
  const refused = Object.entries(reports.reduce<Record<string, number>>((a, r) => { for (const [k, v] of Object.entries(r.chatRefused)) a[k] = (a[k] ?? 0) + v; return a; }, {}));
  const chatSent = reports.reduce((n, r) => n + r.chatSent, 0);
  const unanswered = reports.reduce((n, r) => n + r.chatUnanswered, 0);
  out(`chat lines sent ${chatSent}, acked ${acks.length}, refused ${refused.map(([k, v]) => `${k} ${v}`).join(', ') || '0'}, unanswered ${unanswered}`);

  out(`\n## Over time (${WINDOW_S} s windows by send time; the resume sample dropped at ${(SECONDS / 3).toFixed(0)} s, back ${AWAY_MS / 1000} s later)`);
  const rows = [['window', 'chat → ack p50 / p99 / max', 'fan-out to the last operator max', 'server CPU', 'Redis CPU', 'server event loop p99 / max']];
  for (const [w, win] of o.windows.entries()) {
    const from = o.t0 + w * WINDOW_S * 1000;
    const inW = <T>(xs: T[], at: (x: T) => number) => xs.filter((x) => at(x) >= from && at(x) < from + WINDOW_S * 1000);
    const a = summarize(inW(ackPairs, (p) => p[0]).map(([, x]) => x));
    const f = summarize(inW(fanEvents, (e) => e.at).map((e) => e.ms[e.ms.length - 1] ?? NaN).filter(Number.isFinite));
    rows.push([`${w * WINDOW_S}–${(w + 1) * WINDOW_S} s`, `${ms(a.p50, 1)} / ${ms(a.p99, 0)} / ${ms(a.max, 0)}`, ms(f.max, 0),
      `${((100 * win.serverCpuMs) / (WINDOW_S * 1000)).toFixed(0)} %`, `${((100 * win.redisCpuMs) / (WINDOW_S * 1000)).toFixed(0)} %`, `${ms(win.lagP99, 0)} / ${ms(win.lagMax, 0)}`]);
  }
  out(table(rows));

  const wallS = o.cpuSteady.wallMs / 1000;
  out('\n## CPU during the steady phase (user + system; server from /proc, Redis from INFO)');
  out(`server ${(o.cpuSteady.server / 1000).toFixed(1)} s in ${wallS.toFixed(0)} s (${((100 * o.cpuSteady.server) / o.cpuSteady.wallMs).toFixed(0)} % of a core; ${((o.cpuSteady.server * 1000) / Math.max(1, chatSent)).toFixed(0)} µs a chat line with its fan-out), `
    + `Redis ${(o.cpuSteady.redis / 1000).toFixed(1)} s; ${o.loadDuring}`);

  const gaps = reports.reduce((n, r) => n + r.gaps, 0);
  const dups = reports.reduce((n, r) => n + r.duplicates, 0);
  const gapSessions = reports.reduce((n, r) => n + r.gapSessions, 0);
  const closes = reports.reduce((n, r) => n + r.unexpectedCloses, 0);
  const watched = reports.flatMap((r) => r.watched);
  const byKey = new Map(watched.map((w) => [w.key, w]));
  const problems: string[] = [];
  let missedFrames = 0;
  for (const key of o.sampleKeys) {
    const s = byKey.get(key);
    const witness = byKey.get(key.replace(/-0$/, '-1'));
    if (!s || !witness) { problems.push(`${key}: not reported`); continue; }
    if (s.gaps || s.duplicates) problems.push(`${key}: ${s.gaps} gaps, ${s.duplicates} repeats in its seqs`);
    missedFrames += s.lastSeq - (s.seqAtDrop ?? s.lastSeq);
    const mine = new Set(s.chatIds);
    const lost = witness.chatIds.filter((id) => !mine.has(id));
    const extra = s.chatIds.length - mine.size;
    if (lost.length) problems.push(`${key}: ${lost.length} chat lines its room's other operator got are missing`);
    if (extra) problems.push(`${key}: ${extra} chat lines twice`);
  }
  out('\n## Resume (sockets closed without a goodbye, resumed with session + lastSeq)');
  out(`dropped ${o.dropped}, resumed ${o.resumed.n} (welcome p50 ${ms(percentile(o.resumed.ms, 50), 1)}, p99 ${ms(percentile(o.resumed.ms, 99), 1)}), `
    + `frames after the drop point ${missedFrames}; problems: ${problems.length ? problems.slice(0, 10).join('; ') : 'none'}`);
  if (o.resumed.failed.length) out(`resume failed: ${o.resumed.failed.slice(0, 10).join('; ')}`);
  out(`every session: ${gapSessions} with a seq gap or repeat (${gaps} gaps, ${dups} repeats); sockets closed by the server: ${closes}`);

  out('\n## Goals');
  const goal = (name: string, met: boolean, figure: string) => out(`${name}: ${figure} → ${met ? 'met' : 'missed'}`);
  goal(`${SESSIONS} sessions held`, live.opened === SESSIONS && closes === 0, `${live.opened} opened, ${live.failed.length} failed, ${closes} closed by the server`);
  goal(`memory per connection ≤ ${GOAL_KB} KB (RSS)`, liveRss <= GOAL_KB * 1024, `${kb(liveRss)} (heap ${kb(liveHeap)}; floor ${kb(bareRss)}, ratio ${(liveRss / bareRss).toFixed(1)})`);
  goal(`fan-out p99 to the ${FAN_OPERATORS}th operator ≤ ${GOAL_FAN_P99_MS} ms`, percentile(last, 99) <= GOAL_FAN_P99_MS && complete === fanSent, `${ms(percentile(last, 99), 1)}, ${complete}/${fanSent} events reached all`);
  goal('resume: nothing lost, contiguous seqs', o.resumed.n === o.dropped && o.dropped === o.sampleKeys.length && problems.length === 0, `${o.resumed.n}/${o.sampleKeys.length} resumed, ${problems.length} problems`);
  goal('every chat line answered, every session in order', unanswered === 0 && gaps + dups === 0, `${unanswered} unanswered, ${gaps + dups} seq faults`);
}

await main();
process.exit(0);
