import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { ServerCore } from '../core.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The web pages: the viewer page at `/`, their assets under `/console/`. */
export async function consoleRoutes(app: FastifyInstance, _core: ServerCore): Promise<void> {
  await app.register(fastifyStatic, { root: path.join(root, 'console'), prefix: '/console/', index: false });
  await app.register(fastifyStatic, {
    root: path.join(root, 'node_modules/mpegts.js/dist'), prefix: '/console/vendor/', decorateReply: false, allowedPath: (p) => p === '/mpegts.js',
  });
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.sendFile('index.html'));
}
