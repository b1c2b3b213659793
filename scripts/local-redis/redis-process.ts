import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';

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
    await waitForPing(this.port, timeoutMs);
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

export async function waitForPing(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
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
