import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { deriveSecretKey } from '../../protocol/secret-box.js';
import { DestinationStore } from '../../server/distribution/destination-store.js';
import { DestinationManager } from '../../stream-gateway/destinations/destination-manager.js';
import { RedisDestinationSource } from '../../stream-gateway/destinations/redis-destination-source.js';
import { captureLogger, waitFor } from '../../stream-gateway/test-support.js';
import { deletePrefix, redisUrl, testPrefix } from '../helpers/redis.js';

describe('the gateway learns destinations from what the server stores', () => {
  const prefix = testPrefix('dsrc');
  const redis = new Redis(redisUrl());
  const sub = new Redis(redisUrl());
  const { logger, lines } = captureLogger();
  const key = deriveSecretKey('a-shared-secret-of-at-least-32-characters');
  const manager = new DestinationManager({ log: logger });
  const source = new RedisDestinationSource(redis, sub, prefix, key, manager, logger);
  const store = new DestinationStore(redis, prefix, key);
  afterAll(async () => {
    await source.close();
    await manager.close();
    await Promise.all([redis.quit(), sub.quit()]);
    await deletePrefix(prefix);
  });

  it('a destination added through the store reaches the manager by change notice, and its health comes back redacted', async () => {
    await source.start(60_000);
    const secret = 'live_123456_SECRETSECRET';
    await store.add('show', 'twitch', 'rtmp', { url: `rtmp://live.twitch.tv/app/${secret}`, provisioned: false });
    const status = await waitFor('manager has it', () => manager.statuses('show').find((s) => s.id === 'twitch'));
    expect(status).toMatchObject({ state: 'idle', target: 'rtmp://live.twitch.tv/app/***' });
    await source.writeHealth();
    const [view] = await store.views('show');
    expect(view?.health).toMatchObject({ state: 'idle', reconnects: 0, lastError: null });
    await store.remove('show', 'twitch');
    await waitFor('manager dropped it', () => manager.statuses('show').length === 0);
    expect(lines.join('')).not.toContain(secret);
  });

  it('a source started while its subscriber is still connecting hears change notices all the same', async () => {
    // ioredis is "connect" (its INFO ready check in flight) here; a SUBSCRIBE sent now would fail that
    // check and be dropped on the reconnect that follows, silently. Under load this window is wide.
    const early = new Redis(redisUrl());
    const mgr = new DestinationManager({ log: logger });
    const src = new RedisDestinationSource(redis, early, prefix, key, mgr, logger);
    await new Promise<void>((resolve, reject) => early.once('connect', () => src.start(60_000).then(resolve, reject)));
    await store.add('early', 'twitch', 'rtmp', { url: 'rtmp://live.twitch.tv/app/live_early', provisioned: false });
    await waitFor('the notice', () => mgr.statuses('early').find((s) => s.id === 'twitch'));
    await store.remove('early', 'twitch');
    await src.close();
    await mgr.close();
    await early.quit();
  });

  it('a destination sealed with another key is skipped and logged, never opened', async () => {
    const other = new DestinationStore(redis, prefix, deriveSecretKey('another-secret-of-at-least-32-characters!'));
    await other.add('show', 'foreign', 'rtmp', { url: 'rtmp://h/app/k', provisioned: false });
    await waitFor('logged', () => lines.some((l) => l.includes('does not open')));
    expect(manager.statuses('show')).toEqual([]);
  });
});
