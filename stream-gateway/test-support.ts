import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import { redisKeys, type StreamEvent } from '../protocol/index.js';
import { deletePrefix, redisUrl, testPrefix } from '../test/helpers/redis.js';
import { startGateway, type Gateway, type GatewayOptions } from './gateway.js';
import { subscribeWhenReady } from '../protocol/redis-outage.js';

/** Test-only helpers for the gateway's real-process tests (ffmpeg, ffprobe, Redis). */

export const SECRET = 'gateway-test-secret-0123456789abcdef';
export const inOneMinute = () => Math.floor(Date.now() / 1000) + 60;

export interface Harness {
  gateway: Gateway;
  prefix: string;
  events: StreamEvent[];
  logLines: () => string[];
  redis: Redis;
  stop(): Promise<void>;
}

/** A logger whose JSON lines a test can read. */
export function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: pino({ level: 'debug' }, { write: (s: string) => { lines.push(s); } }), lines };
}

/** A gateway on free ports, a subscriber on its stream-events channel, captured JSON logs. */
export async function startHarness(playAuth: boolean, extra: Partial<GatewayOptions> = {}): Promise<Harness> {
  const prefix = testPrefix('gw');
  const dataDir = await mkdtemp(join(tmpdir(), 'lh-gw-'));
  const lines: string[] = [];
  const logger: Logger = pino({ level: 'debug' }, { write: (s: string) => { lines.push(s); } });
  const sub = new Redis(redisUrl());
  const events: StreamEvent[] = [];
  await subscribeWhenReady(sub, [redisKeys(prefix).streamEvents]);
  sub.on('message', (_channel: string, message: string) => events.push(JSON.parse(message) as StreamEvent));
  const gateway = await startGateway({
    host: '127.0.0.1', rtmpPort: 0, httpPort: 0, publishSecret: SECRET, playAuth,
    redisUrl: redisUrl(), redisPrefix: prefix, dataDir, publishGraceMs: 300, logger, ...extra,
  });
  const redis = new Redis(redisUrl());
  return {
    gateway, prefix, events, redis, logLines: () => lines,
    async stop() {
      await gateway.close();
      await sub.quit();
      await redis.quit();
      await deletePrefix(prefix);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Publisher { done: Promise<number>; stderr: () => string }

/** ffmpeg publishing a small test card with a tone, as a render host's encoder would. */
export function publish(url: string, seconds: number): Publisher {
  let stderr = '';
  const child = spawn('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-nostdin', '-re',
    '-f', 'lavfi', '-i', 'testsrc=size=320x180:rate=15', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-bf', '0', '-g', '30', '-c:a', 'aac',
    '-t', String(seconds), '-f', 'flv', url,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const done = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  return { done, stderr: () => stderr };
}

/**
 * Codec names ffprobe finds at `url`, or the error it gives. NMS holds a player of a room
 * that is not live open, waiting for a publisher, so a negative probe ends on `waitMs`.
 */
export function probe(url: string, waitMs = 5000): Promise<{ codecs: string[]; error?: string }> {
  return new Promise((resolve) => {
    execFile('ffprobe', ['-v', 'error', '-rw_timeout', String(waitMs * 1000), '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', url],
      { timeout: 10_000 }, (err, stdout, stderr) => {
        const codecs = stdout.split('\n').map((s) => s.trim()).filter((s) => s && s !== 'unknown');
        resolve(err ? { codecs, error: stderr || err.message } : { codecs });
      });
  });
}

/** Polls until `check` holds; the deadline is far from the behaviour, so load slows tests but does not fail them. */
export async function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
