import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { CLIENT_ROLES, INBOUND, OUTBOUND, PROTOCOL_VERSION, ERROR_CODES } from '../../protocol/index.js';
import type { ServerCore } from '../core.js';
import { fleetSnapshot } from '../fleet-metrics.js';

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
    const fleet = await fleetSnapshot(core);
    const m = core.metrics;
    m.hostsConnected.set(fleet.hostsAlive);
    m.roomsWaiting.set(fleet.roomsWaiting);
    m.renderCapacity.set(fleet.capacity);
    m.roomsPlaced.set(fleet.roomsPlaced);
    m.utilisation.set(fleet.utilisation);
    for (const [queue, c] of Object.entries(fleet.queues)) {
      m.queueDepth.set({ queue, state: 'waiting' }, c.waiting);
      m.queueDepth.set({ queue, state: 'active' }, c.active);
    }
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
