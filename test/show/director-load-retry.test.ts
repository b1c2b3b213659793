import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Redis } from 'ioredis';
import { showKeys } from '../../server/show/show-keys.js';
import { cleanup, startServer, type TestServer } from '../helpers/server.js';

// Seen in the Sentinel failover test under load: the lease was taken again while the new
// primary was still settling, the first read of the room's state failed, and the room was
// held by a director with nothing loaded — the show stopped for good.
describe('a director whose first load fails', () => {
  const servers: TestServer[] = [];
  afterEach(async () => cleanup(...servers.splice(0)));

  it('loads again once Redis answers, then runs the room\'s commands', async () => {
    const srv = await startServer({ directorLeaseMs: 3000 });
    servers.push(srv);
    const auth = { authorization: `Bearer ${srv.adminToken}` };
    expect((await srv.app.inject({ method: 'POST', url: '/api/rooms', headers: auth, payload: { id: 'show', name: 'Show' } })).statusCode).toBe(201);
    const put = await srv.app.inject({
      method: 'PUT', url: '/api/rooms/show/rundown', headers: auth,
      payload: { version: 0, segments: [{ id: 'intro', title: 'Intro', plannedMs: 60_000, start: { rule: 'follow' }, items: [{ kind: 'line', text: 'Welcome to the show.' }] }] },
    });
    expect(put.statusCode).toBe(200);
    await vi.waitFor(() => expect(srv.core.show.local('show')?.loaded).toBe(true), { timeout: 10_000 });

    // Hand the room back and take it again, with the state's first read failing.
    await srv.core.show.close();
    const redis = (srv.core.show as unknown as { deps: { redis: Redis } }).deps.redis;
    const runtimeKey = showKeys(srv.prefix, 'show').runtime;
    const realGet = redis.get.bind(redis);
    let failed = 0;
    const get = vi.spyOn(redis, 'get').mockImplementation(((key: string) => {
      if (key === runtimeKey && failed === 0) {
        failed++;
        return Promise.reject(new Error('Connection is closed.'));
      }
      return realGet(key);
    }) as never);
    await srv.core.show.start();
    // (A scan already under way when the director closed may be the one that takes the room.)
    await vi.waitFor(() => expect(failed).toBe(1), { timeout: 10_000 });
    // While it waits for its retry, the show's state is still readable (from Redis).
    expect((await srv.app.inject({ method: 'GET', url: '/api/rooms/show/show', headers: auth })).statusCode).toBe(200);

    // The retry comes a second later; the command waits in the inbox for it (up to 5 s).
    const go = await srv.app.inject({ method: 'POST', url: '/api/rooms/show/show', headers: auth, payload: { name: 'show.go' } });
    expect(go.statusCode, go.body).toBe(200);
    expect(srv.core.show.local('show')?.loaded).toBe(true);
    const state = await srv.app.inject({ method: 'GET', url: '/api/rooms/show/show', headers: auth });
    expect(state.json()).toMatchObject({ state: 'running' });
    get.mockRestore();
  });
});
