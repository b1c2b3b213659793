import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { redisUrl } from '../../test/helpers/redis.js';
import { cleanup, startServer, type TestServer } from '../../test/helpers/server.js';
import { TestClient } from '../../test/helpers/ws-client.js';
import { placementKeys } from './placement.js';

const caps = { renderer: 'reference', resolutions: ['720p'], encoders: ['libx264'] };

/** The quoted arguments of one MONITOR line (`1796… [0 127.0.0.1:5] "sadd" "k" "v"`), unescaped. */
function monitorArgs(line: string): string[] {
  return [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, '$1'));
}

/**
 * Every command Redis ran (scripts' included) while `fn` ran, until `done` matches one of
 * them. MONITOR over a plain socket, started (its +OK read) before `fn` runs: ioredis's
 * monitor mode can take the first streamed lines for replies under load and throw.
 */
async function commandsDuring(fn: () => Promise<unknown>, done: (args: string[]) => boolean): Promise<string[][]> {
  const { hostname, port, username, password } = new URL(redisUrl());
  const socket = net.connect(Number(port || 6379), hostname);
  const seen: string[][] = [];
  let buffered = '';
  let oks = password ? 2 : 1;
  let ready: () => void = () => undefined;
  let finish: () => void = () => undefined;
  const started = new Promise<void>((resolve) => { ready = resolve; });
  const finished = new Promise<void>((resolve) => { finish = resolve; });
  socket.on('data', (chunk) => {
    buffered += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffered.indexOf('\r\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 2);
      if (line === '+OK') { if (--oks === 0) ready(); continue; }
      const args = monitorArgs(line);
      seen.push(args);
      if (args.length && done(args)) finish();
    }
  });
  try {
    const auth = password ? `AUTH ${decodeURIComponent(username || 'default')} ${decodeURIComponent(password)}\r\n` : '';
    socket.write(`${auth}MONITOR\r\n`);
    await started;
    await fn();
    await Promise.race([finished, new Promise((_, reject) => setTimeout(() => reject(new Error('the placement never reached Redis')), 10_000))]);
    return seen;
  } finally {
    socket.destroy();
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
