import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { CLIENT_ROLES, INBOUND, OUTBOUND, PROTOCOL_VERSION, ERROR_CODES } from '../../protocol/index.js';
import type { ServerCore } from '../core.js';

export async function healthRoutes(app: FastifyInstance, core: ServerCore): Promise<void> {
  app.get('/healthz', { schema: { tags: ['ops'], response: { 200: Type.Object({ ok: Type.Boolean(), instanceId: Type.String() }) } } },
    async () => ({ ok: true, instanceId: core.instanceId }));

  app.get('/readyz', { schema: { tags: ['ops'], response: { 200: Type.Object({ ok: Type.Boolean() }), 503: Type.Object({ ok: Type.Boolean(), error: Type.String() }) } } },
    async (_request, reply) => {
      try {
        await Promise.race([core.redis.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 1000))]);
        return { ok: true };
      } catch (err) {
        return reply.code(503).send({ ok: false, error: `redis unreachable: ${(err as Error).message}` });
      }
    });

  app.get('/metrics', { schema: { tags: ['ops'], hide: true } }, async (_request, reply) => {
    const hosts = await core.placement.hosts();
    core.metrics.hostsConnected.set(hosts.filter((h) => Date.now() - h.lastSeen <= core.config.hostTimeoutSeconds * 1000).length);
    core.metrics.roomsWaiting.set((await core.placement.waitingRooms()).length);
    return reply.type(core.metrics.registry.contentType).send(await core.metrics.registry.metrics());
  });

  // The WebSocket protocol as JSON Schema, for external clients in any language.
  app.get('/api/protocol', { schema: { tags: ['protocol'], summary: 'WebSocket message schemas (JSON Schema)' } }, async () => ({
    version: PROTOCOL_VERSION,
    errorCodes: ERROR_CODES,
    inbound: Object.fromEntries(CLIENT_ROLES.map((r) => [r, INBOUND[r]])),
    outbound: Object.fromEntries(CLIENT_ROLES.map((r) => [r, OUTBOUND[r]])),
  }));
}
