import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisExitedError, RedisProcess, startOnFreePorts } from './redis-process.js';

describe('local redis-server processes', () => {
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  async function takenPort(): Promise<number> {
    // Whoever holds the port is not Redis: it hangs up on the start's probes.
    const server: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => server.close(resolve)));
    return (server.address() as { port: number }).port;
  }

  function tempDir(): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'livehost-redis-process-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  it('a redis-server whose port is taken fails at once, saying so, instead of waiting out the timeout', async () => {
    const port = await takenPort();
    const proc = new RedisProcess('taken', port, tempDir(), () => []);
    cleanup.push(() => proc.kill());
    const startedAt = Date.now();
    const err = await proc.start(120_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RedisExitedError);
    expect((err as RedisExitedError).portTaken).toBe(true);
    expect((err as Error).message).toMatch(new RegExp(`port ${port}`));
    expect(Date.now() - startedAt).toBeLessThan(60_000);
  }, 90_000);

  it('a port taken between the probe and the start is given up for another', async () => {
    const taken = await takenPort();
    const dir = tempDir();
    const tried: number[] = [];
    const proc = await startOnFreePorts(1, ([port]) => {
      const use = tried.length === 0 ? taken : port!;
      tried.push(use);
      return new RedisProcess(`node-${use}`, use, dir, () => []);
    }, 60_000);
    cleanup.push(() => proc.kill());
    expect(tried[0]).toBe(taken);
    expect(tried).toHaveLength(2);
    expect(proc.port).toBe(tried[1]);
    const c = proc.client();
    try {
      expect(await c.ping()).toBe('PONG');
    } finally {
      c.disconnect();
    }
  }, 90_000);
});
