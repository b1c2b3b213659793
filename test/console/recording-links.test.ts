import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordingLink } from '../../protocol/index.js';
import { DownloadLinks } from '../../server/distribution/download-links.js';
import { cleanup, startServer, TEST_JWT_SECRET, type TestServer } from '../helpers/server.js';
import { writeRecording } from './recording-files.js';

/** Bytes this process has read (files and sockets alike), from the kernel. */
const bytesRead = (): number => Number(/rchar: (\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))?.[1]);

const MP4_BYTES = 256 * 1024 * 1024;

describe('recording downloads through short-lived signed links', () => {
  let srv: TestServer;
  let dataDir: string;
  let operator: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'livehost-links-'));
    srv = await startServer({ dataDir });
    await srv.core.rooms.create({ id: 'shop' });
    await srv.core.rooms.create({ id: 'other' });
    writeRecording(dataDir, 'shop', 'rec-1', MP4_BYTES);
    writeRecording(dataDir, 'shop', 'rec-2', 1000);
    writeRecording(dataDir, 'other', 'rec-9', 1000);
    operator = await srv.token({ role: 'operator', rooms: ['shop'] });
  });
  afterAll(async () => {
    await cleanup(srv);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const mint = async (url: string, token: string | null = operator) => srv.app.inject({
    method: 'POST', url: `${url}/link`, headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const download = (url: string) => srv.app.inject({ method: 'GET', url });

  it('a link minted with a token downloads the file without one, streamed from disk as the client reads it', async () => {
    const res = await mint('/api/rooms/shop/recordings/rec-1/show.mp4');
    expect(res.statusCode).toBe(201);
    const link = res.json<RecordingLink>();
    expect(link.url).toMatch(/^\/api\/downloads\/recordings\/shop\/rec-1\/show\.mp4\?expires=\d+&sig=[\w-]{43}$/);
    expect(link.url).not.toContain(operator);
    expect(link.expiresAt - Date.now()).toBeGreaterThan(60_000);
    expect(link.expiresAt - Date.now()).toBeLessThanOrEqual(300_000);

    // Over a real socket, no authorization header. Were the file read whole before answering,
    // the first bytes would come after all 256 MiB had been read; streamed, after a few.
    const before = bytesRead();
    const { readAtFirstByte, total, headers } = await new Promise<{ readAtFirstByte: number; total: number; headers: Record<string, unknown> }>((resolve, reject) => {
      get(`${srv.url}${link.url}`, (response) => {
        let total = 0;
        let readAtFirstByte = -1;
        response.on('data', (chunk: Buffer) => {
          if (readAtFirstByte < 0) readAtFirstByte = bytesRead() - before;
          total += chunk.length;
        });
        response.on('end', () => resolve({ readAtFirstByte, total, headers: { ...response.headers, status: response.statusCode } }));
        response.on('error', reject);
      }).on('error', reject);
    });
    expect(headers).toMatchObject({
      status: 200, 'content-type': 'video/mp4', 'content-length': String(MP4_BYTES),
      'content-disposition': 'attachment; filename="shop-rec-1-show.mp4"', 'cache-control': 'no-store',
    });
    expect(total).toBe(MP4_BYTES);
    expect(readAtFirstByte).toBeGreaterThan(0);
    expect(readAtFirstByte).toBeLessThan(MP4_BYTES / 4);
  }, 60_000);

  it('an expired link is refused, and so is one whose expiry was moved', async () => {
    // Signed with the server's own secret an hour ago: a genuine link, past its time.
    const target = { room: 'shop', id: 'rec-2', file: 'show.mp4' };
    const old = new DownloadLinks(TEST_JWT_SECRET, () => Date.now() - 3_600_000).sign(target);
    const expired = await download(`/api/downloads/recordings/shop/rec-2/show.mp4?expires=${old.expires}&sig=${old.sig}`);
    expect(expired.statusCode).toBe(403);
    expect(expired.json().error.message).toContain('expired');
    const moved = await download(`/api/downloads/recordings/shop/rec-2/show.mp4?expires=${old.expires + 7200}&sig=${old.sig}`);
    expect(moved.statusCode).toBe(403);
    expect(moved.json().error.message).toContain('not valid');
  });

  it('a forged signature, or one minted for another file, recording or room, is refused', async () => {
    const { url } = (await mint('/api/rooms/shop/recordings/rec-2/show.mp4')).json<RecordingLink>();
    expect((await download(url)).statusCode).toBe(200);
    const query = url.slice(url.indexOf('?'));
    const sig = new URLSearchParams(query).get('sig')!;
    const flipped = `${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`;
    const refusals = [
      `/api/downloads/recordings/shop/rec-2/show.mp4${query.replace(sig, flipped)}`,
      `/api/downloads/recordings/shop/rec-2/index.m3u8${query}`,
      `/api/downloads/recordings/shop/rec-1/show.mp4${query}`,
      `/api/downloads/recordings/other/rec-2/show.mp4${query}`,
      // A signature made with another secret: well formed, worth nothing here.
      (() => {
        const forged = new DownloadLinks('another-secret-0123456789abcdefghijklmnop').sign({ room: 'shop', id: 'rec-2', file: 'show.mp4' });
        return `/api/downloads/recordings/shop/rec-2/show.mp4?expires=${forged.expires}&sig=${forged.sig}`;
      })(),
    ];
    for (const bad of refusals) {
      const res = await download(bad);
      expect(res.statusCode, bad).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
    }
    // Malformed links are a client's mistake, not a crash.
    expect((await download('/api/downloads/recordings/shop/rec-2/show.mp4')).statusCode).toBe(400);
    expect((await download('/api/downloads/recordings/shop/rec-2/show.mp4?expires=soon&sig=x')).statusCode).toBe(400);
    expect((await download('/api/downloads/recordings/shop/rec-2/../../secrets.json?expires=1&sig=x')).statusCode).toBeGreaterThanOrEqual(400);
  });

  it('only those who may read the room’s recordings mint a link, and only for a file that exists', async () => {
    expect((await mint('/api/rooms/shop/recordings/rec-2/show.mp4', null)).statusCode).toBe(401);
    expect((await mint('/api/rooms/other/recordings/rec-9/show.mp4')).statusCode).toBe(403);
    expect((await mint('/api/rooms/shop/recordings/rec-2/show.mp4', await srv.token({ role: 'viewer', rooms: ['shop'] }))).statusCode).toBe(403);
    expect((await mint('/api/rooms/shop/recordings/rec-404/show.mp4')).statusCode).toBe(404);
    expect((await mint('/api/rooms/shop/recordings/rec-2/secrets.json')).statusCode).toBe(400);
  });
});
