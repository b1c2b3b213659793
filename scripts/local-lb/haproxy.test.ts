import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import WebSocket, { WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haproxyConfig } from './haproxy-config.js';
import { haproxyBinary, startLocalBalancer, type LocalBalancer } from './haproxy.js';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A stand-in instance: /readyz answers as `ready()` says, other paths say its name, WebSockets echo with it. */
async function instance(name: string, ready: () => boolean): Promise<{ port: number; server: http.Server }> {
  const server = http.createServer((req, res) => {
    if (req.url === '/readyz') res.writeHead(ready() ? 200 : 503).end();
    else res.end(name);
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => ws.on('message', (d) => ws.send(`${name}:${d.toString()}`)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as AddressInfo).port, server };
}

describe('the local HAProxy in front of server instances', () => {
  let lb: LocalBalancer;
  let bReady = false;
  let a: Awaited<ReturnType<typeof instance>>;
  let b: Awaited<ReturnType<typeof instance>>;

  beforeAll(async () => {
    a = await instance('a', () => true);
    b = await instance('b', () => bReady);
    lb = await startLocalBalancer({ backends: [{ name: 'a', host: '127.0.0.1', port: a.port }, { name: 'b', host: '127.0.0.1', port: b.port }] });
  });

  afterAll(async () => {
    await lb?.stop();
    a?.server.closeAllConnections();
    b?.server.closeAllConnections();
    a?.server.close();
    b?.server.close();
  });

  it('takes an instance out while its /readyz fails and back when it passes', async () => {
    await lb.waitFor(['a'], 'UP');
    await lb.waitFor(['b'], 'DOWN');
    const names = await Promise.all(Array.from({ length: 6 }, async () => (await fetch(`${lb.url}/who`)).text()));
    expect(names).toEqual(['a', 'a', 'a', 'a', 'a', 'a']);
    bReady = true;
    await lb.waitFor(['a', 'b'], 'UP');
  });

  it('tunnels a WebSocket through to an instance', async () => {
    const ws = new WebSocket(`${lb.wsUrl}/ws`);
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    const reply = new Promise<string>((resolve) => ws.once('message', (d) => resolve(d.toString())));
    ws.send('hello');
    expect(await reply).toMatch(/^[ab]:hello$/);
    ws.close();
  });

  it('sends a request refused by an instance that just died to another one, before the checks notice', async () => {
    await lb.waitFor(['a', 'b'], 'UP');
    a.server.closeAllConnections();
    await new Promise((r) => a.server.close(() => r(undefined)));
    // Straight after the close: `a` is still UP to HAProxy, so some of these are sent to it first.
    const answers = await Promise.all(Array.from({ length: 10 }, async () => {
      const res = await fetch(`${lb.url}/who`);
      return `${res.status} ${await res.text()}`;
    }));
    expect(answers).toEqual(Array.from({ length: 10 }, () => '200 b'));
    await lb.waitFor(['a'], 'DOWN');
  });

  it('the generated configuration and docker/haproxy.cfg both pass haproxy -c', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'livehost-haproxy-check-'));
    try {
      const file = path.join(dir, 'haproxy.cfg');
      writeFileSync(file, haproxyConfig({ bind: { host: '127.0.0.1', port: 1 }, backends: [{ name: 's1', host: '127.0.0.1', port: 2 }] }));
      await expect(run(haproxyBinary(), ['-c', '-q', '-f', file])).resolves.toBeDefined();
      await expect(run(haproxyBinary(), ['-c', '-q', '-f', path.join(root, 'docker/haproxy.cfg')])).resolves.toBeDefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a backend name or host that could change the configuration', () => {
    expect(() => haproxyConfig({ bind: { host: '127.0.0.1', port: 1 }, backends: [{ name: 's1\n  server x', host: '127.0.0.1', port: 2 }] })).toThrow(/backend name/);
    expect(() => haproxyConfig({ bind: { host: '127.0.0.1', port: 1 }, backends: [{ name: 's1', host: '1.2.3.4 backup', port: 2 }] })).toThrow(/backend host/);
  });
});

describe('the local HAProxy when an instance dies holding a request', () => {
  let lb: LocalBalancer;
  /** Bodies of the writes each instance received. */
  const took: Record<'mute' | 'other', string[]> = { mute: [], other: [] };
  const standIn = (name: 'mute' | 'other') => http.createServer((req, res) => {
    if (req.url === '/readyz') return res.writeHead(200).end();
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (req.method === 'POST') took[name].push(body);
      // The mute one reads the request, then drops the connection without a word: an instance dying mid-request.
      if (name === 'mute') req.socket.destroy();
      else res.end(name);
    });
  });
  const mute = standIn('mute');
  const other = standIn('other');

  beforeAll(async () => {
    for (const s of [mute, other]) await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    lb = await startLocalBalancer({ backends: [
      { name: 'mute', host: '127.0.0.1', port: (mute.address() as AddressInfo).port },
      { name: 'other', host: '127.0.0.1', port: (other.address() as AddressInfo).port },
    ] });
    await lb.waitFor(['mute', 'other'], 'UP');
  });

  afterAll(async () => {
    await lb?.stop();
    for (const s of [mute, other]) { s.closeAllConnections(); s.close(); }
  });

  it('answers a read from another instance, and never sends a write on to a second one', async () => {
    const reads = await Promise.all(Array.from({ length: 10 }, async () => {
      const res = await fetch(`${lb.url}/who`);
      return `${res.status} ${await res.text()}`;
    }));
    expect(reads).toEqual(Array.from({ length: 10 }, () => '200 other'));
    // A write the mute instance took fails for its client (a 502, or the connection closed), and is not repeated.
    const writes = await Promise.all(Array.from({ length: 10 }, async (_, i) => {
      try {
        return (await fetch(`${lb.url}/who`, { method: 'POST', body: `w${i}` })).status;
      } catch {
        return 'closed';
      }
    }));
    expect(took.mute.length).toBeGreaterThan(0);
    expect(took.mute.filter((b) => took.other.includes(b))).toEqual([]);
    expect(writes.filter((w) => w === 200)).toHaveLength(took.other.length);
  });
});
