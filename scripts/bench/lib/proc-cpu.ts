import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString()) || 100;
  } catch {
    return 100;
  }
})();

interface Stat { ppid: number; ownMs: number; reapedMs: number }

function stat(pid: number): Stat | null {
  let f: string;
  try {
    f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null; // gone
  }
  // The command name may hold spaces and parentheses: the fields start after the last ')'.
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  const ticks = (i: number) => Number(fields[i]) || 0;
  return {
    ppid: ticks(1),
    ownMs: ((ticks(11) + ticks(12)) * 1000) / CLK_TCK, // utime + stime
    reapedMs: ((ticks(13) + ticks(14)) * 1000) / CLK_TCK, // cutime + cstime: children already waited for
  };
}

/**
 * CPU time (user + system, ms) a process and everything it started has used so far: its
 * own, its reaped children's (flite runs, audio decoders), and its live descendants' (an
 * encoder ffmpeg), from /proc. Works for any process of ours, not only children.
 */
export function treeCpuMs(root: number, exclude: readonly number[] = []): number {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const s = stat(pid);
    if (!s) continue;
    const list = children.get(s.ppid) ?? [];
    list.push(pid);
    children.set(s.ppid, list);
  }
  const walk = (pid: number): number => {
    if (exclude.includes(pid)) return 0;
    const s = stat(pid);
    if (!s) return 0;
    return s.ownMs + s.reapedMs + (children.get(pid) ?? []).reduce((sum, c) => sum + walk(c), 0);
  };
  return walk(root);
}

/**
 * CPU used by each named process tree between begin() and read(). A tree that holds
 * another named one (the bench process started the server) is counted without it.
 */
export class CpuMeter {
  private readonly start = new Map<string, number>();
  private t0 = 0;

  constructor(private readonly pids: Record<string, number>) {}

  private sample(name: string, pid: number): number {
    return treeCpuMs(pid, Object.entries(this.pids).filter(([n]) => n !== name).map(([, p]) => p));
  }

  begin(): void {
    this.t0 = performance.now();
    for (const [name, pid] of Object.entries(this.pids)) this.start.set(name, this.sample(name, pid));
  }

  /** ms of CPU per tree, and the wall time they were measured over. */
  read(): { wallMs: number; cpuMs: Record<string, number> } {
    const cpuMs: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids)) cpuMs[name] = this.sample(name, pid) - (this.start.get(name) ?? 0);
    return { wallMs: performance.now() - this.t0, cpuMs };
  }
}

/** Redis's own CPU so far (INFO cpu), ms. */
export async function redisCpuMs(redis: { info(section: string): Promise<string> }): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1000;
}
