import Fastify, { type FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { httpErrors } from '../../server/http-errors.js';
import { TokenService } from '../../server/auth/token-service.js';
import type { ServerCore } from '../../server/core.js';
import { RoomStore } from '../../server/rooms/room-store.js';
import { loadConfig } from '../../server/config.js';
import { redisUrl, deletePrefix, testPrefix } from '../helpers/redis.js';
import { TEST_JWT_SECRET, TEST_PUBLISH_SECRET } from '../helpers/server.js';

/**
 * A Fastify app with the real auth, rooms and Redis the distribution routes use, and a
 * logger whose JSON lines the test reads (to prove stream keys never reach a log).
 * The app's error answers are the server's own (server/http-errors.ts).
 */
export interface RouteApp {
  app: FastifyInstance;
  core: ServerCore;
  prefix: string;
  logs: string[];
  admin: string;
  close(): Promise<void>;
}

export async function buildRouteApp(dataDir = './data'): Promise<RouteApp> {
  const prefix = testPrefix('dist');
  const logs: string[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => { logs.push(s); } });
  const app = Fastify({ loggerInstance: log });
  const redis = new Redis(redisUrl());
  const config = loadConfig({}, { redisUrl: redisUrl(), redisPrefix: prefix, jwtSecret: TEST_JWT_SECRET, publishSecret: TEST_PUBLISH_SECRET, dataDir, logLevel: 'debug' });
  const core = { config, redis, log, tokens: new TokenService(TEST_JWT_SECRET, redis, prefix), rooms: new RoomStore(redis, prefix) } as unknown as ServerCore;
  await app.register(httpErrors);
  const admin = (await core.tokens.issue({ role: 'admin' })).token;
  return {
    app: app as unknown as FastifyInstance, core, prefix, logs, admin,
    async close() {
      await app.close();
      await redis.quit();
      await deletePrefix(prefix);
    },
  };
}
