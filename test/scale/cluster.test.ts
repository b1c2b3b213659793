import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from '../../protocol/redis-connection.js';
import { showKeys } from '../../server/show/show-keys.js';
import { freePort } from '../../stream-gateway/free-port.js';
import { startLocalCluster, type LocalCluster } from '../../scripts/local-redis/cluster.js';
import { startServer, TEST_JWT_SECRET, TEST_PUBLISH_SECRET, type TestServer } from '../helpers/server.js';
import { testPrefix } from '../helpers/redis.js';
import { startPart, type Part } from '../helpers/processes.js';
import { TestClient } from '../helpers/ws-client.js';
import { FakeHost } from '../helpers/fake-host.js';

const caps = { renderer: 'reference', resolutions: ['720p'], encoders: ['libx264'] };

// The same code as on one Redis, on a local three-primary Redis Cluster (Debian's
// redis-server in cluster mode): only REDIS_URL differs. Every multi-key command, script
// and transaction the flows below use must stay on one slot, or the cluster refuses it.
describe('on a three-primary Redis Cluster', () => {
  let cluster: LocalCluster;
  const servers: TestServer[] = [];
  const clients: Array<{ close(): void }> = [];
  const parts: Part[] = [];
  let dir: string;

  beforeAll(async () => {
    cluster = await startLocalCluster({ primaries: 3 });
    dir = mkdtempSync(path.join(tmpdir(), 'livehost-cluster-flows-'));
  }, 90_000);

  afterAll(async () => {
    clients.forEach((c) => c.close());
    for (const p of parts.reverse()) await p.stop('SIGKILL');
    await Promise.all(servers.map((s) => s.close().catch(() => undefined)));
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  const server = async (prefix: string, overrides = {}) => {
    const s = await startServer({ redisUrl: cluster.url, ...overrides }, prefix);
    servers.push(s);
    return s;
  };

  it('spreads its keys over all three primaries', async () => {
    const a = await server(testPrefix('cl-spread'));
    for (let i = 0; i < 30; i++) await a.core.rooms.create({ id: `r${i}` });
    const counts = await Promise.all(cluster.primaries.map(async (n) => {
      const c = n.client();
      try {
        return Number(await c.dbsize());
      } finally {
        c.disconnect();
      }
    }));
    expect(counts.every((n) => n > 0)).toBe(true);
  });

  it('relays commands and acks between two instances, and a host resumes on the other one with what it missed', async () => {
    const a = await server(testPrefix('cl-relay'));
    const b = await server(a.prefix);
    const hostToken = await a.token({ role: 'render-host', hostId: 'gpu-1' });
    const host = await TestClient.connect(`${b.wsUrl}/ws/render-host`, hostToken);
    clients.push(host);
    host.send({ type: 'host.register', id: 'r1', capacity: 2, capabilities: caps });
    await host.next((f) => f.type === 'ack' && f.ref === 'r1');
    await a.core.rooms.create({ id: 'show' });
    expect(await a.core.placement.place('show')).toBe('gpu-1');
    await host.next((f) => f.type === 'room.assign');

    const op = await TestClient.connect(`${a.wsUrl}/ws/operator`, await a.token({ role: 'operator', rooms: ['show'] }));
    clients.push(op);
    for (let i = 0; i < 5; i++) op.send({ type: 'command', id: `c${i}`, room: 'show', command: { name: 'caption', text: `line ${i}` } });
    for (let i = 0; i < 5; i++) {
      const cmd = await host.next((f) => f.type === 'command' && (f.command as { text: string }).text === `line ${i}`);
      host.send({ type: 'command.ack', id: `a${i}`, ref: cmd.commandId, room: 'show', ok: true });
    }
    await op.next((f) => f.type === 'command.ack' && f.ref === 'c4');
    expect(op.frames.filter((f) => f.type === 'command.ack').map((f) => f.ref)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);

    // The host drops; what is sent meanwhile waits in its session's outbox (on the cluster).
    const sessionId = String(host.welcome.sessionId);
    const lastSeq = Math.max(...host.frames.map((f) => Number(f.seq ?? 0)));
    host.ws.terminate();
    await host.waitClose();
    for (let i = 5; i < 8; i++) op.send({ type: 'command', id: `c${i}`, room: 'show', command: { name: 'caption', text: `line ${i}` } });
    // The commands were accepted (the operator hears no error) before the host comes back.
    const marker = 'after';
    op.send({ type: 'ping', id: marker });
    await op.next((f) => f.type === 'pong' && f.ref === marker);
    const back = await TestClient.connect(`${a.wsUrl}/ws/render-host`, hostToken, { session: sessionId, lastSeq });
    clients.push(back);
    expect(back.welcome).toMatchObject({ resumed: true, sessionId });
    for (let i = 5; i < 8; i++) await back.next((f) => f.type === 'command' && (f.command as { text: string }).text === `line ${i}`);
    const texts = back.frames.filter((f) => f.type === 'command').map((f) => (f.command as { text: string }).text);
    expect(texts).toEqual(['line 5', 'line 6', 'line 7']);
    const seqs = back.frames.filter((f) => f.seq !== undefined).map((f) => Number(f.seq));
    expect(seqs[0]).toBe(lastSeq + 1);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
  }, 60_000);

  it('three instances placing rooms at once place each room once, within every host\'s capacity', async () => {
    const a = await server(testPrefix('cl-place'));
    const b = await server(a.prefix);
    const c = await server(a.prefix);
    const instances = [a, b, c];
    const hosts: TestClient[] = [];
    for (let i = 0; i < 6; i++) {
      const h = await TestClient.connect(`${instances[i % 3]!.wsUrl}/ws/render-host`, await a.token({ role: 'render-host', hostId: `h${i}` }));
      clients.push(h);
      h.send({ type: 'host.register', id: 'r', capacity: 10, capabilities: caps });
      await h.next((f) => f.type === 'ack' && f.ref === 'r');
      hosts.push(h);
    }
    const rooms = Array.from({ length: 60 }, (_, i) => `room-${String(i).padStart(2, '0')}`);
    for (const r of rooms) await a.core.rooms.create({ id: r });
    await Promise.all(rooms.map((r, i) => instances[i % 3]!.core.placement.place(r)));
    const assigned = new Map<string, string[]>();
    for (const [i, h] of hosts.entries()) {
      // Each host got exactly its share: ten rooms (60 over 6 hosts, most free capacity first).
      for (let n = 0; n < 10; n++) await h.next((f) => f.type === 'room.assign' && h.frames.filter((g) => g.type === 'room.assign').length > n);
      for (const f of h.frames.filter((g) => g.type === 'room.assign')) assigned.set(String(f.room), [...(assigned.get(String(f.room)) ?? []), `h${i}`]);
    }
    expect([...assigned.keys()].sort()).toEqual(rooms);
    expect([...assigned.values()].every((list) => list.length === 1)).toBe(true);
    const view = await b.core.placement.hosts();
    expect(view.map((h) => h.rooms.length)).toEqual([10, 10, 10, 10, 10, 10]);
    expect(await c.core.placement.waitingRooms()).toEqual([]);
  }, 90_000);

  it('a show goes on when the instance directing it is killed, and a question is answered on air through the workers', async () => {
    const b = await server(testPrefix('cl-show'), { directorLeaseMs: 3000 });
    const env = {
      REDIS_URL: cluster.url, LIVEHOST_REDIS_PREFIX: b.prefix, LIVEHOST_DATA_DIR: dir,
      LIVEHOST_JWT_SECRET: TEST_JWT_SECRET, LIVEHOST_PUBLISH_SECRET: TEST_PUBLISH_SECRET,
    };
    const workers = await startPart('workers/main.ts', { ...env, LIVEHOST_ANSWERS: 'kb' }, /workers ready/, 90_000);
    parts.push(workers);
    const a = await startPart('server/main.ts', { ...env, PORT: String(await freePort('127.0.0.1')), LIVEHOST_DIRECTOR_LEASE_MS: '3000' }, /listening/, 90_000);
    parts.push(a);
    const auth = { authorization: `Bearer ${b.adminToken}` };
    // The process instance takes the room first: the in-process one yields it the lease.
    await b.core.show.close();
    expect((await b.app.inject({ method: 'POST', url: '/api/rooms', headers: auth, payload: { id: 'show', name: 'Show' } })).statusCode).toBe(201);
    await b.core.rooms.putKb('show', { qa: [{ question: 'What is on today?', answer: 'Today we test the cluster.' }], facts: [] });
    const redis = createRedis(cluster.url);
    try {
      const owner = () => redis.get(showKeys(b.prefix, 'show').lease);
      for (let i = 0; i < 400 && !(await owner()); i++) await new Promise((r) => setTimeout(r, 50));
      expect(await owner()).toMatch(/^srv-/);
      await b.core.show.start();

      const texts = ['Line one of the loop.', 'Line two of the loop.', 'Line three of the loop.'];
      const put = await b.app.inject({
        method: 'PUT', url: '/api/rooms/show/rundown', headers: auth,
        payload: { version: 0, segments: [{ id: 'loop', title: 'Loop', plannedMs: 60_000, start: { rule: 'follow' }, loop: true, items: texts.map((text) => ({ kind: 'line', text })) }] },
      });
      expect(put.statusCode).toBe(200);
      const host = await FakeHost.connect(b.wsUrl, await b.token({ role: 'render-host', hostId: 'h1' }), { playMs: () => 400 });
      clients.push(host);
      for (let i = 0; i < 400; i++) {
        const prepared = await redis.hvals(showKeys(b.prefix, 'show').prepared);
        if (prepared.length === 3 && prepared.every((p) => JSON.parse(p).status === 'ready')) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect((await b.app.inject({ method: 'POST', url: '/api/rooms/show/show', headers: auth, payload: { name: 'show.go' } })).statusCode).toBe(200);
      await host.waitPlayed(3, 60_000);

      a.child.kill('SIGKILL');
      const before = host.played.length;
      await host.waitPlayed(before + 4, 60_000);
      expect(await owner()).toBe(b.core.instanceId);
      const loop = host.played.filter((p) => p.priority === 'script').map((p) => p.text);
      loop.forEach((t, i) => expect(t).toBe(texts[i % 3]));

      // A viewer's question: qa and tts jobs through BullMQ on the cluster, aired by the new owner.
      const bot = await TestClient.connect(`${b.wsUrl}/ws/bot`, await b.token({ role: 'bot', rooms: ['show'] }));
      clients.push(bot);
      bot.send({ type: 'question', id: 'q1', user: { id: 'v1', name: 'Ana' }, text: 'What is on today?' });
      const answered = await bot.next((f) => f.type === 'question.answered', 120_000).catch((err: Error) => {
        throw new Error(`${err.message}\nplayed: ${JSON.stringify(host.texts())}\nworkers: ${workers.output().slice(-3000)}`);
      });
      expect(answered).toMatchObject({ text: 'Today we test the cluster.' });
      expect(host.played.some((p) => p.text === 'Today we test the cluster.' && p.endedAt !== null)).toBe(true);
    } finally {
      redis.disconnect();
    }
  }, 240_000);
});
