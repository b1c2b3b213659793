import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, startServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { outboundValidator } from '../../protocol/index.js';

const hostCaps = { renderer: 'reference', resolutions: ['720p'], encoders: ['libx264'] };

describe('operator → render host relay', () => {
  const servers: TestServer[] = [];
  const clients: TestClient[] = [];
  afterEach(async () => {
    clients.splice(0).forEach((c) => c.close());
    await cleanup(...servers.splice(0));
  });

  async function roomWithHost(srv: TestServer, hostSrv = srv, room = 'show') {
    const host = await TestClient.connect(`${hostSrv.wsUrl}/ws/render-host`, await srv.token({ role: 'render-host', hostId: 'gpu-1' }));
    clients.push(host);
    host.send({ type: 'host.register', id: 'r1', capacity: 2, capabilities: hostCaps });
    await host.next((f) => f.type === 'ack' && f.ref === 'r1');
    await srv.core.rooms.create({ id: room });
    await srv.core.placement.place(room);
    const assign = await host.next((f) => f.type === 'room.assign');
    return { host, assign };
  }

  it('places a room on a registered host with a signed publish key', async () => {
    const srv = await startServer();
    servers.push(srv);
    const { assign } = await roomWithHost(srv);
    expect(outboundValidator('render-host').check(assign).ok).toBe(true);
    expect(assign).toMatchObject({ room: 'show', publish: { url: 'rtmp://127.0.0.1:1935/live' } });
    expect(String((assign.publish as { streamKey: string }).streamKey)).toMatch(/^show\?key=show\.\d+\./);
  });

  it('relays operator commands to the host in order, and the host ack back to the operator', async () => {
    const srv = await startServer();
    servers.push(srv);
    const { host } = await roomWithHost(srv);
    const op = await TestClient.connect(`${srv.wsUrl}/ws/operator`, await srv.token({ role: 'operator', rooms: ['show'] }));
    clients.push(op);
    const actions = ['Talk1', 'Talk2', 'Talk3', 'Talk4', 'Idle'];
    actions.forEach((action, i) => op.send({ type: 'command', id: `c${i}`, room: 'show', command: { name: 'action', action } }));
    for (let i = 0; i < actions.length; i++) {
      const cmd = await host.next((f) => f.type === 'command' && (f.command as { action: string }).action === actions[i]);
      host.send({ type: 'command.ack', id: `a${i}`, ref: cmd.commandId, room: 'show', ok: true });
    }
    const received = host.frames.filter((f) => f.type === 'command').map((f) => (f.command as { action: string }).action);
    expect(received).toEqual(actions);
    const seqs = host.frames.filter((f) => f.type === 'command').map((f) => f.seq as number);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    await op.next((f) => f.type === 'command.ack' && f.ref === 'c4');
    const acks = op.frames.filter((f) => f.type === 'command.ack');
    expect(acks.map((a) => a.ref)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
    expect(acks[0]).toMatchObject({ room: 'show', hostId: 'gpu-1', ok: true });
  });

  it('lets an operator on instance A drive a render host on instance B', async () => {
    const a = await startServer();
    const b = await startServer({}, a.prefix);
    servers.push(a, b);
    const { host } = await roomWithHost(a, b);
    const op = await TestClient.connect(`${a.wsUrl}/ws/operator`, await a.token({ role: 'operator', rooms: ['show'] }));
    clients.push(op);
    op.send({ type: 'command', id: 'x1', room: 'show', command: { name: 'scene', scene: 'beach' } });
    const cmd = await host.next((f) => f.type === 'command');
    expect(cmd.command).toEqual({ name: 'scene', scene: 'beach' });
    host.send({ type: 'command.ack', id: 'k1', ref: cmd.commandId, room: 'show', ok: true });
    const ack = await op.next((f) => f.type === 'command.ack');
    expect(ack).toMatchObject({ ref: 'x1', ok: true, hostId: 'gpu-1' });
    expect(a.core.instanceId).not.toBe(b.core.instanceId);
  });

  it('a forged command id from a host is refused and reaches no operator', async () => {
    const srv = await startServer();
    servers.push(srv);
    const { host } = await roomWithHost(srv);
    host.send({ type: 'command.ack', id: 'f1', ref: 'AAAAAAAAAAAA:s-victim:1:c1', room: 'show', ok: true });
    const err = await host.next((f) => f.type === 'error' && f.ref === 'f1');
    expect(err.code).toBe('invalid_message');
  });
});
