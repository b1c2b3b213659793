import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { OperatorClient, type ConnectionState, type SessionInfo, type SocketLike } from '../../console/src/operator-client.js';
import type { RoomEvent } from '../../protocol/index.js';
import { cleanup, startServer, type TestServer } from '../helpers/server.js';
import { FakeRenderHost, startServerOn } from './harness.js';

/** The `ws` socket has the browser's API; the client only needs that much of it. */
const nodeSocket = (url: string) => new WebSocket(url) as unknown as SocketLike;

/** A network that delivers every frame twice (a replay the client must see through). */
function doublingSocket(url: string): SocketLike {
  const ws = new WebSocket(url);
  const s: SocketLike = {
    get readyState() { return ws.readyState; },
    send: (d) => ws.send(d),
    close: (code, reason) => ws.close(code, reason),
    onopen: null, onmessage: null, onclose: null, onerror: null,
  };
  ws.on('message', (data) => {
    s.onmessage?.({ data: data.toString() });
    s.onmessage?.({ data: data.toString() });
  });
  ws.on('close', (code, reason) => s.onclose?.({ code, reason: reason.toString() }));
  ws.on('error', () => s.onerror?.({}));
  return s;
}

async function until(pred: () => boolean, timeoutMs = 8000, what = 'condition'): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function record(client: OperatorClient) {
  const notices: string[] = [];
  const sessions: SessionInfo[] = [];
  const states: ConnectionState[] = [];
  client.on('event', (_room, e: RoomEvent) => { if (e.kind === 'notice') notices.push(e.message); });
  client.on('session', (s) => sessions.push(s));
  client.on('state', (s) => states.push(s));
  return { notices, sessions, states };
}

const notice = (message: string): RoomEvent => ({ kind: 'notice', level: 'info', message });

describe('the console operator client', () => {
  const servers: TestServer[] = [];
  const clients: OperatorClient[] = [];
  const hosts: FakeRenderHost[] = [];
  afterEach(async () => {
    clients.splice(0).forEach((c) => c.stop());
    hosts.splice(0).forEach((h) => h.close());
    await cleanup(...servers.splice(0));
  });

  const connect = (srv: TestServer | (() => string), token: string, extra: Partial<ConstructorParameters<typeof OperatorClient>[0]> = {}) => {
    const client = new OperatorClient({ url: typeof srv === 'function' ? srv : srv.wsUrl, token, createSocket: nodeSocket, ...extra });
    clients.push(client);
    client.start();
    return client;
  };

  it('settles each request with its own reply: an ack, the host’s ack, the host’s refusal, an error frame', async () => {
    const srv = await startServer();
    servers.push(srv);
    hosts.push(await FakeRenderHost.connect(srv, 'h1', { refuse: (c) => (c.name === 'camera' ? 'camera rig offline' : null) }));
    await srv.core.rooms.create({ id: 'show' });
    await srv.core.placement.place('show');
    const client = connect(srv, await srv.token({ role: 'operator', rooms: ['show'] }));

    expect(await client.subscribe('show')).toMatchObject({ ok: true });
    // Sent together, answered in any order: each promise gets its own outcome.
    const [scene, camera, missing, foreign] = await Promise.all([
      client.command('show', { name: 'scene', scene: 'beach' }),
      client.command('show', { name: 'camera', camera: 'side' }),
      client.request({ type: 'question.approve', room: 'show', questionId: 'q-nope' }),
      client.request({ type: 'room.subscribe', room: 'elsewhere' }),
    ]);
    expect(scene).toMatchObject({ ok: true, hostId: 'h1' });
    expect(camera).toMatchObject({ ok: false, code: 'host_error', message: 'camera rig offline', hostId: 'h1' });
    expect(missing).toMatchObject({ ok: false, code: 'not_found' });
    expect(foreign).toMatchObject({ ok: false, code: 'forbidden' });
  });

  it('a request made while disconnected is refused at once as offline, not sent later', async () => {
    const srv = await startServer();
    servers.push(srv);
    await srv.core.rooms.create({ id: 'show' });
    const client = new OperatorClient({ url: srv.wsUrl, token: srv.adminToken, createSocket: nodeSocket });
    clients.push(client);
    expect(await client.command('show', { name: 'scene', scene: 'park' })).toMatchObject({ ok: false, code: 'offline' });
  });

  it('resumes its session on another instance after a shutdown and gets every event it missed, once, in order', async () => {
    const a = await startServer();
    const b = await startServer({}, a.prefix);
    servers.push(a, b);
    await a.core.rooms.create({ id: 'show' });
    let target = a.wsUrl;
    const client = connect(() => target, await a.token({ role: 'operator', rooms: ['show'] }), { backoffBaseMs: 50 });
    const seen = record(client);
    await client.subscribe('show');
    for (let i = 1; i <= 3; i++) await b.core.events.emit('show', notice(`n${i}`));
    await until(() => seen.notices.length === 3, 5000, 'the first three events');
    const firstSession = client.sessionId;

    target = b.wsUrl;
    await a.app.close(); // tells the client to reconnect, then closes its socket
    for (let i = 4; i <= 6; i++) await b.core.events.emit('show', notice(`n${i}`));
    await until(() => seen.notices.length >= 6 && client.state === 'open', 8000, 'the missed events');
    await b.core.events.emit('show', notice('n7'));
    await until(() => seen.notices.length >= 7, 5000, 'an event after the resume');

    expect(seen.notices).toEqual(['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7']);
    expect(client.sessionId).toBe(firstSession);
    expect(seen.sessions.map((s) => s.resumed)).toEqual([false, true]);
    expect(seen.sessions[1]!.instanceId).toBe(b.core.instanceId);
    expect(seen.states).toContain('backoff');
  });

  it('a frame delivered twice is handled once', async () => {
    const srv = await startServer();
    servers.push(srv);
    await srv.core.rooms.create({ id: 'show' });
    const client = connect(srv, srv.adminToken, { createSocket: doublingSocket });
    const seen = record(client);
    expect(await client.subscribe('show')).toMatchObject({ ok: true });
    for (let i = 1; i <= 5; i++) await srv.core.events.emit('show', notice(`n${i}`));
    await until(() => seen.notices.length >= 5, 5000, 'five events');
    await new Promise((r) => setTimeout(r, 200));
    expect(seen.notices).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
    expect(client.gaps).toBe(0);
  });

  it('when its session expired, it starts a fresh one, subscribes its rooms again and reports what was in flight as lost', async () => {
    const a = await startServer({ resumeWindowSeconds: 1 });
    servers.push(a);
    await a.core.rooms.create({ id: 'show' });
    const port = Number(new URL(a.url).port);
    const token = await a.token({ role: 'operator', rooms: ['show'] });
    hosts.push(await FakeRenderHost.connect(a, 'hung', { silent: true }));
    await a.core.placement.place('show');
    const client = connect(a, token, { backoffBaseMs: 100, backoffMaxMs: 400, requestTimeoutMs: 30_000 });
    const seen = record(client);
    await client.subscribe('show');
    const first = client.sessionId;
    const inFlight = client.command('show', { name: 'scene', scene: 'park' });

    // The server goes away for longer than the resume window; another comes up on the same port.
    await a.app.close();
    await new Promise((r) => setTimeout(r, 2500));
    const b = await startServerOn(port, a.prefix, { resumeWindowSeconds: 1 });
    servers.push(b);
    await until(() => seen.sessions.length === 2 && client.state === 'open', 8000, 'a fresh session');
    expect(seen.sessions[1]).toMatchObject({ resumed: false });
    expect(client.sessionId).not.toBe(first);
    expect(await inFlight).toMatchObject({ ok: false, code: 'lost' });
    // The room was subscribed again without the app asking.
    await until(() => client.subscribed.includes('show'));
    await new Promise((r) => setTimeout(r, 200));
    await b.core.events.emit('show', notice('after'));
    await until(() => seen.notices.includes('after'), 5000, 'an event on the fresh session');
  });

  it('a revoked token ends the client: it says so and stops retrying', async () => {
    const srv = await startServer();
    servers.push(srv);
    const issued = await srv.core.tokens.issue({ role: 'operator', rooms: ['*'] });
    const client = connect(srv, issued.token, { backoffBaseMs: 50, checkAuth: async () => 'ok' });
    await until(() => client.state === 'open');
    const res = await srv.app.inject({ method: 'DELETE', url: `/api/tokens/${issued.info.tokenId}`, headers: { authorization: `Bearer ${srv.adminToken}` } });
    expect(res.statusCode).toBe(200);
    await until(() => client.state === 'unauthorized', 3000, 'unauthorized');
    await new Promise((r) => setTimeout(r, 300));
    expect(client.state).toBe('unauthorized');
  });

  it('a token refused at the upgrade is recognised through the REST check and not retried forever', async () => {
    const srv = await startServer();
    servers.push(srv);
    let checks = 0;
    const client = connect(srv, 'not-a-token', {
      backoffBaseMs: 20,
      checkAuth: async () => {
        checks += 1;
        const res = await fetch(`${srv.url}/api/rooms`, { headers: { authorization: 'Bearer not-a-token' } });
        return res.status === 401 ? 'unauthorized' : 'ok';
      },
    });
    await until(() => client.state === 'unauthorized', 5000, 'unauthorized');
    expect(checks).toBe(1);
  });
});
