// bench:connections' machinery around the processes: the open-file limit, the port range,
// memory read from /proc and from a part's heap probe, and the load-generator children.
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { FromChild, ToChild } from './connections-protocol.js';

const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
const WANTED_NOFILE = 65536;

/**
 * Re-runs this process under `sh -c 'ulimit -n 65536'` once, so it and every process it
 * starts (server, bare server, load generators) may hold 10,000 sockets; where the hard
 * limit is lower and cannot be raised, the soft limit goes up to the hard one and
 * `checkNofile` says whether that is enough. Returns only in the re-run process.
 */
export function raiseNofile(): void {
  if (process.env.BENCH_NOFILE) return;
  const script = `ulimit -n ${WANTED_NOFILE} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; BENCH_NOFILE="$(ulimit -n)" BENCH_NOFILE_HARD="$(ulimit -Hn)" exec "$@"`;
  const r = spawnSync('sh', ['-c', script, 'sh', process.execPath, ...process.execArgv, process.argv[1]!, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

/** Throws, saying how to fix it, when one process may not open `need` files. */
export function checkNofile(need: number): string {
  const soft = Number(process.env.BENCH_NOFILE);
  const hard = process.env.BENCH_NOFILE_HARD ?? '?';
  if (!(soft >= need)) {
    throw new Error(`the open-file limit is ${soft} (hard limit ${hard}, and \`ulimit -n ${WANTED_NOFILE}\` was refused); one process here needs ${need}. `
      + `Raise the hard limit: as root with CAP_SYS_RESOURCE \`ulimit -Hn ${WANTED_NOFILE}\`, in a container \`docker run --ulimit nofile=${WANTED_NOFILE}:${WANTED_NOFILE}\`, `
      + `on a login \`nofile\` in /etc/security/limits.conf; or run fewer sessions (BENCH_SESSIONS).`);
  }
  return `open files ${soft} per process (hard ${hard}; ${soft >= WANTED_NOFILE ? `raised to ${WANTED_NOFILE}` : `${WANTED_NOFILE} refused, the hard limit is enough`})`;
}

/** Throws when loopback has too few ephemeral ports for `need` client sockets to one server port. */
export function checkPortRange(need: number): string {
  const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number) as [number, number];
  const ports = hi - lo + 1;
  if (ports < need) {
    throw new Error(`net.ipv4.ip_local_port_range is ${lo}–${hi} (${ports} ports); ${need} client sockets need more: sysctl -w net.ipv4.ip_local_port_range="1024 65535"`);
  }
  return `ephemeral ports ${lo}–${hi} (${ports})`;
}

/** Resident set size of one process, bytes (VmRSS in /proc/<pid>/status). */
export function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

export interface Memory { rss: number; heapUsed: number; external: number; arrayBuffers: number }

/**
 * A part's memory after a full GC, from its heap probe (connections-heap.mjs, signalled
 * with SIGUSR2); RSS from /proc right after. Both the same moment, as near as it gets.
 */
export async function memoryAfterGc(pid: number, heapFile: string, timeoutMs = 30_000): Promise<Memory> {
  rmSync(heapFile, { force: true });
  process.kill(pid, 'SIGUSR2');
  for (const end = Date.now() + timeoutMs; Date.now() < end; await sleep(50)) {
    if (!existsSync(heapFile)) continue;
    let h: { heapUsed: number; external: number; arrayBuffers: number };
    try {
      h = JSON.parse(readFileSync(heapFile, 'utf8')) as typeof h;
    } catch {
      continue; // being written
    }
    return { rss: rssBytes(pid), heapUsed: h.heapUsed, external: h.external, arrayBuffers: h.arrayBuffers };
  }
  throw new Error(`pid ${pid} wrote no heap figures to ${heapFile} in ${timeoutMs} ms (is connections-heap.mjs preloaded?)`);
}

/** One load-generator child and its IPC replies, awaited by kind. */
export class LoadChild {
  private readonly waiting = new Map<string, Array<(m: FromChild) => void>>();
  private readonly inbox: FromChild[] = [];
  readonly child: ChildProcess;

  constructor(readonly name: string) {
    this.child = fork(path.join(import.meta.dirname, 'connections-client.ts'), [], {
      execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // Its own heap is sized for its share of sockets and their frames.
      env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=2048' },
    });
    this.child.on('message', (m: FromChild) => {
      if (m.ev === 'error') {
        process.stderr.write(`${name}: ${m.message}\n`);
        return;
      }
      const w = this.waiting.get(m.ev)?.shift();
      if (w) w(m);
      else this.inbox.push(m);
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** Sends `msg` and resolves with the child's next reply of kind `ev`. */
  ask<E extends FromChild['ev']>(msg: ToChild | null, ev: E, timeoutMs = 600_000): Promise<Extract<FromChild, { ev: E }>> {
    const queued = this.inbox.findIndex((m) => m.ev === ev);
    const reply = queued >= 0
      ? Promise.resolve(this.inbox.splice(queued, 1)[0]!)
      : new Promise<FromChild>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${this.name}: no ${ev} in ${timeoutMs} ms`)), timeoutMs);
        const list = this.waiting.get(ev) ?? [];
        list.push((m) => { clearTimeout(timer); resolve(m); });
        this.waiting.set(ev, list);
        this.child.once('exit', (code) => reject(new Error(`${this.name} exited (${code}) waiting for ${ev}`)));
      });
    if (msg) this.child.send(msg);
    return reply as Promise<Extract<FromChild, { ev: E }>>;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.send({ cmd: 'close' } satisfies ToChild);
    await Promise.race([exited, sleep(5000)]);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}
