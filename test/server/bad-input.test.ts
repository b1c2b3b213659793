import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_ROLES, INBOUND, CLOSE_CODES } from '../../protocol/index.js';
import { cleanup, startServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';

/** For each inbound message type, a frame that breaks its schema (a required field of the wrong type). */
function malformed(type: string): object {
  return { type, id: 'bad-1', room: 42, capacity: 'many', text: 7, user: 'nobody', command: { name: 'warp' }, rooms: 'x', ref: 9, segmentId: {}, mediaTimeMs: -5, questionId: 3, ok: 'yes', interrupted: 1, capabilities: null, stray: true };
}

describe('bad input never kills a connection or the process', () => {
  let srv: TestServer;
  const tokenFor = {} as Record<string, string>;
  beforeAll(async () => {
    srv = await startServer({ wsRatePerSecond: 50, wsBurst: 100 });
    await srv.core.rooms.create({ id: 'show' });
    tokenFor.operator = await srv.token({ role: 'operator', rooms: ['show'] });
    tokenFor['render-host'] = await srv.token({ role: 'render-host', hostId: 'h1' });
    tokenFor.bot = await srv.token({ role: 'bot', rooms: ['show'] });
  });
  afterAll(async () => cleanup(srv));

  for (const role of CLIENT_ROLES) {
    const types = (INBOUND[role] as unknown as { anyOf: Array<{ properties: { type: { const: string } } }> }).anyOf.map((m) => m.properties.type.const);
    it(`each ${role} message type with a schema violation gets invalid_message and the socket stays up`, async () => {
      const c = await TestClient.connect(`${srv.wsUrl}/ws/${role}`, tokenFor[role]);
      for (const [i, type] of types.entries()) {
        c.send({ ...malformed(type), id: `bad-${i}` });
        const err = await c.next((f) => f.type === 'error' && f.ref === `bad-${i}`);
        expect(err.code, type).toBe('invalid_message');
        expect(String(err.message)).toContain(type);
      }
      c.send({ type: 'ping', id: 'alive' });
      await c.next((f) => f.type === 'pong');
      c.close();
    });
  }

  it('invalid JSON, a non-object, a missing type and a binary frame each get an error frame', async () => {
    const c = await TestClient.connect(`${srv.wsUrl}/ws/operator`, tokenFor.operator);
    c.send('{"type": "ping", ');
    expect((await c.next((f) => f.type === 'error')).code).toBe('bad_json');
    c.send('[1,2,3]');
    c.send('{"id":"n1"}');
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await c.next(() => c.frames.filter((f) => f.type === 'error').length >= 4);
    expect(c.frames.filter((f) => f.type === 'error').map((f) => f.code)).toEqual(['bad_json', 'invalid_message', 'invalid_message', 'invalid_message']);
    c.send({ type: 'ping', id: 'alive' });
    await c.next((f) => f.type === 'pong');
    c.close();
  });

  it('a frame over 64 KiB closes that socket with 1009 and leaves other clients alone', async () => {
    const victim = await TestClient.connect(`${srv.wsUrl}/ws/operator`, tokenFor.operator);
    const bystander = await TestClient.connect(`${srv.wsUrl}/ws/operator`, tokenFor.operator);
    victim.send({ type: 'ping', id: 'big', pad: 'x'.repeat(70 * 1024) });
    expect((await victim.waitClose()).code).toBe(CLOSE_CODES.messageTooBig);
    bystander.send({ type: 'ping', id: 'ok' });
    await bystander.next((f) => f.type === 'pong');
    bystander.close();
  });

  it('a flood gets rate_limited error frames, then close 1008; the server keeps serving others', async () => {
    const flooder = await TestClient.connect(`${srv.wsUrl}/ws/operator`, tokenFor.operator);
    const calm = await TestClient.connect(`${srv.wsUrl}/ws/operator`, tokenFor.operator);
    for (let i = 0; i < 400; i++) flooder.send({ type: 'ping', id: `p${i}` });
    const closed = await flooder.waitClose();
    expect(closed.code).toBe(CLOSE_CODES.policyViolation);
    const limited = flooder.frames.filter((f) => f.type === 'error' && f.code === 'rate_limited');
    expect(limited.length).toBeGreaterThan(0);
    calm.send({ type: 'ping', id: 'calm' });
    await calm.next((f) => f.type === 'pong');
    calm.close();
  });

  it('a bad REST body gets a 400 with a code, an unknown route a 404', async () => {
    const auth = { authorization: `Bearer ${srv.adminToken}` };
    const bad = await srv.app.inject({ method: 'POST', url: '/api/rooms', headers: auth, payload: { id: 'UPPER/../x' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('invalid_message');
    const broken = await srv.app.inject({ method: 'POST', url: '/api/rooms', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"id":' });
    expect(broken.statusCode).toBe(400);
    const missing = await srv.app.inject({ method: 'GET', url: '/api/nothing', headers: auth });
    expect(missing.statusCode).toBe(404);
  });
});
