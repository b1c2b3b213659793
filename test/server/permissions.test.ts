import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../protocol/index.js';
import { CLIENT_ROLES, INBOUND } from '../../protocol/index.js';
import { cleanup, startServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';

type Who = Role | 'anonymous';
const WHO: Who[] = ['admin', 'operator', 'render-host', 'bot', 'viewer', 'anonymous'];

/** The expected matrix, written out by hand: a route's allowed roles (room 'show' in scope). */
const ROUTES: Array<{ method: string; url: string; body?: unknown; allowed: Who[] }> = [
  { method: 'POST', url: '/api/rooms', body: { id: 'made-by-test' }, allowed: ['admin'] },
  { method: 'GET', url: '/api/rooms', allowed: ['admin', 'operator', 'viewer'] },
  { method: 'GET', url: '/api/rooms/show', allowed: ['admin', 'operator', 'viewer', 'bot'] },
  { method: 'PATCH', url: '/api/rooms/show', body: { name: 'Renamed' }, allowed: ['admin', 'operator'] },
  { method: 'GET', url: '/api/rooms/show/kb', allowed: ['admin', 'operator'] },
  { method: 'PUT', url: '/api/rooms/show/kb', body: { qa: [], facts: [] }, allowed: ['admin', 'operator'] },
  { method: 'POST', url: '/api/rooms/show/say', body: { text: 'Hello' }, allowed: ['admin', 'operator'] },
  { method: 'POST', url: '/api/rooms/show/questions', body: { user: { id: 'u', name: 'U' }, text: 'Hi?' }, allowed: ['admin', 'operator', 'bot', 'viewer'] },
  { method: 'GET', url: '/api/rooms/show/questions', allowed: ['admin', 'operator'] },
  { method: 'POST', url: '/api/tokens', body: { role: 'viewer', rooms: ['show'] }, allowed: ['admin'] },
  { method: 'GET', url: '/api/tokens', allowed: ['admin'] },
  { method: 'DELETE', url: '/api/tokens/tok-none', allowed: ['admin'] },
  { method: 'GET', url: '/api/hosts', allowed: ['admin'] },
  { method: 'DELETE', url: '/api/rooms/doomed', allowed: ['admin'] },
  { method: 'GET', url: '/api/rooms/show/destinations', allowed: ['admin', 'operator'] },
  { method: 'POST', url: '/api/rooms/show/destinations', body: { id: 'yt', kind: 'rtmp', url: 'rtmp://127.0.0.1:1/live/x' }, allowed: ['admin', 'operator'] },
  { method: 'DELETE', url: '/api/rooms/show/destinations/none', allowed: ['admin', 'operator'] },
  { method: 'POST', url: '/api/rooms/show/destinations/none/viewer-token', allowed: ['admin', 'operator', 'viewer'] },
  { method: 'GET', url: '/api/rooms/show/recordings', allowed: ['admin', 'operator'] },
  { method: 'GET', url: '/api/public/rooms', allowed: ['admin', 'operator', 'render-host', 'bot', 'viewer', 'anonymous'] },
];

const WS: Record<string, Who[]> = {
  '/ws/operator': ['admin', 'operator'],
  '/ws/render-host': ['render-host'],
  '/ws/bot': ['bot'],
};

describe('role × action permissions', () => {
  let srv: TestServer;
  const tokens = {} as Record<Who, string | null>;

  beforeAll(async () => {
    srv = await startServer();
    await srv.core.rooms.create({ id: 'show' });
    await srv.core.rooms.create({ id: 'other' });
    tokens.admin = srv.adminToken;
    tokens.operator = await srv.token({ role: 'operator', rooms: ['show'] });
    tokens['render-host'] = await srv.token({ role: 'render-host', hostId: 'h1' });
    tokens.bot = await srv.token({ role: 'bot', rooms: ['show'] });
    tokens.viewer = await srv.token({ role: 'viewer', rooms: ['show'] });
    tokens.anonymous = null;
  });
  afterAll(async () => cleanup(srv));

  for (const route of ROUTES) {
    for (const who of WHO) {
      const expected = route.allowed.includes(who) ? 'allowed' : who === 'anonymous' ? 401 : 403;
      it(`${route.method} ${route.url} as ${who} is ${expected}`, async () => {
        if (route.url === '/api/rooms/doomed') await srv.core.rooms.create({ id: 'doomed' }).catch(() => undefined);
        if (route.url === '/api/rooms' && route.method === 'POST') await srv.core.rooms.delete('made-by-test').catch(() => undefined);
        const res = await srv.app.inject({
          method: route.method as 'GET', url: route.url,
          headers: tokens[who] ? { authorization: `Bearer ${tokens[who]}` } : {},
          ...(route.body ? { payload: route.body as object } : {}),
        });
        if (expected === 'allowed') {
          expect([401, 403], `${res.statusCode} ${res.body}`).not.toContain(res.statusCode);
          expect(res.statusCode).toBeLessThan(500);
        } else {
          expect(res.statusCode).toBe(expected);
          expect(res.json().error.code).toBe(expected === 401 ? 'unauthorized' : 'forbidden');
        }
      });
    }
  }

  it('a room outside the token scope is forbidden even for an allowed role', async () => {
    const res = await srv.app.inject({ method: 'GET', url: '/api/rooms/other/kb', headers: { authorization: `Bearer ${tokens.operator}` } });
    expect(res.statusCode).toBe(403);
  });

  it('a tampered token is unauthorized', async () => {
    const bad = `${tokens.operator!.slice(0, -4)}AAAA`;
    const res = await srv.app.inject({ method: 'GET', url: '/api/rooms', headers: { authorization: `Bearer ${bad}` } });
    expect(res.statusCode).toBe(401);
  });

  it('the Bearer scheme is matched case-insensitively (RFC 7235); other schemes are unauthorized', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
      const res = await srv.app.inject({ method: 'GET', url: '/api/rooms', headers: { authorization: `${scheme} ${tokens.admin}` } });
      expect(res.statusCode, scheme).toBe(200);
    }
    const basic = await srv.app.inject({ method: 'GET', url: '/api/rooms', headers: { authorization: `Basic ${tokens.admin}` } });
    expect(basic.statusCode).toBe(401);
    expect(basic.json().error.message).toBe('the Authorization header is not "Bearer <token>"');
  });

  it('a token in the query is accepted on WebSocket upgrades only, never on REST routes', async () => {
    for (const url of ['/api/rooms', '/api/tokens', '/api/rooms/show/kb']) {
      const res = await srv.app.inject({ method: 'GET', url: `${url}?token=${tokens.admin}` });
      expect(res.statusCode, url).toBe(401);
    }
    const client = await TestClient.connect(`${srv.wsUrl}/ws/operator`, undefined, { token: tokens.operator! });
    expect(client.welcome.role).toBe('operator');
    client.close();
  });

  for (const [path, allowed] of Object.entries(WS)) {
    for (const who of WHO) {
      const ok = allowed.includes(who);
      it(`WebSocket ${path} as ${who} is ${ok ? 'accepted' : 'refused before the upgrade'}`, async () => {
        const attempt = TestClient.connect(`${srv.wsUrl}${path}`, tokens[who] ?? undefined);
        if (ok) {
          const client = await attempt;
          expect(client.welcome.role).toBe(who === 'admin' ? 'operator' : who);
          client.close();
        } else {
          await expect(attempt).rejects.toThrow(who === 'anonymous' ? 'HTTP 401' : 'HTTP 403');
        }
      });
    }
  }

  // Every message type of every role, sent on every role's socket.
  const allTypes = CLIENT_ROLES.flatMap((r) => (INBOUND[r] as unknown as { anyOf: Array<{ properties: { type: { const: string } } }> }).anyOf.map((m) => m.properties.type.const));
  for (const role of CLIENT_ROLES) {
    it(`a ${role} socket answers every other role's message types with unknown_type and stays open`, async () => {
      const path = `/ws/${role}`;
      const client = await TestClient.connect(`${srv.wsUrl}${path}`, tokens[role] ?? undefined);
      const own = new Set((INBOUND[role] as unknown as { anyOf: Array<{ properties: { type: { const: string } } }> }).anyOf.map((m) => m.properties.type.const));
      const foreign = [...new Set(allTypes)].filter((t) => !own.has(t));
      for (const [i, type] of foreign.entries()) client.send({ type, id: `f${i}` });
      for (const [i] of foreign.entries()) {
        const err = await client.next((f) => f.type === 'error' && f.ref === `f${i}`);
        expect(err.code).toBe('unknown_type');
      }
      client.send({ type: 'ping', id: 'still-there' });
      await client.next((f) => f.type === 'pong' && f.ref === 'still-there');
      client.close();
    });
  }

  it('an operator command for a room outside its scope is forbidden', async () => {
    const op = await TestClient.connect(`${srv.wsUrl}/ws/operator`, tokens.operator!);
    op.send({ type: 'command', id: 'c1', room: 'other', command: { name: 'action', action: 'Idle' } });
    expect((await op.next((f) => f.type === 'error')).code).toBe('forbidden');
    op.close();
  });

  it('a bot posting to another room is forbidden', async () => {
    const bot = await TestClient.connect(`${srv.wsUrl}/ws/bot`, tokens.bot!);
    bot.send({ type: 'question', id: 'q1', room: 'other', user: { id: 'u1', name: 'Viewer' }, text: 'hello?' });
    expect((await bot.next((f) => f.type === 'error')).code).toBe('forbidden');
    bot.close();
  });

  it('a render host cannot report speech for a room not placed on it', async () => {
    const host = await TestClient.connect(`${srv.wsUrl}/ws/render-host`, tokens['render-host']!);
    host.send({ type: 'speech.started', id: 's1', room: 'other', segmentId: 'x.0', mediaTimeMs: 0 });
    expect((await host.next((f) => f.type === 'error')).code).toBe('forbidden');
    host.close();
  });
});
