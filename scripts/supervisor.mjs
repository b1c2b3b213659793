// Runs the components as child processes with prefixed, readable log lines, and stops
// them all cleanly: SIGTERM, then SIGKILL after a grace period, so Ctrl-C ends within 5 s.
import { spawn } from 'node:child_process';
import readline from 'node:readline';

const COLORS = [36, 35, 33, 32, 34, 31, 96, 95];
const LEVELS = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
// pino's own fields; everything else is context worth showing on the line.
const PINO_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'name', 'v']);

/** Turns a pino JSON line into "12:00:01 INFO  message key=value"; other lines pass through. */
export function formatLogLine(line) {
  if (!line.startsWith('{')) return line;
  let rec;
  try { rec = JSON.parse(line); } catch { return line; }
  const time = new Date(rec.time ?? Date.now()).toISOString().slice(11, 23);
  const level = LEVELS[rec.level] ?? String(rec.level ?? '');
  const extra = Object.entries(rec)
    .filter(([k]) => !PINO_FIELDS.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${time} ${level} ${rec.msg ?? ''}${extra ? `  ${extra}` : ''}`;
}

export class Supervisor {
  constructor({ log, graceMs = 4000 }) {
    this.log = log;
    this.graceMs = graceMs;
    this.children = [];
    this.stopping = false;
  }

  spawnChild(name, cmd, args, { env = process.env, cwd, critical = false, stopOrder = 0 } = {}) {
    const color = COLORS[this.children.length % COLORS.length];
    const prefix = `\x1b[${color}m${name.padEnd(8)}\x1b[0m│ `;
    // Own process group: a terminal's Ctrl-C reaches only the supervisor, which then stops
    // the children in order (components first, Redis last) instead of all at once.
    const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const entry = { name, child, stopOrder, exited: false };
    this.children.push(entry);
    for (const stream of [child.stdout, child.stderr]) {
      readline.createInterface({ input: stream }).on('line', (l) => process.stdout.write(prefix + formatLogLine(l) + '\n'));
    }
    child.on('exit', (code, signal) => {
      entry.exited = true;
      if (this.stopping) return;
      this.log(`${name} exited (${signal ?? code})`);
      if (critical) void this.shutdown(1);
    });
    return child;
  }

  /** Runs a command attached to this terminal and resolves with its exit code. */
  runForeground(cmd, args, { env }) {
    return new Promise((resolve) => {
      const child = spawn(cmd, args, { env, stdio: 'inherit' });
      this.foreground = child;
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  }

  async stopAll() {
    this.stopping = true;
    // Components first, infrastructure (redis) last so they can flush on the way out.
    const order = [...new Set(this.children.map((c) => c.stopOrder))].sort((a, b) => a - b);
    for (const stage of order) {
      const group = this.children.filter((c) => c.stopOrder === stage && !c.exited);
      await Promise.all(group.map((c) => this.stopChild(c, stage === 0 ? this.graceMs : 800)));
    }
  }

  stopChild(entry, graceMs) {
    return new Promise((resolve) => {
      if (entry.exited) return resolve();
      const timer = setTimeout(() => entry.child.kill('SIGKILL'), graceMs);
      entry.child.once('exit', () => { clearTimeout(timer); resolve(); });
      entry.child.kill('SIGTERM');
    });
  }

  async shutdown(code) {
    if (this.stopping) return;
    this.log('stopping…');
    this.foreground?.kill('SIGTERM');
    await this.stopAll();
    process.exit(code);
  }

  handleSignals() {
    // If the supervisor dies anyway, take the children with it.
    process.on('exit', () => {
      for (const c of this.children) if (!c.exited) c.child.kill('SIGKILL');
    });
    process.on('SIGINT', () => void this.shutdown(130));
    process.on('SIGTERM', () => void this.shutdown(143));
  }
}
