import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoomHost } from '../../protocol/index.js';
import { cleanup, startServer, type TestServer } from '../helpers/server.js';
import { testPrefix } from '../helpers/redis.js';
import { TestClient } from '../helpers/ws-client.js';
import { RelayedCommands } from '../../server/ws/relayed-commands.js';
import { FakeRenderHost } from './harness.js';

type Frame = Record<string, unknown> & { type: string };
const avatarEvent = (f: Frame) => f.type === 'room.event' && (f.event as { kind: string }).kind === 'avatar';

// What operators of one room see of each other and of their render host: two server
// instances on one Redis, the host on one of them, operators on both.
describe('what every operator of a room sees', () => {
  let a: TestServer;
  let b: TestServer;
  let host: FakeRenderHost;
  const prefix = testPrefix('roomviews');

  beforeAll(async () => {
    a = await startServer({}, prefix);
    b = await startServer({}, prefix);
    host = await FakeRenderHost.connect(b, 'host-7', { refuse: (c) => (c.name === 'camera' && c.camera === 'side' ? 'camera rig offline' : null) });
    await a.core.rooms.create({ id: 'shop', name: 'Shop' });
    await a.core.rooms.create({ id: 'secret-room', name: 'Another team' });
    await a.core.rooms.create({ id: 'waiting', name: 'No host yet' });
    await a.core.placement.place('shop');
    await a.core.placement.place('secret-room');
  });
  afterAll(async () => {
    host?.close();
    await cleanup(a, b);
  });

  const operator = async (srv: TestServer, token: string, room: string) => {
    const c = await TestClient.connect(`${srv.wsUrl}/ws/operator`, token);
    c.send({ type: 'room.subscribe', id: 'sub', room });
    await c.next((f) => f.type === 'ack' && f.ref === 'sub');
    return c;
  };

  it('an avatar change one operator makes reaches every operator of the room once the render host acknowledges it', async () => {
    const first = await a.token({ role: 'operator', rooms: ['shop'] });
    const x = await operator(a, first, 'shop');
    const y = await operator(b, await a.token({ role: 'operator', rooms: ['shop'] }), 'shop');
    try {
      x.send({ type: 'command', id: 'c1', room: 'shop', command: { name: 'scene', scene: 'beach' } });
      const ack = await x.next((f) => f.type === 'command.ack' && f.ref === 'c1');
      expect(ack).toMatchObject({ ok: true, hostId: 'host-7' });
      const seen = await y.next(avatarEvent);
      const { tokenId } = (await a.core.tokens.verify(first));
      expect(seen).toMatchObject({ room: 'shop', event: { kind: 'avatar', command: { name: 'scene', scene: 'beach' }, by: tokenId, hostId: 'host-7' } });
      // The sender hears it too (the same room event): every console folds the same stream.
      expect(await x.next(avatarEvent)).toMatchObject({ event: { command: { name: 'scene', scene: 'beach' } } });
    } finally {
      x.close();
      y.close();
    }
  });

  it('a command the render host refuses is told to its sender only', async () => {
    // The sender on the host's own instance this time: its commands wait in that process, not in Redis.
    const x = await operator(b, await a.token({ role: 'operator', rooms: ['shop'] }), 'shop');
    const y = await operator(a, await a.token({ role: 'operator', rooms: ['shop'] }), 'shop');
    try {
      x.send({ type: 'command', id: 'no', room: 'shop', command: { name: 'camera', camera: 'side' } });
      expect(await x.next((f) => f.type === 'command.ack' && f.ref === 'no')).toMatchObject({ ok: false, error: 'camera rig offline' });
      // A command acknowledged after it: once its change has arrived, the refused one would have too.
      x.send({ type: 'command', id: 'yes', room: 'shop', command: { name: 'caption', text: 'Free shipping today' } });
      await y.next((f) => avatarEvent(f) && (f.event as { command: { name: string } }).command.name === 'caption');
      const changes = y.frames.filter(avatarEvent).map((f) => (f.event as { command: { name: string } }).command.name);
      expect(changes).toEqual(['caption']);
    } finally {
      x.close();
      y.close();
    }
  });

  it('a relayed command whose ack never comes is forgotten after its time, wherever it waited', async () => {
    let now = 1_000_000;
    const relayed = new RelayedCommands(a.core.redis, prefix, 24_000, () => now);
    const sent = { room: 'shop', command: { name: 'scene', scene: 'park' } as const, by: 'tok-1' };
    await relayed.remember('c-here', sent, true);
    await relayed.remember('c-there', sent, false);
    expect(await relayed.take('c-here')).toEqual(sent);
    expect(await relayed.take('c-here')).toBeNull();
    expect(await relayed.take('c-there')).toEqual(sent);
    expect(await relayed.take('c-there')).toBeNull();
    await relayed.remember('late', sent, true);
    now += 24_001;
    expect(await relayed.take('late')).toBeNull();
    expect(await a.core.redis.pttl(`${prefix}:relayed:never`)).toBe(-2);
    await relayed.remember('never', sent, false);
    const ttl = await a.core.redis.pttl(`${prefix}:relayed:never`);
    expect(ttl).toBeGreaterThan(20_000);
    expect(ttl).toBeLessThanOrEqual(24_000);
  });

  it("an operator reads its room's render host: id, fps, cpu and its last heartbeat on the server's clock", async () => {
    const token = await a.token({ role: 'operator', rooms: ['shop'] });
    const read = async () => {
      const res = await a.app.inject({ method: 'GET', url: '/api/rooms/shop/host', headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode).toBe(200);
      return res.json<RoomHost>();
    };
    // The fake host's heartbeat (every 2 s) says fps 30, cpu 0.25.
    await expect.poll(async () => (await read()).host?.fps, { timeout: 20_000, interval: 200 }).toBe(30);
    const { host: seen, serverTime } = await read();
    expect(seen).toMatchObject({ hostId: 'host-7', fps: 30, cpu: 0.25, capacity: 8, roomCount: 2, suspect: false, capabilities: { renderer: 'reference', encoders: ['libx264'] } });
    expect(serverTime - seen!.lastSeen).toBeGreaterThanOrEqual(0);
    expect(serverTime - seen!.lastSeen).toBeLessThan(15_000);
    // Which other rooms the host renders is not this operator's business.
    expect(JSON.stringify(seen)).not.toContain('secret-room');
  });

  it('a room waiting for a host reads no host; other rooms, bots and viewers are refused', async () => {
    const waitingOp = await a.token({ role: 'operator', rooms: ['waiting'] });
    const none = await a.app.inject({ method: 'GET', url: '/api/rooms/waiting/host', headers: { authorization: `Bearer ${waitingOp}` } });
    expect(none.statusCode).toBe(200);
    expect(none.json<RoomHost>().host).toBeNull();
    const refused = async (token: string | null, url = '/api/rooms/shop/host') =>
      (await a.app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} })).statusCode;
    expect(await refused(waitingOp)).toBe(403);
    expect(await refused(await a.token({ role: 'bot', rooms: ['shop'] }))).toBe(403);
    expect(await refused(await a.token({ role: 'viewer', rooms: ['shop'] }))).toBe(403);
    expect(await refused(null)).toBe(401);
    expect(await refused(a.adminToken, '/api/rooms/no-such-room/host')).toBe(404);
  });
});
