import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { redisUrl } from '../../test/helpers/redis.js';
import { cleanup, startServer, type TestServer } from '../../test/helpers/server.js';
import { TestClient } from '../../test/helpers/ws-client.js';
import { placementKeys } from './placement.js';

const caps = { renderer: 'reference', resolutions: ['720p'], encoders: ['libx264'] };

/** Every command Redis ran (scripts' included) while `fn` ran, until `done` matches one of them. */
async function commandsDuring(fn: () => Promise<unknown>, done: (args: string[]) => boolean): Promise<string[][]> {
  const client = new Redis(redisUrl());
  const monitor = await client.monitor();
  const seen: string[][] = [];
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => { finish = resolve; });
  monitor.on('monitor', (_time: string, args: string[]) => {
    seen.push(args);
    if (done(args)) finish();
  });
  try {
    await fn();
    await Promise.race([finished, new Promise((_, reject) => setTimeout(() => reject(new Error('the placement never reached Redis')), 10_000))]);
    return seen;
  } finally {
    monitor.disconnect();
    client.disconnect();
  }
}

describe('the waiting-rooms set the Auto Scaling metric counts', () => {
  let srv: TestServer;
  const clients: TestClient[] = [];
  afterEach(async () => {
    clients.splice(0).forEach((c) => c.close());
    await cleanup(srv);
  });

  it('a new room a host has room for is never in it, not even for a moment; one no host can take is, and the metric says so', async () => {
    srv = await startServer();
    const host = await TestClient.connect(`${srv.wsUrl}/ws/render-host`, await srv.token({ role: 'render-host', hostId: 'gpu-1' }));
    clients.push(host);
    host.send({ type: 'host.register', id: 'r', capacity: 1, capabilities: caps });
    await host.next((f) => f.type === 'ack' && f.ref === 'r');
    const k = placementKeys(srv.prefix);
    // Only an SADD puts a room in the set (the script's SREM of a room not in it changes nothing).
    const touchesWaiting = (args: string[]) => args[0]!.toLowerCase() === 'sadd' && args[1] === k.waiting;

    await srv.core.rooms.create({ id: 'first' });
    const placing = await commandsDuring(() => srv.core.placement.place('first'), (a) => a[0]!.toLowerCase() === 'hset' && a[1] === k.route);
    expect(placing.filter(touchesWaiting)).toEqual([]);
    await host.next((f) => f.type === 'room.assign' && f.room === 'first');

    await srv.core.rooms.create({ id: 'second' });
    const waiting = await commandsDuring(() => srv.core.placement.place('second'), (a) => touchesWaiting(a));
    expect(waiting.filter(touchesWaiting).map((a) => [a[0]!.toLowerCase(), ...a.slice(1)])).toEqual([['sadd', k.waiting, 'second']]);
    expect(await srv.core.placement.waitingRooms()).toEqual(['second']);
    const text = await (await fetch(`${srv.url}/metrics`)).text();
    expect(text).toMatch(/^livehost_rooms_waiting_for_host 1$/m);
  });
});
