import type { FastifyInstance } from 'fastify';
import type { ServerCore } from '../core.js';

/** The console and viewer pages arrive with the live-picture issue; until then, a pointer. */
export async function consoleRoutes(app: FastifyInstance, _core: ServerCore): Promise<void> {
  app.get('/', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/html').send('<!doctype html><title>livehost</title><h1>livehost</h1><p>API docs: <a href="/docs">/docs</a></p>'));
}
