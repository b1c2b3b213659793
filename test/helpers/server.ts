import type { AddressInfo } from 'node:net';
import { buildApp, type BuiltApp } from '../../server/app.js';
import { loadConfig, type Config } from '../../server/config.js';
import type { IssueTokenBody } from '../../protocol/index.js';
import type { Clock } from '../../server/show/clock.js';
import { deletePrefix, redisUrl, testPrefix } from './redis.js';

export const TEST_JWT_SECRET = 'test-jwt-secret-0123456789abcdefghijklmnop';
export const TEST_PUBLISH_SECRET = 'test-publish-secret-0123456789abcdefghijkl';

export interface TestServer extends BuiltApp {
  url: string;
  wsUrl: string;
  prefix: string;
  token(body: IssueTokenBody): Promise<string>;
  adminToken: string;
  close(): Promise<void>;
}

/** A real server instance on a random port against real Redis, with its own key prefix. */
export async function startServer(overrides: Partial<Config> = {}, prefix = testPrefix('srv'), opts: { clock?: Clock } = {}): Promise<TestServer> {
  const config = loadConfig({}, {
    port: 0, redisUrl: redisUrl(), redisPrefix: prefix, jwtSecret: TEST_JWT_SECRET, publishSecret: TEST_PUBLISH_SECRET,
    logLevel: (process.env.DBG ? 'error' : 'silent'), drainMs: 0, ...overrides,
  });
  const built = await buildApp(config, opts);
  await built.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = built.app.server.address() as AddressInfo;
  const token = async (body: IssueTokenBody) => (await built.core.tokens.issue(body)).token;
  return {
    ...built, prefix, token,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    adminToken: await token({ role: 'admin' }),
    close: async () => {
      await built.app.close();
    },
  };
}

export async function cleanup(...servers: TestServer[]): Promise<void> {
  await Promise.all(servers.map((s) => s.close().catch(() => undefined)));
  const prefixes = new Set(servers.map((s) => s.prefix));
  await Promise.all([...prefixes].map((p) => deletePrefix(p)));
}
