import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../stream-gateway/free-port.js';
import { startPart, type Part } from '../helpers/processes.js';
import { deletePrefix, redisUrl, testPrefix } from '../helpers/redis.js';
import { TEST_JWT_SECRET, TEST_PUBLISH_SECRET } from '../helpers/server.js';
import { Redis } from 'ioredis';
import { TokenService } from '../../server/auth/token-service.js';

interface Sent { status: number; headers: Record<string, string | string[] | undefined>; body: string }

/** A raw request: the path goes out as written (fetch would normalize `..` and `%2f`). */
function send(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let data = '';
      res.on('data', (d: Buffer) => { data += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/**
 * A hostile client's REST requests, against a real server process: each one is a clear
 * 4xx with a code in the one error shape — never `500 internal` — and the server's log
 * gets no ERROR line and no stack for any of them.
 */
describe('bad REST requests are client errors', () => {
  const prefix = testPrefix('badreq');
  let server: Part;
  let port = 0;
  let auth: Record<string, string> = {};

  beforeAll(async () => {
    port = await freePort('127.0.0.1');
    server = await startPart('server/main.ts', {
      REDIS_URL: redisUrl(), PORT: String(port), HOST: '127.0.0.1', LIVEHOST_REDIS_PREFIX: prefix,
      LIVEHOST_JWT_SECRET: TEST_JWT_SECRET, LIVEHOST_PUBLISH_SECRET: TEST_PUBLISH_SECRET, LOG_LEVEL: 'info',
    }, /Server listening/);
    const redis = new Redis(redisUrl());
    auth = { authorization: `Bearer ${(await new TokenService(TEST_JWT_SECRET, redis, prefix).issue({ role: 'admin' })).token}` };
    await redis.quit();
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
    await deletePrefix(prefix);
  });

  const json = (extra: Record<string, string> = {}) => ({ ...auth, 'content-type': 'application/json', ...extra });
  const CASES: Array<[string, () => Promise<Sent>, number, string]> = [
    ['an XML body', () => send(port, 'POST', '/api/rooms', { ...auth, 'content-type': 'application/xml' }, '<room id="x"/>'), 415, 'unsupported_media_type'],
    ['a text body', () => send(port, 'POST', '/api/rooms', { ...auth, 'content-type': 'text/plain' }, 'id=x'), 415, 'unsupported_media_type'],
    ['a form body', () => send(port, 'POST', '/api/rooms', { ...auth, 'content-type': 'application/x-www-form-urlencoded' }, 'id=x'), 415, 'unsupported_media_type'],
    ['a multipart body', () => send(port, 'POST', '/api/rooms', { ...auth, 'content-type': 'multipart/form-data; boundary=b' }, '--b--'), 415, 'unsupported_media_type'],
    ['a body without a content type', () => send(port, 'POST', '/api/rooms', auth, '{"id":"x"}'), 415, 'unsupported_media_type'],
    ['broken JSON', () => send(port, 'POST', '/api/rooms', json(), '{"id":'), 400, 'bad_json'],
    ['an empty JSON body', () => send(port, 'POST', '/api/rooms', json(), ''), 400, 'bad_json'],
    ['a __proto__ key', () => send(port, 'POST', '/api/rooms', json(), '{"id":"p","__proto__":{"admin":true}}'), 400, 'bad_json'],
    ['JSON that is not an object', () => send(port, 'POST', '/api/rooms', json(), '[1,2]'), 400, 'invalid_message'],
    ['a body over the limit', () => send(port, 'POST', '/api/rooms', json(), `{"id":"${'a'.repeat(300_000)}"}`), 413, 'too_large'],
    ['a bad path parameter', () => send(port, 'GET', '/api/rooms/UPPER..case', auth), 400, 'invalid_message'],
    ['a malformed percent-encoding', () => send(port, 'GET', '/api/rooms/%E0%A4%A', auth), 400, 'invalid_message'],
    ['an over-long path parameter', () => send(port, 'DELETE', `/api/tokens/${'t'.repeat(300)}`, auth), 414, 'too_large'],
    ['an unknown route', () => send(port, 'GET', '/api/nothing-here', auth), 404, 'not_found'],
    ['a wrong method', () => send(port, 'PUT', '/api/rooms', json(), '{}'), 405, 'method_not_allowed'],
    ['OPTIONS', () => send(port, 'OPTIONS', '/api/tokens', auth), 405, 'method_not_allowed'],
    ['a POST to a GET route', () => send(port, 'POST', '/healthz', json(), '{}'), 405, 'method_not_allowed'],
    ['path traversal out of the viewer files', () => send(port, 'GET', '/viewer/..%2f..%2fpackage.json'), 404, 'not_found'],
    ['a dotfile in the viewer files', () => send(port, 'GET', '/viewer/.env'), 404, 'not_found'],
    ['a vendor file that is not allowed', () => send(port, 'GET', '/viewer/vendor/mpegts.js.map'), 404, 'not_found'],
    ['path traversal out of the console assets', () => send(port, 'GET', '/console/assets/..%2f..%2f..%2fpackage.json'), 404, 'not_found'],
    ['a NUL byte in a static path', () => send(port, 'GET', '/viewer/%00'), 403, 'forbidden'],
    ['a missing console asset', () => send(port, 'GET', '/console/assets/nope.js'), 404, 'not_found'],
    ['a hub without the upgrade', () => send(port, 'GET', '/ws/operator', auth), 426, 'invalid_message'],
    ['a token in a REST query', () => send(port, 'GET', `/api/rooms?token=${auth.authorization!.slice(7)}`), 401, 'unauthorized'],
    ['another auth scheme', () => send(port, 'GET', '/api/rooms', { authorization: 'Basic YWRtaW46YWRtaW4=' }), 401, 'unauthorized'],
  ];

  for (const [what, call, status, code] of CASES) {
    it(`${what} is ${status} ${code}`, async () => {
      const res = await call();
      expect(res.status, res.body.slice(0, 200)).toBe(status);
      expect(JSON.parse(res.body)).toEqual({ error: { code, message: expect.any(String) } });
      if (status === 405) expect(String(res.headers.allow)).toMatch(/^[A-Z, ]+$/);
      if (status === 426) expect(res.headers.upgrade).toBe('websocket');
    });
  }

  it('none of them wrote an ERROR or a stack to the log', async () => {
    const parse = () => server.output().split('\n').flatMap((l) => { try { return [JSON.parse(l) as { level: number; msg: string; url?: string }]; } catch { return []; } });
    // A last refusal, logged at info: once its line is in, every line before it is too (one pipe, in order).
    await send(port, 'GET', '/api/tokens?barrier=1', { authorization: 'Basic x' });
    for (const end = Date.now() + 20_000; !parse().some((l) => l.url === '/api/tokens?…' && l.msg === 'request refused') && Date.now() < end;) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const lines = parse();
    expect(lines.filter((l) => l.level >= 50).map((l) => l.msg)).toEqual([]);
    expect(server.output()).not.toMatch(/"stack"|\n\s+at /);
    // The refused credentials are there, one line each, with their code.
    expect(lines.filter((l) => l.msg === 'request refused').length).toBeGreaterThanOrEqual(2);
  });
});
