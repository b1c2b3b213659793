import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../stream-gateway/free-port.js';

/**
 * One redis-server (or sentinel) of a local layout: own port, own directory, own log,
 * loopback only. Started from Debian's redis-server binary (the bootstrap installs it).
 */
export class RedisProcess {
  child: ChildProcess | null = null;
  readonly dir: string;

  constructor(readonly name: string, readonly port: number, baseDir: string, private readonly args: () => string[], private readonly sentinel = false) {
    this.dir = path.join(baseDir, name);
    mkdirSync(this.dir, { recursive: true });
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(timeoutMs = 20_000): Promise<void> {
    const conf = this.sentinel ? [path.join(this.dir, 'sentinel.conf'), '--sentinel'] : [];
    this.child = spawn('redis-server', [
      ...conf, '--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir,
      '--logfile', path.join(this.dir, 'redis.log'), ...(this.sentinel ? [] : ['--save', '']), ...this.args(),
    ], { stdio: 'ignore' });
    this.child.once('error', () => undefined);
    const child = this.child;
    // A redis-server that cannot start exits at once; say why now instead of pinging for the whole timeout.
    let onExit: (() => void) | undefined;
    let gone = false;
    const exited = new Promise<never>((_, reject) => {
      onExit = () => {
        gone = true;
        reject(new RedisExitedError(this.port, readLog(path.join(this.dir, 'redis.log'))));
      };
      child.once('exit', onExit);
    });
    try {
      await Promise.race([waitForPing(this.port, timeoutMs, () => gone), exited]);
    } finally {
      child.off('exit', onExit!);
      exited.catch(() => undefined);
    }
  }

  /** kill -9: no shutdown, no final write. */
  async kill(): Promise<void> {
    const c = this.child;
    this.child = null;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => { c.once('exit', () => resolve()); c.kill('SIGKILL'); });
  }

  /** A client straight to this process (not through the cluster or sentinels). */
  client(): Redis {
    const r = new Redis(this.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    r.on('error', () => undefined);
    return r;
  }
}

/** A redis-server that exited before it answered; `portTaken` when its port (or bus port) was in use. */
export class RedisExitedError extends Error {
  override readonly name = 'RedisExitedError';
  readonly portTaken: boolean;
  constructor(readonly port: number, log: string) {
    const last = log.trim().split('\n').slice(-3).join(' | ').slice(0, 500);
    super(`redis-server on port ${port} exited before answering: ${last || 'nothing in its log'}`);
    this.portTaken = /address already in use/i.test(log);
  }
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Starts a process on ports probed free just before. Another process can take a probed port
 * before redis-server binds it (tests run in parallel, and outgoing sockets draw from the
 * same ephemeral range), so a start that fails on a taken port is tried again on new ones.
 */
export async function startOnFreePorts(count: number, make: (ports: number[]) => RedisProcess, timeoutMs: number): Promise<RedisProcess> {
  for (let attempt = 1; ; attempt++) {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) ports.push(await freePort('127.0.0.1'));
    const proc = make(ports);
    try {
      await proc.start(timeoutMs);
      return proc;
    } catch (err) {
      await proc.kill();
      if (!(err instanceof RedisExitedError && err.portTaken) || attempt >= 5) throw err;
    }
  }
}

/** Pings until PONG, the deadline, or `gaveUp()` (the process is gone); a silent listener times a ping out. */
export async function waitForPing(port: number, timeoutMs: number, gaveUp: () => boolean = () => false): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (gaveUp()) return;
    const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000, commandTimeout: 2000 });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      if ((await probe.ping()) === 'PONG') return;
    } catch {
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      probe.disconnect();
    }
  }
}

/** Polls `check` until it returns a value (not undefined/false), or throws naming `what`. */
export async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
