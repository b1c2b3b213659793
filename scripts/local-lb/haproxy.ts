// A local HAProxy (Debian's `haproxy`; the bootstrap installs it) in front of livehost's
// server instances: HTTP mode, WebSockets tunnelled, health checks on GET /readyz, no
// stickiness. Used by the load-balancer test and for trying it by hand:
//
//   npx tsx scripts/local-lb/haproxy.ts 127.0.0.1:8080 127.0.0.1:8081 127.0.0.1:8082
//
// prints LIVEHOST_SERVER_URL=http://127.0.0.1:<port> and runs until Ctrl-C.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../stream-gateway/free-port.js';
import { haproxyConfig, type BalancerBackend, type BalancerConfig } from './haproxy-config.js';

/** A server's state as HAProxy's checks see it (`show stat`'s status column: UP, DOWN, MAINT, `UP 1/2`…). */
export type BackendState = string;

/** Debian installs it in /usr/sbin, which a normal user's PATH leaves out. */
export function haproxyBinary(): string {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/sbin', '/usr/local/sbin'];
  for (const dir of dirs) if (existsSync(path.join(dir, 'haproxy'))) return path.join(dir, 'haproxy');
  throw new Error('haproxy is not installed: apt-get install -y --no-install-recommends haproxy (npm test installs it when run as root)');
}

export interface LocalBalancer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `ws://127.0.0.1:<port>` */
  wsUrl: string;
  port: number;
  dir: string;
  /** Each backend's state now, by name. */
  states(): Promise<Record<string, BackendState>>;
  /** Resolves once every named backend is in `state` (`UP` or `DOWN`). */
  waitFor(names: string[], state: 'UP' | 'DOWN', timeoutMs?: number): Promise<void>;
  /** HAProxy's own stderr (server state changes, alerts). */
  output(): string;
  stop(): Promise<void>;
}

export interface LocalBalancerOptions extends Omit<BalancerConfig, 'bind' | 'statsSocket'> {
  port?: number;
  timeoutMs?: number;
}

export async function startLocalBalancer(o: LocalBalancerOptions): Promise<LocalBalancer> {
  const bin = haproxyBinary();
  const timeoutMs = o.timeoutMs ?? 20_000;
  const port = o.port ?? await freePort('127.0.0.1');
  const dir = mkdtempSync(path.join(tmpdir(), 'livehost-haproxy-'));
  const socket = path.join(dir, 'admin.sock');
  const cfg = path.join(dir, 'haproxy.cfg');
  writeFileSync(cfg, haproxyConfig({ ...o, bind: { host: '127.0.0.1', port }, statsSocket: socket }));
  // -db: stay in the foreground and out of the background, so the test owns the process.
  const child = spawn(bin, ['-db', '-f', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', (err) => { out += `\n${err.message}`; });

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const states = async () => parseStat(await ask(socket, 'show stat'));
  const waitFor = async (names: string[], state: 'UP' | 'DOWN', waitMs = timeoutMs) => {
    const deadline = Date.now() + waitMs;
    let last: Record<string, BackendState> = {};
    for (;;) {
      last = await states().catch(() => last);
      if (names.every((n) => last[n] === state)) return;
      if (Date.now() > deadline) throw new Error(`haproxy: ${names.join(', ')} not ${state} after ${waitMs} ms (${JSON.stringify(last)})\n${out.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`haproxy exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${out.slice(-2000)}`);
    }
    if (await states().then(() => true, () => false)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`haproxy did not answer on ${socket} within ${timeoutMs} ms:\n${out.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}`, port, dir, states, waitFor, output: () => out, stop };
}

/** One command on HAProxy's runtime API (a Unix socket): it answers and closes. */
function ask(socketPath: string, command: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(socketPath);
    let data = '';
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`haproxy runtime API: no answer to "${command}"`)); }, timeoutMs);
    s.on('connect', () => s.write(`${command}\n`));
    s.on('data', (d) => { data += d.toString(); });
    s.on('error', (err) => { clearTimeout(timer); reject(err); });
    s.on('close', () => { clearTimeout(timer); resolve(data); });
  });
}

/** `show stat` CSV → status by server name (the `servers` backend's rows only). */
export function parseStat(csv: string): Record<string, BackendState> {
  const lines = csv.split('\n').filter((l) => l.length > 0);
  const header = (lines[0] ?? '').replace(/^# /, '').split(',');
  const col = (name: string) => header.indexOf(name);
  const [px, sv, status] = [col('pxname'), col('svname'), col('status')];
  if (px < 0 || sv < 0 || status < 0) throw new Error(`haproxy runtime API: unexpected stat header "${lines[0] ?? ''}"`);
  const out: Record<string, BackendState> = {};
  for (const line of lines.slice(1)) {
    const f = line.split(',');
    if (f[px] === 'servers' && f[sv] !== 'BACKEND') out[f[sv]!] = f[status]!;
  }
  return out;
}

export function parseBackend(arg: string, i: number): BalancerBackend {
  const m = /^([^:]+):(\d+)$/.exec(arg);
  if (!m) throw new RangeError(`backend "${arg}" must be host:port`);
  return { name: `s${i + 1}`, host: m[1]!, port: Number(m[2]) };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const lb = await startLocalBalancer({ backends: (args.length ? args : ['127.0.0.1:8080']).map(parseBackend) });
  process.stdout.write(`LIVEHOST_SERVER_URL=${lb.url}\n(config in ${lb.dir}/haproxy.cfg; Ctrl-C stops it)\n`);
  const quit = () => void lb.stop().then(() => process.exit(0));
  process.on('SIGINT', quit);
  process.on('SIGTERM', quit);
}
