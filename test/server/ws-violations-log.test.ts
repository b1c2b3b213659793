import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenService } from '../../server/auth/token-service.js';
import { freePort } from '../../stream-gateway/free-port.js';
import { startPart, type Part } from '../helpers/processes.js';
import { deletePrefix, redisUrl, testPrefix } from '../helpers/redis.js';
import { TEST_JWT_SECRET, TEST_PUBLISH_SECRET } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';

/** A client frame as bytes (RFC 6455 §5.2: masked, short payload), for frames `ws` would never send. */
function rawFrame(firstByte: number, payload: Buffer): Buffer {
  const mask = Buffer.from([1, 2, 3, 4]);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from([firstByte, 0x80 | payload.length]), mask, masked]);
}

/**
 * A hostile client's WebSocket traffic, against a real server process: every protocol
 * violation gets its error frame or close code, and the server's log gets no ERROR and no
 * stack for any of it (one debug line each, off at the default level).
 */
describe('WebSocket protocol violations are not the server\'s errors', () => {
  const prefix = testPrefix('wsviol');
  let server: Part;
  let ws = '';
  let operator = '';

  beforeAll(async () => {
    const port = await freePort('127.0.0.1');
    ws = `ws://127.0.0.1:${port}`;
    server = await startPart('server/main.ts', {
      REDIS_URL: redisUrl(), PORT: String(port), HOST: '127.0.0.1', LIVEHOST_REDIS_PREFIX: prefix,
      LIVEHOST_JWT_SECRET: TEST_JWT_SECRET, LIVEHOST_PUBLISH_SECRET: TEST_PUBLISH_SECRET, LOG_LEVEL: 'info',
      LIVEHOST_WS_RATE: '20', LIVEHOST_WS_BURST: '20',
    }, /Server listening/);
    const redis = new Redis(redisUrl());
    operator = (await new TokenService(TEST_JWT_SECRET, redis, prefix).issue({ role: 'operator', rooms: ['mine'] })).token;
    await redis.quit();
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
    await deletePrefix(prefix);
  });

  it('bad JSON, unknown types, invalid and forbidden messages, floods and malformed frames', async () => {
    const c = await TestClient.connect(`${ws}/ws/operator`, operator);
    c.send('{"type": ');
    c.send({ type: 'teleport', id: 'u1' });
    c.send({ type: 'room.subscribe', id: 'i1', room: 'NOT A SLUG' });
    c.send({ type: 'room.subscribe', id: 'f1', room: 'theirs' });
    c.send({ type: 'room.subscribe', id: 'n1', room: 'mine' });
    await c.next((f) => f.type === 'error' && f.ref === 'n1');
    expect(c.frames.filter((f) => f.type === 'error').map((f) => f.code)).toEqual(['bad_json', 'unknown_type', 'invalid_message', 'forbidden', 'not_found']);
    for (let i = 0; i < 200; i++) c.send({ type: 'ping', id: `p${i}` });
    expect((await c.waitClose(10_000)).code).toBe(1008);

    // Frames no library would send: invalid UTF-8 in a text frame, a reserved bit set, an unknown opcode.
    for (const frame of [rawFrame(0x81, Buffer.from([0xc3, 0x28])), rawFrame(0xc1, Buffer.from('hi')), rawFrame(0x83, Buffer.from('x'))]) {
      const raw = await TestClient.connect(`${ws}/ws/operator`, operator);
      (raw.ws as unknown as { _socket: { write(b: Buffer): void } })._socket.write(frame);
      const closed = await raw.waitClose(10_000);
      expect([1002, 1007]).toContain(closed.code);
    }
    // The server is fine.
    const after = await TestClient.connect(`${ws}/ws/operator`, operator);
    after.send({ type: 'ping', id: 'alive' });
    await after.next((f) => f.type === 'pong');
    after.close();

    // A last refusal, logged at info: once its line is in, every line before it is too (one pipe, in order).
    const parse = () => server.output().split('\n').flatMap((l) => { try { return [JSON.parse(l) as { level: number; msg: string; url?: string }]; } catch { return []; } });
    await fetch(`${ws.replace('ws', 'http')}/api/tokens?barrier=1`, { headers: { authorization: 'Basic x' } });
    for (const end = Date.now() + 20_000; !parse().some((l) => l.url === '/api/tokens?…') && Date.now() < end;) await new Promise((r) => setTimeout(r, 20));
    const lines = parse();
    expect(lines.filter((l) => l.level >= 50).map((l) => l.msg)).toEqual([]);
    expect(server.output()).not.toMatch(/"stack"|\n\s+at /);
  });
});
