import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '../../protocol/index.js';
import { cleanup, startServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';

const caps = { renderer: 'reference', resolutions: ['720p'], encoders: ['libx264'] };

describe('sessions, resume and revocation', () => {
  const servers: TestServer[] = [];
  const clients: TestClient[] = [];
  afterEach(async () => {
    clients.splice(0).forEach((c) => c.close());
    await cleanup(...servers.splice(0));
  });

  async function setup(srvHost: TestServer, srvOp: TestServer) {
    const hostToken = await srvHost.token({ role: 'render-host', hostId: 'h1' });
    const host = await TestClient.connect(`${srvHost.wsUrl}/ws/render-host`, hostToken);
    host.send({ type: 'host.register', id: 'r', capacity: 1, capabilities: caps });
    await host.next((f) => f.type === 'ack');
    await srvOp.core.rooms.create({ id: 'show' });
    await srvOp.core.placement.place('show');
    await host.next((f) => f.type === 'room.assign');
    const op = await TestClient.connect(`${srvOp.wsUrl}/ws/operator`, await srvOp.token({ role: 'operator', rooms: ['show'] }));
    clients.push(host, op);
    return { host, hostToken, op };
  }

  it('a host that reconnects with its session and last seq gets what it missed, once, in order', async () => {
    const a = await startServer();
    const b = await startServer({}, a.prefix);
    servers.push(a, b);
    const { host, hostToken, op } = await setup(a, b);
    const sessionId = String(host.welcome.sessionId);
    const lastSeq = Math.max(...host.frames.filter((f) => typeof f.seq === 'number').map((f) => f.seq as number));
    host.close();
    // The server has seen the socket close: what follows is kept for the session's resume.
    const open = () => a.core.local.all().some((c) => c.sessionId === sessionId);
    for (const end = Date.now() + 20_000; open() && Date.now() < end;) await new Promise((r) => setTimeout(r, 10));
    expect(open()).toBe(false);
    for (let i = 0; i < 5; i++) op.send({ type: 'command', id: `m${i}`, room: 'show', command: { name: 'caption', text: `line ${i}` } });
    // Commands are accepted while the host is away (no error frames): the operator's frames are
    // handled in order, so by its pong every command before it has been handled.
    op.send({ type: 'ping', id: 'after-commands' });
    await op.next((f) => f.type === 'pong' && f.ref === 'after-commands');
    expect(op.frames.filter((f) => f.type === 'error')).toEqual([]);
    // … and delivered when it comes back — here on the other instance.
    const back = await TestClient.connect(`${b.wsUrl}/ws/render-host`, hostToken, { session: sessionId, lastSeq });
    clients.push(back);
    expect(back.welcome).toMatchObject({ resumed: true, sessionId });
    await back.next((f) => f.type === 'command' && (f.command as { text: string }).text === 'line 4');
    op.send({ type: 'command', id: 'm5', room: 'show', command: { name: 'caption', text: 'line 5' } });
    op.send({ type: 'command', id: 'm6', room: 'show', command: { name: 'caption', text: 'line 6' } });
    // In order: once line 6 is here, a repeat of anything before it would be here too.
    await back.next((f) => f.type === 'command' && (f.command as { text: string }).text === 'line 6');
    const texts = back.frames.filter((f) => f.type === 'command').map((f) => (f.command as { text: string }).text);
    expect(texts).toEqual(['line 0', 'line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6']);
    const seqs = back.frames.filter((f) => typeof f.seq === 'number').map((f) => f.seq as number);
    expect(seqs[0]).toBe(lastSeq + 1);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
  });

  it('resuming someone else’s session starts a fresh one instead', async () => {
    const srv = await startServer();
    servers.push(srv);
    const { host } = await setup(srv, srv);
    const otherOp = await srv.token({ role: 'render-host', hostId: 'h2' });
    const thief = await TestClient.connect(`${srv.wsUrl}/ws/render-host`, otherOp, { session: String(host.welcome.sessionId), lastSeq: 0 });
    clients.push(thief);
    expect(thief.welcome.resumed).toBe(false);
    expect(thief.welcome.sessionId).not.toBe(host.welcome.sessionId);
  });

  it('a second socket resuming a live session replaces the first (close 4009)', async () => {
    const srv = await startServer();
    servers.push(srv);
    const { host, hostToken } = await setup(srv, srv);
    const twin = await TestClient.connect(`${srv.wsUrl}/ws/render-host`, hostToken, { session: String(host.welcome.sessionId), lastSeq: 0 });
    clients.push(twin);
    expect((await host.waitClose()).code).toBe(CLOSE_CODES.sessionReplaced);
  });

  it('revoking a token closes its open sockets on every instance and refuses it after', async () => {
    const a = await startServer();
    const b = await startServer({}, a.prefix);
    servers.push(a, b);
    await a.core.rooms.create({ id: 'show' });
    const issued = await a.core.tokens.issue({ role: 'operator', rooms: ['show'] });
    const onA = await TestClient.connect(`${a.wsUrl}/ws/operator`, issued.token);
    const onB = await TestClient.connect(`${b.wsUrl}/ws/operator`, issued.token);
    const unrelated = await TestClient.connect(`${b.wsUrl}/ws/operator`, await a.token({ role: 'operator', rooms: ['show'] }));
    clients.push(onA, onB, unrelated);
    const res = await a.app.inject({ method: 'DELETE', url: `/api/tokens/${issued.info.tokenId}`, headers: { authorization: `Bearer ${a.adminToken}` } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ tokenId: issued.info.tokenId, revoked: true });
    expect(JSON.stringify(res.json())).not.toContain(issued.token);
    // Closed through the bus, on both instances (the 1 s tick only checks expiry, never revocation).
    const [ca, cb] = await Promise.all([onA.waitClose(), onB.waitClose()]);
    expect([ca.code, cb.code]).toEqual([CLOSE_CODES.unauthorized, CLOSE_CODES.unauthorized]);
    await expect(TestClient.connect(`${b.wsUrl}/ws/operator`, issued.token)).rejects.toThrow('HTTP 401');
    unrelated.send({ type: 'ping', id: 'p' });
    await unrelated.next((f) => f.type === 'pong');
  });

  it('tokens are listed without their secret value', async () => {
    const srv = await startServer();
    servers.push(srv);
    const issued = await srv.core.tokens.issue({ role: 'bot', rooms: ['show'], label: 'chat bot' });
    const res = await srv.app.inject({ method: 'GET', url: '/api/tokens', headers: { authorization: `Bearer ${srv.adminToken}` } });
    expect(res.json().tokens.map((t: { label: string | null }) => t.label)).toContain('chat bot');
    expect(res.body).not.toContain(issued.token);
  });

  it('on shutdown, clients are told to reconnect and closed with 1001', async () => {
    const srv = await startServer();
    servers.push(srv);
    const op = await TestClient.connect(`${srv.wsUrl}/ws/operator`, srv.adminToken);
    clients.push(op);
    await srv.app.close();
    expect(op.frames.some((f) => f.type === 'reconnect')).toBe(true);
    expect((await op.waitClose()).code).toBe(CLOSE_CODES.goingAway);
  });

  it('a host that stops heartbeating loses its rooms to a live host', async () => {
    const srv = await startServer({ hostTimeoutSeconds: 1 });
    servers.push(srv);
    await setup(srv, srv); // h1 stays connected and never heartbeats
    const spare = await TestClient.connect(`${srv.wsUrl}/ws/render-host`, await srv.token({ role: 'render-host', hostId: 'h2' }));
    clients.push(spare);
    spare.send({ type: 'host.register', id: 'r', capacity: 1, capabilities: caps });
    await spare.next((f) => f.type === 'ack');
    const timer = setInterval(() => spare.send({ type: 'host.heartbeat', id: 'hb', rooms: [] }), 300);
    // Once h1's silence outlasts the host timeout, a sweep moves its rooms: the server's own
    // (every 3 s) or one of these, whichever runs first. Waiting for the effect, not the clock.
    const sweeping = setInterval(() => void srv.core.placement.sweep().catch(() => undefined), 250);
    try {
      const assign = await spare.next((f) => f.type === 'room.assign');
      expect(assign.room).toBe('show');
      expect((await srv.core.placement.hostFor('show'))?.hostId).toBe('h2');
    } finally {
      clearInterval(timer);
      clearInterval(sweeping);
    }
  });
});
