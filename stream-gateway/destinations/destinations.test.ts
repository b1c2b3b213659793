import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childCommandLines, selfSignedCertificate, tlsProxy, type TlsProxy } from '../../media/rtmp/test-support.js';
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
  let proxy: TlsProxy;
  let manager: DestinationManager;
  let flvSource: () => string = () => '';
  const seen: DestinationStatus[] = [];
  const { logger, lines } = captureLogger();
  const states = (id: string) => seen.filter((s) => s.id === id).map((s) => s.state);
  const copyKey = signPublishKey(SECRET, 'show-7-copy', inOneMinute());
  const tlsKey = signPublishKey(SECRET, 'show-7-tls', inOneMinute());
  const rtmp = () => `rtmp://127.0.0.1:${h.gateway.rtmpPort}/live`;
  const plays = async (room: string) => (await probe(previewUrl(`http://127.0.0.1:${h.gateway.httpPort}/live`, room, signPlayToken(SECRET, room, inOneMinute())))).codecs.sort();

  beforeAll(async () => {
    const identity = await selfSignedCertificate();
    manager = new DestinationManager({ log: logger, onStatus: (s) => seen.push(s), maxAttempts: 2, backoffMs: [200], ioTimeoutMs: 3000, tlsCa: identity.cert });
    // Play auth on: the relays read the room's HTTP-FLV with a play token the gateway mints.
    h = await startHarness(true, {
      forwarder: {
        onLive: (room, _rtmp, flv) => { flvSource = flv; manager.onLive(room, flv); },
        onOffline: (room) => manager.onOffline(room),
        close: () => manager.close(),
      },
    });
    proxy = await tlsProxy(h.gateway.rtmpPort, identity);
    await manager.setDestinations('show-7', [
      { id: 'copy', url: publishUrl(rtmp(), 'show-7-copy', copyKey) },
      // RTMPS, as IVS ingests take it: TLS in front of the gateway, certificate checked against the test's own CA.
      { id: 'tls', url: publishUrl(`rtmps://127.0.0.1:${proxy.port}/live`, 'show-7-tls', tlsKey) },
    ]);
    publisher = publish(publishUrl(rtmp(), 'show-7', signPublishKey(SECRET, 'show-7', inOneMinute())), 12);
  });
  afterAll(async () => {
    await publisher?.done;
    await h?.stop();
    await proxy?.close();
  });

  it('a live room is relayed from this process: the destination plays h264 + aac, the relay goes connecting → live, and no process has the key in its arguments', async () => {
    await waitFor('copy live', () => manager.statuses('show-7').find((s) => s.id === 'copy' && s.state === 'live'));
    expect(states('copy')).toEqual(['connecting', 'live']);
    expect(await plays('show-7-copy')).toEqual(['aac', 'h264']);
    expect(manager.statuses('show-7').find((s) => s.id === 'copy')?.target).toBe(`${rtmp()}/***`);
    await waitFor('bitrate', () => (manager.statuses('show-7').find((s) => s.id === 'copy')?.bitrateKbps ?? 0) > 0);

    // The test's own ffmpeg publishing show-7 is a child; no child names a destination or its key.
    const commands = childCommandLines();
    expect(commands.some((c) => c.includes('ffmpeg'))).toBe(true);
    for (const c of commands) {
      expect(c).not.toContain(copyKey);
      expect(c).not.toContain('show-7-copy');
    }
    expect(lines.join('')).not.toContain(copyKey);
  });

  it('an RTMPS destination is published over TLS with its certificate verified', async () => {
    await waitFor('tls live', () => manager.statuses('show-7').find((s) => s.id === 'tls' && s.state === 'live'));
    expect(states('tls')).toEqual(['connecting', 'live']);
    expect(proxy.sessions()).toBeGreaterThanOrEqual(1);
    expect(await plays('show-7-tls')).toEqual(['aac', 'h264']);
    expect(manager.statuses('show-7').find((s) => s.id === 'tls')?.target).toBe(`rtmps://127.0.0.1:${proxy.port}/live/***`);
    for (const c of childCommandLines()) expect(c).not.toContain(tlsKey);

    // Without the test's CA the same endpoint is refused: the certificate is checked, not just encrypted.
    const untrusting = new DestinationManager({ log: logger, maxAttempts: 1, ioTimeoutMs: 3000 });
    await untrusting.setDestinations('show-7', [{ id: 'tls', url: publishUrl(`rtmps://127.0.0.1:${proxy.port}/live`, 'show-7-untrusted', tlsKey) }]);
    untrusting.onLive('show-7', flvSource);
    const refused = await waitFor('untrusted failed', () => untrusting.statuses('show-7').find((s) => s.state === 'failed'));
    expect(refused.lastError).toMatch(/SELF_SIGNED|certificate/i);
    await untrusting.close();
  });

  it('destinations that refuse (a wrong key, a closed port) are retried, then failed, and no key or credential shows', async () => {
    const closed = await freePort('127.0.0.1');
    const secretKey = 'sk_live_do_not_log_me';
    const wrongKey = signPublishKey('not-the-gateway-secret-0123456789abcdef', 'show-7-refused', inOneMinute());
    await manager.setDestinations('show-7', [
      { id: 'copy', url: publishUrl(rtmp(), 'show-7-copy', copyKey) },
      { id: 'tls', url: publishUrl(`rtmps://127.0.0.1:${proxy.port}/live`, 'show-7-tls', tlsKey) },
      { id: 'refused', url: publishUrl(rtmp(), 'show-7-refused', wrongKey) },
      // A key pasted after a backslash: it may reach no status and no log.
      { id: 'closed', url: `rtmp://127.0.0.1:${closed}/app\\${secretKey}` },
      // Credentials cannot be used by any attempt: failed at once, saying why.
      { id: 'creds', url: `rtmp://relay-user:relayPassw0rd@127.0.0.1:${closed}/app/${secretKey}` },
    ]);
    for (const id of ['refused', 'closed']) {
      const failed = await waitFor(`${id} failed`, () => manager.statuses('show-7').find((s) => s.id === id && s.state === 'failed'));
      expect(states(id)).toEqual(['connecting', 'retrying', 'connecting', 'failed']);
      expect(failed.attempts).toBe(2);
      expect(failed.lastError).toBeTruthy();
    }
    const byId = (id: string) => manager.statuses('show-7').find((s) => s.id === id)!;
    expect(byId('refused').lastError).toMatch(/refused|closed the connection/);
    expect(byId('closed').lastError).toMatch(/ECONNREFUSED/);
    expect(byId('closed').target).toBe(`rtmp://127.0.0.1:${closed}/app/***`);
    expect(states('creds')).toEqual(['failed']);
    expect(byId('creds').lastError).toMatch(/credentials .* not supported/);

    const said = JSON.stringify(seen) + lines.join('');
    for (const secret of [secretKey, wrongKey, copyKey, tlsKey, 'relayPassw0rd', 'relay-user']) expect(said).not.toContain(secret);
    expect(lines.some((l) => l.includes('"destination":"refused"') && l.includes('"state":"retrying"'))).toBe(true);
    // The unchanged destinations were left streaming, not restarted.
    expect(states('copy')).toEqual(['connecting', 'live']);
    expect(states('tls')).toEqual(['connecting', 'live']);
  });

  it('a program feed that goes silent ends the session with the reason, and the relay retries', async () => {
    // A feed that sends its FLV header and then nothing, as a wedged program would.
    const silent = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'video/x-flv' });
      res.write(Buffer.from([0x46, 0x4c, 0x56, 1, 5, 0, 0, 0, 9, 0, 0, 0, 0]));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const relayStates: string[] = [];
    const wedged = new DestinationManager({ log: logger, onStatus: (s) => relayStates.push(s.state), maxAttempts: 2, backoffMs: [100], ioTimeoutMs: 2500 });
    await wedged.setDestinations('wedged', [{ id: 'copy', url: publishUrl(rtmp(), 'wedged-copy', signPublishKey(SECRET, 'wedged-copy', inOneMinute())) }]);
    wedged.onLive('wedged', () => `http://127.0.0.1:${(silent.address() as AddressInfo).port}/program/wedged.flv`);
    const failed = await waitFor('wedged failed', () => wedged.statuses('wedged').find((s) => s.state === 'failed'));
    expect(relayStates).toEqual(['connecting', 'retrying', 'connecting', 'failed']);
    expect(failed.lastError).toBe('no data from the program feed for 2500 ms');
    await wedged.close();
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('when the room goes offline every relay stops and is idle', async () => {
    await publisher.done;
    await waitFor('offline', () => h.events.find((e) => e.room === 'show-7' && e.state === 'offline'));
    await waitFor('relays idle', () => manager.statuses('show-7').every((s) => s.state === 'idle'));
    // The relay was the destination room's publisher: it went away with it.
    await waitFor('copy offline', () => h.events.find((e) => e.room === 'show-7-copy' && e.state === 'offline'));
    await waitFor('tls offline', () => h.events.find((e) => e.room === 'show-7-tls' && e.state === 'offline'));
  });
});
