import { pino } from 'pino';
import { loadGatewayConfig } from './config.js';
import { startGateway } from './gateway.js';
import { secretKeyFromEnv } from '../protocol/secret-box.js';
import { startDistribution } from './distribution.js';

/** Entry point: `tsx stream-gateway/main.ts`. Stops cleanly on SIGTERM / SIGINT. */
async function main(): Promise<void> {
  const bootLog = pino({ name: 'stream-gateway', level: process.env.LOG_LEVEL ?? 'info' });
  let config;
  try {
    config = loadGatewayConfig();
  } catch (err) {
    bootLog.fatal((err as Error).message);
    process.exit(78); // EX_CONFIG (sysexits.h): the supervisor does not restart what a setting broke
  }
  const log = pino({ name: 'stream-gateway', level: config.logLevel });
  // Distribution: destinations from Redis (server REST), forwarded from a per-room program
  // feed that falls back to a slate, so the outgoing stream outlives a dropped publisher;
  // shows recorded; timed metadata to IVS; metrics on /metrics (and CloudWatch).
  const dist = await startDistribution({
    ...config, log, secretKey: secretKeyFromEnv(process.env, config.publishSecret),
    cloudwatchNamespace: config.cloudwatchNamespace || undefined,
  });
  const gateway = await startGateway({ ...config, logger: log, forwarder: dist.forwarder, httpRoutes: dist.httpRoutes, ingestTap: dist.ingestTap });

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
