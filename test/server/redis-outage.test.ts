import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenService } from '../../server/auth/token-service.js';
import { Backoff } from '../../render-bridge/client/backoff.js';
import { ServerClient } from '../../render-bridge/client/server-client.js';
import type { ServerToRenderHost } from '../../protocol/index.js';
import { freePort } from '../../stream-gateway/free-port.js';
import { startPart, type Part } from '../helpers/processes.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/redis-server.js';
import { TEST_JWT_SECRET, TEST_PUBLISH_SECRET } from '../helpers/server.js';
import { testPrefix } from '../helpers/redis.js';
import { TestClient } from '../helpers/ws-client.js';

type LogLine = { level: number; msg: string; redis?: string };
type Segment = Extract<ServerToRenderHost, { type: 'speech.segment' }>['segment'];

/**
 * Real server and workers processes on a redis-server of the test's own, which the test
 * kills and starts again: clients hear `unavailable` (not `internal`), the render host's
 * report of a line that went on air meanwhile reaches the room's operators once Redis is
 * back, and both logs hold one line per connection state change, no errors, no stacks.
 */
describe('a Redis outage under a running show', () => {
  let redis: PrivateRedis;
  let server: Part;
  let workers: Part;
  let base: string;
  let host: ServerClient;
  const hostFrames: ServerToRenderHost[] = [];
  const prefix = testPrefix('outage');
  let admin = '';

  const logLines = (part: Part): LogLine[] => part.output().split('\n').flatMap((l) => {
    try { return [JSON.parse(l) as LogLine]; } catch { return []; }
  });
  const until = async (what: string, cond: () => boolean | Promise<boolean>, ms = 20_000) => {
    for (const end = Date.now() + ms; !(await cond());) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const rest = (method: string, path: string, body?: object) => fetch(`${base}${path}`, {
    method, headers: { authorization: `Bearer ${admin}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
  });

  beforeAll(async () => {
    redis = await startPrivateRedis();
    const port = await freePort('127.0.0.1');
    base = `http://127.0.0.1:${port}`;
    const env = { REDIS_URL: redis.url, LIVEHOST_REDIS_PREFIX: prefix, LOG_LEVEL: 'info' };
    [server, workers] = await Promise.all([
      startPart('server/main.ts', {
        ...env, PORT: String(port), HOST: '127.0.0.1', LIVEHOST_JWT_SECRET: TEST_JWT_SECRET, LIVEHOST_PUBLISH_SECRET: TEST_PUBLISH_SECRET,
        LIVEHOST_HOST_TIMEOUT_S: '120',
      }, /Server listening/),
      startPart('workers/main.ts', { ...env, LIVEHOST_ANSWERS: 'kb' }, /workers ready/),
    ]);
    const conn = new Redis(redis.url);
    const tokens = new TokenService(TEST_JWT_SECRET, conn, prefix);
    admin = (await tokens.issue({ role: 'admin' })).token;
    const hostToken = (await tokens.issue({ role: 'render-host', hostId: 'h-outage' })).token;
    await conn.quit();
    host = new ServerClient({
      url: base.replace('http', 'ws'), token: hostToken,
      register: () => ({ capacity: 1, capabilities: { renderer: 'reference', resolutions: ['720p'], encoders: ['libx264'] } }),
      heartbeat: () => ({ rooms: [] }), onMessage: (m) => hostFrames.push(m), heartbeatMs: 1000,
      reportRetry: { backoff: () => new Backoff(100, 1000) },
    });
    host.start();
  }, 180_000);

  afterAll(async () => {
    await host?.stop();
    await Promise.all([workers?.stop(), server?.stop()]);
    await redis?.close();
  });

  it('tells clients unavailable, and reports a line that went on air meanwhile once Redis is back', async () => {
    await until('host registered', async () => ((await (await rest('GET', '/api/hosts')).json()) as { hosts: unknown[] }).hosts.length === 1);
    expect((await rest('POST', '/api/rooms', { id: 'outage-show' })).status).toBe(201);
    const ws = base.replace('http', 'ws');
    const operator = await TestClient.connect(`${ws}/ws/operator`, admin);
    operator.send({ type: 'room.subscribe', id: 'sub', room: 'outage-show' });
    await operator.next((f) => f.type === 'ack' && f.ref === 'sub');
    operator.send({ type: 'say', id: 'line', room: 'outage-show', text: 'Hello from before the outage.' });
    await operator.next((f) => f.type === 'ack' && f.ref === 'line');
    await until('the line reached the host', () => hostFrames.some((f) => f.type === 'speech.segment'));
    const line: Segment = hostFrames.flatMap((f) => (f.type === 'speech.segment' ? [f.segment] : []))[0]!;
    const botToken = ((await (await rest('POST', '/api/tokens', { role: 'bot', rooms: ['outage-show'] })).json()) as { token: string }).token;
    const bot = await TestClient.connect(`${ws}/ws/bot`, botToken);

    await redis.kill();
    bot.send({ type: 'question', id: 'q-down', user: { id: 'v1', name: 'Ana' }, text: 'Is anyone there?' });
    expect((await bot.next((f) => f.type === 'error' && f.ref === 'q-down', 15_000)).code).toBe('unavailable');
    const asked = await rest('POST', '/api/rooms/outage-show/questions', { user: { id: 'v2', name: 'Bo' }, text: 'Hello?' });
    expect(asked.status).toBe(503);
    expect(((await asked.json()) as { error: { code: string } }).error.code).toBe('unavailable');
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    // The line goes on air during the outage: its report is refused now, and sent again by the host until heard.
    host.send({ type: 'speech.started', room: 'outage-show', segmentId: line.segmentId, mediaTimeMs: 1234 });
    await until('both parts noticed', () => [server, workers].every((p) => p.output().includes('redis connection lost')));
    await new Promise((r) => setTimeout(r, 1500)); // refused resends, and reconnect attempts, pile up meanwhile

    await redis.start();
    await until('ready again', async () => (await fetch(`${base}/readyz`)).status === 200);
    const aired = await operator.next((f) => f.type === 'room.event' && (f.event as { kind: string }).kind === 'speech.started'
      && (f.event as { segmentId?: string }).segmentId === line.segmentId, 20_000);
    expect(aired.event).toMatchObject({ kind: 'speech.started', mediaTimeMs: 1234, hostId: 'h-outage' });
    bot.close();
    operator.close();

    for (const part of [server, workers]) {
      const said = (msg: string) => new Set(logLines(part).filter((l) => l.msg === msg).map((l) => l.redis));
      // Each connection comes back on its own retry schedule (ioredis backs off up to 2 s).
      await until('every connection restored', () => said('redis connection restored').size === said('redis connection lost; retrying').size);
      const lines = logLines(part);
      expect(lines.filter((l) => l.level >= 50).map((l) => l.msg)).toEqual([]);
      expect(part.output()).not.toMatch(/"stack"|\n\s+at /);
      const lost = lines.filter((l) => l.msg === 'redis connection lost; retrying');
      // One warning per connection, however many retries and refused commands the outage took.
      expect(lost.length).toBe(new Set(lost.map((l) => l.redis)).size);
      expect(lost.length).toBeGreaterThanOrEqual(2);
    }
  });
});
