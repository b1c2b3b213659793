import { pino } from 'pino';
import { loadGatewayConfig } from './config.js';
import { startGateway } from './gateway.js';
import { Redis } from 'ioredis';
import { secretKeyFromEnv } from '../protocol/secret-box.js';
import { DestinationManager } from './destinations/destination-manager.js';
import { RedisDestinationSource } from './destinations/redis-destination-source.js';
import { ProgramForwarder } from './program/program-forwarder.js';
import { SlateLibrary } from './program/slate.js';

/** Entry point: `tsx stream-gateway/main.ts`. Stops cleanly on SIGTERM / SIGINT. */
async function main(): Promise<void> {
  const bootLog = pino({ name: 'stream-gateway', level: process.env.LOG_LEVEL ?? 'info' });
  let config;
  try {
    config = loadGatewayConfig();
  } catch (err) {
    bootLog.fatal((err as Error).message);
    process.exit(1);
  }
  const log = pino({ name: 'stream-gateway', level: config.logLevel });
  // Distribution: destinations from Redis (server REST), forwarded from a per-room program
  // feed that falls back to a slate, so the outgoing stream outlives a dropped publisher.
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3 });
  const subscriber = new Redis(config.redisUrl);
  for (const conn of [redis, subscriber]) conn.on('error', (err: Error) => log.warn({ err: err.message }, 'redis connection error'));
  let source: RedisDestinationSource | null = null;
  const manager = new DestinationManager({ log, onStatus: (s) => source?.noteStatus(s) });
  source = new RedisDestinationSource(redis, subscriber, config.redisPrefix, secretKeyFromEnv(process.env, config.publishSecret), manager, log);
  await source.start();
  const slates = new SlateLibrary(process.env.LIVEHOST_SLATE_IMAGE || undefined);
  await slates.prepare({ width: 1280, height: 720, fps: 30 });
  const forwarder = new ProgramForwarder({
    manager, slates, log,
    slateHoldMs: Number(process.env.LIVEHOST_SLATE_HOLD_MS ?? 300_000),
  });
  await forwarder.start();
  const loader = source;
  const gateway = await startGateway({
    ...config, logger: log,
    forwarder: {
      onLive: (room, rtmp, flv) => { void loader.load(room); forwarder.onLive(room, rtmp, flv); },
      onOffline: (room) => forwarder.onOffline(room),
      close: async () => {
        await forwarder.close();
        await loader.close();
        await Promise.all([redis.quit(), subscriber.quit()].map((p) => p.catch(() => undefined)));
      },
    },
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    // A stuck close must not keep an orchestrator waiting past its kill timeout.
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    gateway.close().then(() => process.exit(0), (err: unknown) => {
      log.error({ err }, 'stop failed');
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  pino({ name: 'stream-gateway' }).fatal({ err }, 'stream gateway failed to start');
  process.exit(1);
});
