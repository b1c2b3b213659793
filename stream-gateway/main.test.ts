import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deletePrefix, redisUrl, testPrefix } from '../test/helpers/redis.js';
import { freePort } from './free-port.js';

const prefix = testPrefix('gwmain');
afterAll(async () => { await deletePrefix(prefix); });

function run(env: NodeJS.ProcessEnv, onLine: (line: string, kill: () => void) => void): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'stream-gateway/main.ts'], {
      env: { PATH: process.env.PATH, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const consume = (d: Buffer) => {
      out += d.toString();
      for (const line of d.toString().split('\n')) if (line) onLine(line, () => child.kill('SIGTERM'));
    };
    child.stdout.on('data', consume);
    child.stderr.on('data', consume);
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('stream gateway process', () => {
  it('starts from the environment and stops cleanly on SIGTERM', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'lh-gwmain-'));
    const [rtmp, http] = [await freePort('127.0.0.1'), await freePort('127.0.0.1')];
    const { code, out } = await run({
      LIVEHOST_PUBLISH_SECRET: 'p'.repeat(32), LIVEHOST_GATEWAY_HOST: '127.0.0.1', LIVEHOST_RTMP_PORT: String(rtmp),
      LIVEHOST_GATEWAY_HTTP_PORT: String(http), REDIS_URL: redisUrl(), LIVEHOST_REDIS_PREFIX: prefix, LIVEHOST_DATA_DIR: dataDir,
    }, (line, kill) => { if (line.includes('stream gateway listening')) kill(); });
    await rm(dataDir, { recursive: true, force: true });
    expect(code).toBe(0);
    expect(out).toContain('stream gateway stopped');
    // JSON lines only: NMS's own console output is routed into pino.
    for (const line of out.split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('refuses to start without a publish secret, naming the variable', async () => {
    const { code, out } = await run({ REDIS_URL: redisUrl() }, () => {});
    expect(code).toBe(78);
    expect(out).toContain('LIVEHOST_PUBLISH_SECRET');
  });
});
