import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, startServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';

describe('render host health', () => {
  let srv: TestServer;
  let host: TestClient;
  beforeAll(async () => { srv = await startServer(); });
  afterAll(async () => {
    host?.close();
    await cleanup(srv);
  });

  it('a host’s heartbeat fps and cpu are shown with the host to admins', async () => {
    host = await TestClient.connect(`${srv.wsUrl}/ws/render-host`, await srv.token({ role: 'render-host', hostId: 'gpu-7' }));
    host.send({ type: 'host.register', id: 'r', capacity: 2, capabilities: { renderer: 'reference', resolutions: ['720p'], encoders: ['libx264'] } });
    await host.next((f) => f.type === 'ack');
    host.send({ type: 'host.heartbeat', id: 'hb', rooms: [], fps: 29.5, cpu: 0.42 });
    host.send({ type: 'ping', id: 'after' });
    await host.next((f) => f.type === 'pong' && f.ref === 'after');
    const res = await srv.app.inject({ method: 'GET', url: '/api/hosts', headers: { authorization: `Bearer ${srv.adminToken}` } });
    expect(res.json().hosts).toEqual([expect.objectContaining({ hostId: 'gpu-7', fps: 29.5, cpu: 0.42 })]);
  });
});
