import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { Bus } from './bus.js';
import { LocalBus, LocalBusHub } from './local-bus.js';
import { RedisBus } from './redis-bus.js';
import { redisUrl, testPrefix } from '../../test/helpers/redis.js';

type Pair = { a: Bus; b: Bus; close: () => Promise<void> };

const implementations: Record<string, () => Pair> = {
  local: () => {
    const hub = new LocalBusHub();
    return { a: new LocalBus('A', hub), b: new LocalBus('B', hub), close: async () => {} };
  },
  redis: () => {
    const prefix = testPrefix('bus');
    const conns = Array.from({ length: 4 }, () => new Redis(redisUrl()));
    const [c1, s1, c2, s2] = conns as [Redis, Redis, Redis, Redis];
    return {
      a: new RedisBus('A', c1, s1, prefix),
      b: new RedisBus('B', c2, s2, prefix),
      close: async () => { await Promise.all(conns.map((c) => c.quit())); },
    };
  },
};

/** Subscribes now (resolving once the subscription is live) and yields the next message. */
async function nextMessage(bus: Bus, channel: string): Promise<{ message: Promise<{ data: unknown; from: string }> }> {
  let resolve!: (v: { data: unknown; from: string }) => void;
  const message = new Promise<{ data: unknown; from: string }>((r) => (resolve = r));
  await bus.subscribe(channel, (data, from) => resolve({ data, from }));
  return { message };
}

for (const [name, make] of Object.entries(implementations)) {
  describe(`${name} bus`, () => {
    let pair: Pair;
    afterEach(async () => pair?.close());

    it('delivers a message to another instance, tagged with the sender', async () => {
      pair = make();
      const { message: got } = await nextMessage(pair.b, 'news');
      await pair.a.publish('news', { hello: [1, 2] });
      await expect(got).resolves.toEqual({ data: { hello: [1, 2] }, from: 'A' });
    });

    it('never echoes a message back to its sender', async () => {
      pair = make();
      const seen: unknown[] = [];
      await pair.a.subscribe('echo', (d) => seen.push(d));
      const { message: other } = await nextMessage(pair.b, 'echo');
      // A marker A does hear, published after: messages arrive in order, so an echo would be in by then.
      const { message: marker } = await nextMessage(pair.a, 'echo-marker');
      await pair.a.publish('echo', 1);
      await pair.a.publish('echo-marker', 'after', { echo: true });
      await Promise.all([other, marker]);
      expect(seen).toEqual([]);
    });

    it('with echo, delivers to the sender\'s own subscribers as well', async () => {
      pair = make();
      const { message: mine } = await nextMessage(pair.a, 'reply');
      await pair.a.publish('reply', { ok: true }, { echo: true });
      await expect(mine).resolves.toMatchObject({ data: { ok: true } });
    });

    it('stops delivering after unsubscribe', async () => {
      pair = make();
      const seen: unknown[] = [];
      const off = await pair.b.subscribe('gone', (d) => seen.push(d));
      await off();
      const { message: marker } = await nextMessage(pair.b, 'gone-marker');
      await pair.a.publish('gone', 1);
      await pair.a.publish('gone-marker', 'after');
      await marker; // in order: anything for 'gone' would have been delivered before it
      expect(seen).toEqual([]);
    });
  });
}
