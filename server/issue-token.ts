// Issues a token from the command line (the bootstrap uses it for the admin and the local
// render host). Prints {"token","info"} as JSON on stdout; nothing else goes to stdout.
import { parseArgs } from 'node:util';
import { createRedis } from '../protocol/redis-connection.js';
import type { IssueTokenBody, Role } from '../protocol/index.js';
import { loadConfig } from './config.js';
import { TokenService } from './auth/token-service.js';

const { values } = parseArgs({
  options: {
    role: { type: 'string' }, room: { type: 'string', multiple: true }, 'host-id': { type: 'string' },
    label: { type: 'string' }, ttl: { type: 'string' },
  },
});
const config = loadConfig();
const redis = createRedis(config.redisUrl);
try {
  const body: IssueTokenBody = {
    role: (values.role ?? 'admin') as Role,
    ...(values.room ? { rooms: values.room } : {}),
    ...(values['host-id'] ? { hostId: values['host-id'] } : {}),
    ...(values.label ? { label: values.label } : {}),
    ...(values.ttl ? { ttlSeconds: Number(values.ttl) } : {}),
  };
  const issued = await new TokenService(config.jwtSecret, redis, config.redisPrefix).issue(body);
  process.stdout.write(`${JSON.stringify(issued)}\n`);
} finally {
  await redis.quit();
}
