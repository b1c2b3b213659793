// npm run bench:console — the operator console's first load, on loopback, cold cache:
//   - first-load JavaScript: what the browser fetched before the console was usable, in bytes on
//     the wire (the server sends the build's brotli copies) and as gzip;
//   - time from navigation to a usable console (signed in from a #token= link, the operator
//     WebSocket welcomed, every room in the switcher), goal < 1 s; baseline in the same run: the
//     viewer page (`/`) to its list of shows, same server, same browser;
//   - CPU beside latency: the browser's task and script time per load (CDP Performance metrics)
//     and the server process's CPU per load (/proc).
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { Redis } from 'ioredis';
import { chromium, type Browser } from 'playwright-core';
import { ensureConsoleBuilt, consoleDist } from '../../console/build.mjs';
import { TokenService } from '../../server/auth/token-service.js';
import { RoomStore } from '../../server/rooms/room-store.js';
import { deletePrefix } from '../../test/helpers/redis.js';
import { startPart } from '../../test/helpers/processes.js';
import { freePort } from '../../stream-gateway/free-port.js';

const out = (s: string) => process.stdout.write(`${s}\n`);
const LOADS = Number(process.env.BENCH_CONSOLE_LOADS ?? 30);
const WARMUP = 3;
const ROOMS = 4;

type Resource = { name: string; initiatorType: string; transferSize: number; encodedBodySize: number; decodedBodySize: number };
interface Load { readyMs: number; taskMs: number; scriptMs: number; serverCpuMs: number; js: Resource[] }

function procCpuMs(pid: number): number {
  // utime + stime, in clock ticks (100 per second on Linux).
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function measure(browser: Browser, url: string, ready: string, serverPid: number): Promise<Load> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  // `ready` is a script that returns true once the page is usable; the time is taken in the page.
  await context.addInitScript(`(() => {
    const check = () => { if (!window.__ready && (${ready})) window.__ready = performance.now(); };
    new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
  })()`);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const cpu0 = procCpuMs(serverPid);
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { __ready?: number }).__ready, undefined, { timeout: 20_000, polling: 50 });
  const readyMs = await page.evaluate(() => (window as unknown as { __ready: number }).__ready);
  const serverCpuMs = procCpuMs(serverPid) - cpu0;
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = (name: string) => (metrics.find((m) => m.name === name)?.value ?? 0) * 1000;
  const js = await page.evaluate(() => (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
    .filter((r) => r.name.endsWith('.js'))
    .map((r) => ({ name: r.name, initiatorType: r.initiatorType, transferSize: r.transferSize, encodedBodySize: r.encodedBodySize, decodedBodySize: r.decodedBodySize })));
  await context.close();
  return { readyMs, taskMs: metric('TaskDuration'), scriptMs: metric('ScriptDuration'), serverCpuMs, js };
}

async function main(): Promise<void> {
  await ensureConsoleBuilt({ log: out });
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `bench-console-${randomBytes(4).toString('hex')}`;
  const jwtSecret = randomBytes(32).toString('base64url');
  const port = await freePort('127.0.0.1');
  const server = await startPart('server/main.ts', {
    HOST: '127.0.0.1', PORT: String(port), REDIS_URL: redisUrl, LIVEHOST_REDIS_PREFIX: prefix,
    LIVEHOST_JWT_SECRET: jwtSecret, LIVEHOST_PUBLISH_SECRET: randomBytes(32).toString('base64url'),
  }, /Server listening/);
  const redis = new Redis(redisUrl);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const rooms = new RoomStore(redis, prefix);
    for (let i = 0; i < ROOMS; i++) await rooms.create({ id: `show-${i}`, name: `Show ${i}` });
    const { token } = await new TokenService(jwtSecret, redis, prefix).issue({ role: 'admin', label: 'bench' });
    const base = `http://127.0.0.1:${port}`;
    const pid = server.child.pid!;
    const consoleReady = `document.querySelector('.conn[data-state="open"]') && document.querySelectorAll('.room-tab').length >= ${ROOMS}`;
    const viewerReady = `document.querySelectorAll('#rooms button').length >= ${ROOMS}`;

    const consoleLoads: Load[] = [];
    const viewerLoads: Load[] = [];
    for (let i = 0; i < LOADS + WARMUP; i++) {
      // Interleaved, so drift in the machine's load hits both alike.
      const c = await measure(browser, `${base}/console/#token=${token}`, consoleReady, pid);
      const v = await measure(browser, `${base}/`, viewerReady, pid);
      if (i >= WARMUP) {
        consoleLoads.push(c);
        viewerLoads.push(v);
      }
    }

    const first = consoleLoads[0]!;
    const assets = path.join(consoleDist, 'assets');
    const gzipOf = (url: string) => gzipSync(readFileSync(path.join(assets, path.basename(new URL(url).pathname))), { level: 9 }).length;
    const consoleJs = first.js.filter((r) => r.name.includes('/console/assets/'));
    const wire = consoleJs.reduce((n, r) => n + r.encodedBodySize, 0);
    const raw = consoleJs.reduce((n, r) => n + r.decodedBodySize, 0);
    const gz = consoleJs.reduce((n, r) => n + gzipOf(r.name), 0);
    const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
    const mpegts = readdirSync(assets).find((f) => /^mpegts-.*\.js$/.test(f));

    out(`machine: ${cpus().length}× ${cpus()[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; ${LOADS} cold loads each (after ${WARMUP} warm-up), ${ROOMS} rooms`);
    out('');
    out(`first-load JavaScript of the console: ${consoleJs.length} file(s), ${kib(raw)} minified, ${kib(gz)} gzip, ${kib(wire)} on the wire (brotli)`);
    for (const r of consoleJs) out(`  ${path.basename(new URL(r.name).pathname)}: ${kib(r.decodedBodySize)} → ${kib(gzipOf(r.name))} gzip, ${kib(r.encodedBodySize)} sent`);
    if (mpegts) out(`  loaded later, when a room is on air: ${mpegts}: ${kib(gzipSync(readFileSync(path.join(assets, mpegts)), { level: 9 }).length)} gzip`);
    out('');
    out('| page | ready p50 | p95 | max | browser task p50 | script p50 | server CPU p50 |');
    out('|---|---|---|---|---|---|---|');
    const row = (name: string, ls: Load[]) => {
      const r = ls.map((l) => l.readyMs);
      out(`| ${name} | ${pct(r, 50).toFixed(0)} ms | ${pct(r, 95).toFixed(0)} ms | ${Math.max(...r).toFixed(0)} ms | ${pct(ls.map((l) => l.taskMs), 50).toFixed(0)} ms | ${pct(ls.map((l) => l.scriptMs), 50).toFixed(0)} ms | ${pct(ls.map((l) => l.serverCpuMs), 50).toFixed(0)} ms |`);
      return pct(r, 50);
    };
    const c50 = row('console (/console/, signed in, connected, rooms listed)', consoleLoads);
    const v50 = row('viewer page (/, shows listed) — baseline', viewerLoads);
    out(`| ratio console / viewer (p50) | ${(c50 / v50).toFixed(2)} | | | | | |`);
    out('');
    out(`goal: console ready < 1000 ms on loopback — ${pct(consoleLoads.map((l) => l.readyMs), 95) < 1000 ? 'met (p95)' : 'MISSED at p95'}`);
  } finally {
    await browser.close();
    await server.stop();
    await redis.quit();
    await deletePrefix(prefix);
  }
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
