import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, startServer, type TestServer } from '../../test/helpers/server.js';
import { TestClient } from '../../test/helpers/ws-client.js';

const caps = { renderer: 'reference', resolutions: ['720p'], encoders: ['libx264'] };

describe('placement over hosts of different capacities', () => {
  let srv: TestServer;
  const clients: TestClient[] = [];
  afterEach(async () => {
    clients.splice(0).forEach((c) => c.close());
    await cleanup(srv);
  });

  async function host(hostId: string, capacity: number): Promise<TestClient> {
    const h = await TestClient.connect(`${srv.wsUrl}/ws/render-host`, await srv.token({ role: 'render-host', hostId }));
    clients.push(h);
    h.send({ type: 'host.register', id: 'r', capacity, capabilities: caps });
    await h.next((f) => f.type === 'ack' && f.ref === 'r');
    return h;
  }

  async function placeRooms(from: number, to: number): Promise<void> {
    for (let i = from; i < to; i++) {
      const id = `room-${String(i).padStart(2, '0')}`;
      await srv.core.rooms.create({ id });
      await srv.core.placement.place(id);
    }
  }

  const roomsOf = async () => Object.fromEntries((await srv.core.placement.hosts()).map((h) => [h.hostId, h.rooms.length]));

  it('fills every host to the same share of its capacity, not the biggest host first', async () => {
    srv = await startServer();
    await host('big', 12);
    await host('small', 4);
    // Half the capacity in use: each host half full. (Most free capacity first put all 8 on the big one.)
    await placeRooms(0, 8);
    expect(await roomsOf()).toEqual({ big: 6, small: 2 });
    await placeRooms(8, 12);
    expect(await roomsOf()).toEqual({ big: 9, small: 3 });
  });

  it('never goes over a host\'s capacity: the room past the fleet\'s capacity waits, and is counted waiting', async () => {
    srv = await startServer();
    const big = await host('big', 3);
    await host('small', 1);
    await placeRooms(0, 5);
    expect(await roomsOf()).toEqual({ big: 3, small: 1 });
    expect(await srv.core.placement.waitingRooms()).toEqual(['room-04']);
    const text = await (await fetch(`${srv.url}/metrics`)).text();
    expect(text).toMatch(/^livehost_rooms_waiting_for_host 1$/m);
    expect(text).toMatch(/^livehost_rooms_placed 4$/m);
    expect(big.frames.filter((f) => f.type === 'room.assign')).toHaveLength(3);
  });
});
