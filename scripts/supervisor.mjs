// Runs the components as child processes with prefixed, readable log lines; restarts any
// that exits unexpectedly (with a growing back-off, reset after a healthy run); and stops
// them all cleanly on Ctrl-C: SIGTERM, then SIGKILL after a grace period, within 5 s.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import readline from 'node:readline';

const COLORS = [36, 35, 33, 32, 34, 31, 96, 95];
const LEVELS = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
// pino's own fields; everything else is context worth showing on the line.
const PINO_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'name', 'v']);
/** The exit code every entry point uses for a configuration error (EX_CONFIG, sysexits.h): restarting cannot fix it. */
export const CONFIG_ERROR_EXIT = 78;

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

/** How a child ended, in words: "code 1", "signal SIGKILL". */
const how = (code, signal) => (signal ? `signal ${signal}` : `code ${code}`);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/**
 * A child's states, and the only transitions:
 *   running → backoff   it exited on its own (crash, kill -9): restart after the back-off
 *   backoff → running   the back-off elapsed
 *   running → failed    it exited with a configuration error: restarting cannot help
 *   any → stopped       the supervisor is stopping everything
 */
export class Supervisor {
  /**
   * @param {object} o
   * @param {(msg: string) => void} o.log
   * @param {number} [o.graceMs] how long a component may take to stop before SIGKILL
   * @param {number} [o.restartBaseMs] first restart delay; doubles per crash in a row
   * @param {number} [o.restartMaxMs] longest restart delay
   * @param {number} [o.healthyMs] a run this long resets the back-off
   * @param {NodeJS.WritableStream} [o.out] where children's lines go (stdout)
   * @param {string} [o.pidFile] kept up to date with {name: pid} of the running children
   */
  constructor({ log, graceMs = 4000, restartBaseMs = 500, restartMaxMs = 30_000, healthyMs = 30_000, out = process.stdout, pidFile }) {
    this.log = log;
    this.graceMs = graceMs;
    this.restartBaseMs = restartBaseMs;
    this.restartMaxMs = restartMaxMs;
    this.healthyMs = healthyMs;
    this.out = out;
    this.pidFile = pidFile;
    this.children = [];
    this.stopping = false;
  }

  /**
   * Starts a supervised child. `nice` (0–19) lowers its priority: the render host runs
   * niced so that, on one machine, synthesis and the server are not starved by rendering.
   * `restart: false` lets a child's exit stand (one-shot helpers).
   */
  spawnChild(name, cmd, args, { env = process.env, cwd, stopOrder = 0, nice = 0, restart = true } = {}) {
    const color = COLORS[this.children.length % COLORS.length];
    const entry = {
      name, cmd, args, env, cwd, stopOrder, nice, restart,
      prefix: `\x1b[${color}m${name.padEnd(8)}\x1b[0m│ `,
      state: 'running', child: null, startedAt: 0, crashes: 0, restarts: 0, timer: null, exited: Promise.resolve(),
    };
    this.children.push(entry);
    this.start(entry);
    return entry;
  }

  /** The pid a child runs under now (it changes with every restart), or null. */
  pid(name) {
    const entry = this.children.find((c) => c.name === name);
    return entry?.state === 'running' ? entry.child?.pid ?? null : null;
  }

  start(entry) {
    const [cmd, args] = entry.nice ? ['nice', ['-n', String(entry.nice), entry.cmd, ...entry.args]] : [entry.cmd, entry.args];
    // Own process group: a terminal's Ctrl-C reaches only the supervisor, which then stops
    // the children in order (components first, Redis last), and a child's own children
    // (ffmpeg under the render host) are stopped with it.
    const child = spawn(cmd, args, { env: entry.env, cwd: entry.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    entry.child = child;
    entry.state = 'running';
    entry.startedAt = Date.now();
    this.writePids();
    for (const stream of [child.stdout, child.stderr]) {
      readline.createInterface({ input: stream }).on('line', (l) => this.out.write(entry.prefix + formatLogLine(l) + '\n'));
    }
    entry.exited = new Promise((resolve) => {
      child.once('error', (err) => this.log(`${entry.name} could not start: ${err.message}`));
      child.once('exit', (code, signal) => {
        // What it left behind in its group (an ffmpeg it was feeding) goes with it.
        killGroup(child.pid, 'SIGKILL');
        resolve();
        if (entry.child === child) this.exited(entry, code, signal);
      });
    });
  }

  exited(entry, code, signal) {
    if (this.stopping || entry.state === 'stopped') return;
    const ran = Date.now() - entry.startedAt;
    if (!entry.restart) {
      entry.state = 'stopped';
      return this.log(`${entry.name} exited (${how(code, signal)})`);
    }
    if (code === CONFIG_ERROR_EXIT) {
      entry.state = 'failed';
      return this.log(`${entry.name} exited with a configuration error (code ${code}); not restarting it — fix the setting it names and start again`);
    }
    if (ran >= this.healthyMs) entry.crashes = 0;
    const delay = Math.min(this.restartMaxMs, this.restartBaseMs * 2 ** entry.crashes);
    entry.crashes += 1;
    entry.state = 'backoff';
    this.log(`${entry.name} exited unexpectedly (${how(code, signal)}) after ${seconds(ran)}; restarting in ${seconds(delay)}`);
    entry.timer = setTimeout(() => {
      entry.timer = null;
      if (this.stopping || entry.state !== 'backoff') return;
      entry.restarts += 1;
      this.start(entry);
      this.log(`${entry.name} restarted (pid ${entry.child.pid}, restart ${entry.restarts})`);
    }, delay);
  }

  /** Which pid each running child has now: operators (and fault tests) find a component here. */
  writePids() {
    if (!this.pidFile) return;
    const pids = Object.fromEntries(this.children.filter((c) => c.state === 'running' && c.child?.pid).map((c) => [c.name, c.child.pid]));
    writeFileSync(this.pidFile, `${JSON.stringify(pids)}\n`);
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
    for (const c of this.children) {
      if (c.timer) clearTimeout(c.timer);
      c.timer = null;
    }
    // Components first, infrastructure (redis) last so they can flush on the way out.
    const order = [...new Set(this.children.map((c) => c.stopOrder))].sort((a, b) => a - b);
    for (const stage of order) {
      const group = this.children.filter((c) => c.stopOrder === stage);
      await Promise.all(group.map((c) => this.stopChild(c, stage === 0 ? this.graceMs : 800)));
    }
  }

  async stopChild(entry, graceMs) {
    const wasRunning = entry.state === 'running';
    entry.state = 'stopped';
    if (!wasRunning || !entry.child) return;
    const { pid } = entry.child;
    const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
    killGroup(pid, 'SIGTERM');
    await entry.exited;
    clearTimeout(timer);
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
      for (const c of this.children) if (c.child && c.state === 'running') killGroup(c.child.pid, 'SIGKILL');
    });
    process.on('SIGINT', () => void this.shutdown(130));
    process.on('SIGTERM', () => void this.shutdown(143));
  }
}

/** Signals a child's whole process group (it leads one: spawned detached). */
function killGroup(pid, signal) {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}
