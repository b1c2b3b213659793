import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Backoff } from '../render-bridge/client/backoff.js';
import { ServerClient } from '../render-bridge/client/server-client.js';
import { RenderHost } from '../render-bridge/host/render-host.js';
import { silentLogger } from '../render-bridge/log.js';
import type { RoomFactory } from '../render-bridge/room/room-handle.js';
import { TokenService } from '../server/auth/token-service.js';
import { freePort } from '../stream-gateway/free-port.js';
import { repoRoot } from '../test/helpers/processes.js';
import { TEST_JWT_SECRET, TEST_PUBLISH_SECRET } from '../test/helpers/server.js';
import { TestClient } from '../test/helpers/ws-client.js';
// @ts-expect-error -- plain ESM with no type declarations (it runs before dependencies exist)
import { Supervisor } from './supervisor.mjs';

interface SupervisorLike {
  spawnChild(name: string, cmd: string, args: string[], o: object): unknown;
  pid(name: string): number | null;
  stopAll(): Promise<void>;
}

/** A room that "plays" each line at once: started, then finished, without pixels or ffmpeg. */
const instantRooms: RoomFactory = {
  create(a, events) {
    return {
      room: a.room,
      update() {},
      enqueue(s) {
        events.speechStarted(a.room, s.segmentId, 0);
        setTimeout(() => events.speechFinished(a.room, s.segmentId, 50, false), 50);
      },
      async command() {},
      fps: () => 30,
      close: async () => {},
    };
  },
};

const tcpAnswers = (port: number) => new Promise<boolean>((resolve) => {
  const s = connect(port, '127.0.0.1', () => { s.end(); resolve(true); });
  s.on('error', () => resolve(false));
});

/**
 * The supervisor with the real components (redis-server with its AOF, gateway, server,
 * workers) on free ports and a data directory of its own; the render host is the real
 * host agent in this process, minus the renderer. Each component is killed with -9 in
 * turn and must come back by itself and serve again: ready, and a bot's question answered.
 */
describe('npm start heals itself', () => {
  const lines: string[] = [];
  let supervisor: SupervisorLike;
  let dataDir = '';
  let base = '';
  let gatewayHttp = 0;
  let redisUrl = '';
  let admin = '';
  let bot = '';
  let host: ServerClient;
  const prefix = 'lhsup';

  const until = async (what: string, cond: () => boolean | Promise<boolean>, ms = 30_000) => {
    for (const end = Date.now() + ms; !(await Promise.resolve().then(cond).catch(() => false));) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${lines.slice(-30).join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const ready = async () => {
    try {
      return (await fetch(`${base}/readyz`)).status === 200;
    } catch {
      return false;
    }
  };
  let asked = 0;
  /** A bot's question, answered: the whole pipeline (server, workers, Redis, host) works. */
  const askAndHear = async () => {
    asked += 1;
    const client = await TestClient.connect(`${base.replace('http', 'ws')}/ws/bot`, bot);
    try {
      const text = ['How much do they cost?', 'What sizes are there?', 'How long does shipping take?', 'Can I return them?', 'What colors are there?'][asked % 5]!;
      client.send({ type: 'question', id: `q${asked}`, user: { id: `viewer-${asked}`, name: 'Ana' }, text });
      const ack = await client.next((f) => f.type === 'question.ack' && f.ref === `q${asked}`, 15_000);
      await client.next((f) => f.type === 'question.answered' && f.questionId === ack.questionId, 30_000);
    } finally {
      client.close();
    }
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'livehost-supervised-'));
    const [port, redisPort, rtmp, http] = await Promise.all([freePort('127.0.0.1'), freePort('127.0.0.1'), freePort('127.0.0.1'), freePort('127.0.0.1')]);
    base = `http://127.0.0.1:${port}`;
    gatewayHttp = http;
    redisUrl = `redis://127.0.0.1:${redisPort}`;
    supervisor = new Supervisor({ log: (l: string) => lines.push(`[supervisor] ${l}`), out: { write: (l: string) => lines.push(l.trimEnd()) }, restartBaseMs: 200 }) as SupervisorLike;
    supervisor.spawnChild('redis', 'redis-server', [
      '--port', String(redisPort), '--bind', '127.0.0.1', '--dir', dataDir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '',
    ], { stopOrder: 1 });
    const env = {
      ...process.env, REDIS_URL: redisUrl, LIVEHOST_REDIS_PREFIX: prefix, LIVEHOST_DATA_DIR: dataDir, LOG_LEVEL: 'info',
      LIVEHOST_JWT_SECRET: TEST_JWT_SECRET, LIVEHOST_PUBLISH_SECRET: TEST_PUBLISH_SECRET, PORT: String(port), HOST: '127.0.0.1',
      LIVEHOST_RTMP_PORT: String(rtmp), LIVEHOST_GATEWAY_HTTP_PORT: String(http), LIVEHOST_GATEWAY_HOST: '127.0.0.1',
      LIVEHOST_RTMP_URL: `rtmp://127.0.0.1:${rtmp}/live`, LIVEHOST_ANSWERS: 'kb', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    for (const [name, entry] of [['gateway', 'stream-gateway/main.ts'], ['server', 'server/main.ts'], ['workers', 'workers/main.ts']]) {
      supervisor.spawnChild(name!, process.execPath, ['--import', 'tsx', entry!], { env, cwd: repoRoot });
    }
    await until('the server is ready', ready, 150_000);

    const redis = new Redis(redisUrl);
    const tokens = new TokenService(TEST_JWT_SECRET, redis, prefix);
    admin = (await tokens.issue({ role: 'admin' })).token;
    bot = (await tokens.issue({ role: 'bot', rooms: ['healing'] })).token;
    const hostToken = (await tokens.issue({ role: 'render-host', hostId: 'local-1' })).token;
    await redis.quit();
    const sender: { client: ServerClient | null } = { client: null };
    const agent = new RenderHost({
      capacity: 1, capabilities: { renderer: 'reference', resolutions: ['720p'], encoders: ['libx264'] },
      factory: instantRooms, send: (m) => sender.client?.send(m), log: silentLogger,
    });
    host = new ServerClient({
      url: base.replace('http', 'ws'), token: hostToken, register: () => agent.registration(), heartbeat: () => agent.heartbeat(),
      onMessage: (m) => agent.handle(m), heartbeatMs: 1000, backoff: new Backoff(100, 1000),
    });
    sender.client = host;
    host.start();
    const headers = { authorization: `Bearer ${admin}`, 'content-type': 'application/json' };
    const demo = JSON.parse(await readFile(path.join(repoRoot, 'scripts/demo-room.json'), 'utf8')) as { kb: unknown };
    expect((await fetch(`${base}/api/rooms`, { method: 'POST', headers, body: JSON.stringify({ id: 'healing', name: 'Healing' }) })).status).toBe(201);
    expect((await fetch(`${base}/api/rooms/healing/kb`, { method: 'PUT', headers, body: JSON.stringify(demo.kb) })).status).toBe(200);
  }, 180_000);

  afterAll(async () => {
    await host?.stop();
    await supervisor?.stopAll();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serves before any fault', async () => {
    await askAndHear();
  }, 60_000);

  for (const name of ['workers', 'server', 'gateway', 'redis']) {
    it(`a kill -9 of the ${name} is restarted, and the show serves again`, async () => {
      const before = supervisor.pid(name);
      expect(before).toBeGreaterThan(0);
      process.kill(before!, 'SIGKILL');
      await until(`${name} restarted`, () => (supervisor.pid(name) ?? before) !== before);
      expect(lines.join('\n')).toMatch(new RegExp(`${name} exited unexpectedly \\(signal SIGKILL\\) after [\\d.]+ s; restarting in [\\d.]+ s`));
      if (name === 'gateway') await until('the gateway listens', () => tcpAnswers(gatewayHttp));
      await until('ready', ready);
      await askAndHear();
    }, 90_000);
  }

  it('stops every child, Redis last, when asked', async () => {
    const pids = ['gateway', 'server', 'workers', 'redis'].map((n) => supervisor.pid(n)!);
    await host.stop();
    await supervisor.stopAll();
    for (const pid of pids) expect(() => process.kill(pid, 0), `pid ${pid}`).toThrow();
    expect(lines.filter((l) => l.includes('exited unexpectedly'))).toHaveLength(4);
  }, 30_000);
});
