import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';

/** `lscpu`'s model name (what the hypervisor reports), falling back to Node's. */
export function cpuModel(): string {
  try {
    const m = /^Model name:\s*(.+)$/m.exec(execFileSync('lscpu', { encoding: 'utf8' }));
    if (m) return m[1]!.trim();
  } catch {
    // no lscpu: use what Node sees
  }
  return cpus()[0]?.model.trim() ?? 'unknown CPU';
}

export const loadAverage = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

/** One line naming the machine, for the top of a bench's output. */
export function machineLine(): string {
  return `${cpuModel()}, ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, `
    + `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, load average ${loadAverage()}`;
}

/** The 1-minute load average sampled every 10 s over a run: what the machine was doing meanwhile. */
export function sampleLoad(): { stop(): string } {
  const samples = [loadavg()[0]!];
  const timer = setInterval(() => samples.push(loadavg()[0]!), 10_000);
  return {
    stop() {
      clearInterval(timer);
      samples.push(loadavg()[0]!);
      const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
      return `1-min load average during the part: mean ${mean.toFixed(1)}, ${Math.min(...samples).toFixed(1)}–${Math.max(...samples).toFixed(1)}`;
    },
  };
}
