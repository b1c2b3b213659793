import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_ROLES, ERROR_CODES, PROTOCOL_VERSION } from '../../protocol/index.js';
import { cleanup, startServer, type TestServer } from '../helpers/server.js';

describe('self-description', () => {
  let srv: TestServer;
  beforeAll(async () => { srv = await startServer(); });
  afterAll(async () => cleanup(srv));

  it('serves OpenAPI for every REST route, with request and response schemas', async () => {
    const doc = await (await fetch(`${srv.url}/docs/json`)).json();
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of ['/api/rooms', '/api/rooms/{room}', '/api/rooms/{room}/kb', '/api/tokens', '/api/tokens/{tokenId}', '/api/hosts', '/readyz']) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    const create = doc.paths['/api/rooms'].post;
    expect(create.requestBody.content['application/json'].schema.properties.id).toBeDefined();
    expect(create.responses['201']).toBeDefined();
    expect((await fetch(`${srv.url}/docs/`)).status).toBe(200);
  });

  it('marks the routes that need no token as public, and only those', async () => {
    const doc = await (await fetch(`${srv.url}/docs/json`)).json() as { security: unknown; paths: Record<string, Record<string, { security?: unknown[] }>> };
    expect(doc.security).toEqual([{ bearer: [] }]);
    for (const [path, method] of [['/healthz', 'get'], ['/readyz', 'get'], ['/api/protocol', 'get'], ['/api/public/rooms', 'get'], ['/api/public/rooms/{room}/viewer-token', 'post']] as const) {
      expect(doc.paths[path]?.[method]?.security, `${method} ${path}`).toEqual([]);
    }
    for (const [path, method] of [['/api/rooms', 'get'], ['/api/rooms', 'post'], ['/api/tokens', 'post'], ['/api/rooms/{room}/say', 'post']] as const) {
      expect(doc.paths[path]?.[method]?.security, `${method} ${path}`).toBeUndefined();
    }
    // And what the document calls public is: no token, no 401.
    for (const path of ['/healthz', '/readyz', '/api/protocol', '/api/public/rooms']) expect((await fetch(`${srv.url}${path}`)).status, path).toBe(200);
  });

  it('serves the WebSocket protocol as JSON Schema, per role and direction', async () => {
    const proto = await (await fetch(`${srv.url}/api/protocol`)).json();
    expect(proto.version).toBe(PROTOCOL_VERSION);
    expect(Object.keys(proto.errorCodes)).toEqual(Object.keys(ERROR_CODES));
    for (const role of CLIENT_ROLES) {
      const types = proto.inbound[role].anyOf.map((m: { properties: { type: { const: string } } }) => m.properties.type.const);
      expect(types).toContain('ping');
      expect(proto.outbound[role].anyOf.length).toBeGreaterThan(3);
    }
  });

  it('reports readiness from Redis and exposes Prometheus metrics', async () => {
    expect((await fetch(`${srv.url}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${srv.url}/metrics`)).text();
    expect(metrics).toContain('livehost_ws_connections');
    expect(metrics).toContain('livehost_command_relay_seconds');
  });
});
