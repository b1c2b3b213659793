import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, startServer, type TestServer } from '../helpers/server.js';
import { testPrefix } from '../helpers/redis.js';
import { redisKeys } from '../../protocol/index.js';
import { TestClient } from '../helpers/ws-client.js';

const kindOf = (f: object) => ((f as { event?: unknown }).event as { kind?: string } | undefined)?.kind;

describe('room settings, kept by each instance', () => {
  const servers: TestServer[] = [];
  const clients: TestClient[] = [];
  afterEach(async () => {
    clients.splice(0).forEach((c) => c.close());
    await cleanup(...servers.splice(0));
  });

  /** Two instances on one Redis and a room `r`, made on b, whose reads are counted: a's announcement of it could come after b's first read. */
  async function twoInstancesWithRoom(name: string) {
    const prefix = testPrefix(name);
    const a = await startServer({}, prefix);
    const b = await startServer({}, prefix);
    servers.push(a, b);
    await b.core.rooms.create({ id: 'r' });
    return { prefix, a, b };
  }

  it('chat lines read a room\'s settings once, not once a line, and an edit through another instance\'s REST route takes effect on the next line', async () => {
    const { prefix, a, b } = await twoInstancesWithRoom('roomcache');
    const op = await TestClient.connect(`${b.wsUrl}/ws/operator`, b.adminToken);
    const bot = await TestClient.connect(`${b.wsUrl}/ws/bot`, await b.token({ role: 'bot', rooms: ['r'] }));
    clients.push(op, bot);
    op.send({ type: 'room.subscribe', id: 's', room: 'r' });
    await op.next((f) => f.type === 'ack' && f.ref === 's');

    const roomReads = vi.spyOn(b.core.redis, 'hget');
    const readsOfRooms = () => roomReads.mock.calls.filter(([key]) => key === `${prefix}:rooms`).length;
    const chat = async (n: number, text: string) => {
      bot.send({ type: 'chat', id: `c${n}`, user: { id: `viewer-${n}`, name: `Viewer ${n}` }, text });
      await bot.next((f) => f.type === 'ack' && f.ref === `c${n}`);
    };
    for (let n = 1; n <= 10; n++) await chat(n, `the casino scene was great ${n}`);
    expect(op.frames.filter((f) => kindOf(f) === 'chat')).toHaveLength(10);
    // One read for ten lines; a machine slow enough to take over 5 s for them refreshes the copy once or twice.
    expect(readsOfRooms()).toBeLessThanOrEqual(3);

    const patched = await a.app.inject({
      method: 'PATCH', url: '/api/rooms/r', headers: { authorization: `Bearer ${a.adminToken}` }, payload: { blocklist: ['casino'] },
    });
    expect(patched.statusCode).toBe(200);
    // The announcement travels on the bus; it is there well before the copy's 5 s would run out.
    await vi.waitFor(async () => {
      expect((await b.core.rooms.get('r')).blocklist).toEqual(['casino']);
    }, { timeout: 4000, interval: 20 });
    await chat(11, 'the casino scene again');
    const rejected = await op.next((f) => kindOf(f) === 'rejected');
    expect(rejected.event).toMatchObject({ kind: 'rejected', reason: 'blocklist', text: 'the casino scene again' });
    expect(op.frames.filter((f) => kindOf(f) === 'chat')).toHaveLength(10);
  });

  it('creating, editing and deleting a room each announce it (a room made again under a deleted id is never served stale)', async () => {
    const a = await startServer();
    servers.push(a);
    const announced: string[] = [];
    const publish = a.core.rooms.announce;
    a.core.rooms.announce = (room) => { announced.push(room); publish(room); };
    await a.core.rooms.create({ id: 'again', name: 'First' });
    await a.core.rooms.update('again', { name: 'Edited' });
    await a.core.rooms.delete('again');
    expect(announced).toEqual(['again', 'again', 'again']);
    await a.core.rooms.create({ id: 'again', name: 'Second' });
    expect((await a.core.rooms.get('again')).name).toBe('Second');
  });

  it('the knowledge base is read once for many questions, and one stored through another instance is the next one used', async () => {
    const { prefix, a, b } = await twoInstancesWithRoom('kbcache');
    const gets = vi.spyOn(b.core.redis, 'get');
    const kbKey = redisKeys(prefix).kb('r');
    const kbReads = () => gets.mock.calls.filter(([key]) => key === kbKey).length;
    for (let i = 0; i < 5; i++) expect(JSON.parse(await b.core.rooms.getKbRaw('r'))).toEqual({ qa: [], facts: [] });
    expect(kbReads()).toBe(1);
    const kb = { qa: [{ question: 'Do you ship abroad?', answer: 'Yes, to 40 countries.' }], facts: [] };
    const put = await a.app.inject({ method: 'PUT', url: '/api/rooms/r/kb', headers: { authorization: `Bearer ${a.adminToken}` }, payload: kb });
    expect(put.statusCode).toBeLessThan(300);
    await vi.waitFor(async () => expect(JSON.parse(await b.core.rooms.getKbRaw('r'))).toEqual(kb), { timeout: 4000, interval: 20 });
  });

  it('a copy is shared and frozen: a caller cannot change it for the others', async () => {
    const a = await startServer();
    servers.push(a);
    await a.core.rooms.create({ id: 'r', blocklist: ['x'] });
    const room = await a.core.rooms.get('r');
    expect(() => { (room as { name: string }).name = 'changed'; }).toThrow(TypeError);
    expect(() => { (room.blocklist as string[]).push('y'); }).toThrow(TypeError);
    expect((await a.core.rooms.get('r')).blocklist).toEqual(['x']);
  });
});
