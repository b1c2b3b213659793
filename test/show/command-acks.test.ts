import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, startServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';

describe('operator commands to a render host that does not answer', () => {
  let srv: TestServer;
  const clients: TestClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await cleanup(srv);
  });

  async function operator() {
    const op = await TestClient.connect(`${srv.wsUrl}/ws/operator`, srv.adminToken);
    clients.push(op);
    return op;
  }

  it('a command for a room without a host is answered no_render_host at once', async () => {
    srv = await startServer();
    await srv.core.rooms.create({ id: 'empty' });
    const op = await operator();
    op.send({ type: 'command', id: 'c1', room: 'empty', command: { name: 'scene', scene: 'beach' } });
    expect(await op.next((f) => f.ref === 'c1')).toMatchObject({ type: 'error', code: 'no_render_host' });
  });

  it('a command the host never acknowledges gets command.ack ok:false host_timeout, and a late ack is dropped', async () => {
    srv = await startServer({ commandTimeoutMs: 400 });
    // A host that registers, then goes quiet: it takes commands and never acks them.
    const host = await TestClient.connect(`${srv.wsUrl}/ws/render-host`, await srv.token({ role: 'render-host', hostId: 'mute' }));
    clients.push(host);
    host.send({ type: 'host.register', id: 'r', capacity: 1, capabilities: { renderer: 'reference', resolutions: ['720p'], encoders: ['libx264'] } });
    await host.next((f) => f.type === 'ack');
    await srv.core.rooms.create({ id: 'show' });
    await srv.core.placement.place('show');
    const op = await operator();
    op.send({ type: 'command', id: 'c2', room: 'show', command: { name: 'camera', camera: 'side' } });
    const relayed = await host.next((f) => f.type === 'command');
    const ack = await op.next((f) => f.type === 'command.ack' && f.ref === 'c2', 5000);
    expect(ack).toMatchObject({ ok: false, code: 'host_timeout', hostId: 'mute', room: 'show' });
    // The host wakes up and acks after all: the operator already has its answer, and gets no second one.
    host.send({ type: 'command.ack', id: 'late', ref: relayed.commandId, room: 'show', ok: true });
    await new Promise((r) => setTimeout(r, 400));
    expect(op.frames.filter((f) => f.type === 'command.ack' && f.ref === 'c2')).toHaveLength(1);
    // A command the host does answer in time gets its ack, and no timeout after it.
    op.send({ type: 'command', id: 'c3', room: 'show', command: { name: 'scene', scene: 'park' } });
    const second = await host.next((f) => f.type === 'command' && f.commandId !== relayed.commandId);
    host.send({ type: 'command.ack', id: 'ok', ref: second.commandId, room: 'show', ok: true });
    expect(await op.next((f) => f.type === 'command.ack' && f.ref === 'c3')).toMatchObject({ ok: true });
    await new Promise((r) => setTimeout(r, 700));
    expect(op.frames.filter((f) => f.type === 'command.ack' && f.ref === 'c3')).toHaveLength(1);
  });
});
