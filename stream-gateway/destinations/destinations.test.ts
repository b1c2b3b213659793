import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { previewUrl, publishUrl, signPlayToken, signPublishKey } from '../../protocol/publish-key.js';
import { freePort } from '../free-port.js';
import {
  SECRET, captureLogger, inOneMinute, probe, publish, startHarness, waitFor, type Harness, type Publisher,
} from '../test-support.js';
import { DestinationManager } from './destination-manager.js';
import type { DestinationStatus } from './destination-state.js';

describe('forwarding a room to RTMP destinations', () => {
  let h: Harness;
  let publisher: Publisher;
  const seen: DestinationStatus[] = [];
  const { logger, lines } = captureLogger();
  const manager = new DestinationManager({ log: logger, onStatus: (s) => seen.push(s), maxAttempts: 2, backoffMs: [200], ioTimeoutMs: 3000 });
  const states = (id: string) => seen.filter((s) => s.id === id).map((s) => s.state);
  const copyKey = signPublishKey(SECRET, 'show-7-copy', inOneMinute());

  beforeAll(async () => {
    // Play auth on: the relay must read its source with a play token the gateway mints.
    h = await startHarness(true, { forwarder: manager });
    const rtmp = `rtmp://127.0.0.1:${h.gateway.rtmpPort}/live`;
    await manager.setDestinations('show-7', [{ id: 'copy', url: publishUrl(rtmp, 'show-7-copy', copyKey) }]);
    publisher = publish(publishUrl(rtmp, 'show-7', signPublishKey(SECRET, 'show-7', inOneMinute())), 8);
  });
  afterAll(async () => {
    await publisher?.done;
    await h?.stop();
  });

  it('a live room is relayed with -c copy: the destination plays h264 + aac and the relay goes connecting → live', async () => {
    await waitFor('copy live', () => manager.statuses('show-7').find((s) => s.id === 'copy' && s.state === 'live'));
    expect(states('copy')).toEqual(['connecting', 'live']);
    const token = signPlayToken(SECRET, 'show-7-copy', inOneMinute());
    expect((await probe(previewUrl(`http://127.0.0.1:${h.gateway.httpPort}/live`, 'show-7-copy', token))).codecs.sort()).toEqual(['aac', 'h264']);
    expect(manager.statuses('show-7')[0]?.target).toBe(`rtmp://127.0.0.1:${h.gateway.rtmpPort}/live/***`);
  });

  it('a destination added while live that refuses connections is retried, then failed, and its key never shows', async () => {
    const closed = await freePort('127.0.0.1');
    const secretKey = 'sk_live_do_not_log_me';
    const current = manager.statuses('show-7').find((s) => s.id === 'copy');
    await manager.setDestinations('show-7', [
      { id: 'copy', url: publishUrl(`rtmp://127.0.0.1:${h.gateway.rtmpPort}/live`, 'show-7-copy', copyKey) },
      // Credentials and a key pasted after a backslash: neither may reach a status or a log.
      { id: 'broken', url: `rtmp://relay-user:relayPassw0rd@127.0.0.1:${closed}/app\\${secretKey}` },
    ]);
    const failed = await waitFor('broken failed', () => manager.statuses('show-7').find((s) => s.id === 'broken' && s.state === 'failed'));
    expect(states('broken')).toEqual(['connecting', 'retrying', 'connecting', 'failed']);
    expect(failed.attempts).toBe(2);
    expect(failed.lastError).toBeTruthy();
    expect(failed.target).toBe(`rtmp://127.0.0.1:${closed}/app/***`);
    const said = JSON.stringify(seen) + lines.join('');
    expect(said).not.toContain(secretKey);
    expect(said).not.toContain('relayPassw0rd');
    expect(said).not.toContain('relay-user');
    // The unchanged destination was left streaming, not restarted.
    expect(current?.state).toBe('live');
    expect(states('copy')).toEqual(['connecting', 'live']);
  });

  it('when the room goes offline every relay stops and is idle', async () => {
    await publisher.done;
    await waitFor('offline', () => h.events.find((e) => e.room === 'show-7' && e.state === 'offline'));
    await waitFor('relays idle', () => manager.statuses('show-7').every((s) => s.state === 'idle'));
    // The relay was the destination room's publisher: it went away with it.
    await waitFor('copy offline', () => h.events.find((e) => e.room === 'show-7-copy' && e.state === 'offline'));
  });
});
