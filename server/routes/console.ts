import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { ServerCore } from '../core.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Where `console/build.mjs` (vite) puts the operator console. */
export const CONSOLE_DIST = path.join(root, 'dist', 'console');
const VIEWER_FILES = new Set(['/style.css', '/viewer.js']);

/**
 * The console's policy: its own scripts only, its API and WebSocket on this origin, the
 * preview from the gateway. A token kept in sessionStorage is only as safe as the page
 * that holds it, so nothing else may run there.
 */
function consolePolicy(request: FastifyRequest, previewUrl: string): string {
  const host = request.headers.host ?? '';
  return [
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: https: http:",
    "media-src 'self' blob:", `connect-src 'self' ws://${host} wss://${host} ${new URL(previewUrl).origin}`,
    "worker-src 'self' blob:", "frame-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'self'",
  ].join('; ');
}

/**
 * The web pages. `/`: the viewer page (console/index.html, its files under /viewer/).
 * `/console/…`: the operator console, a single-page app: its hashed assets are cached for
 * good, every other path under it is the app's index.html (no-cache), which routes itself.
 */
export async function consoleRoutes(app: FastifyInstance, core: ServerCore): Promise<void> {
  // No reply decorators here: plugins such as the job dashboard bring their own @fastify/static.
  await app.register(fastifyStatic, {
    root: path.join(root, 'console'), prefix: '/viewer/', index: false, decorateReply: false, allowedPath: (p) => VIEWER_FILES.has(p),
  });
  await app.register(fastifyStatic, {
    root: path.join(root, 'node_modules/mpegts.js/dist'), prefix: '/viewer/vendor/', decorateReply: false, allowedPath: (p) => p === '/mpegts.js',
  });
  const viewerPage = path.join(root, 'console', 'index.html');
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(await readFile(viewerPage)));

  await app.register(fastifyStatic, {
    root: path.join(CONSOLE_DIST, 'assets'), prefix: '/console/assets/', decorateReply: false, index: false,
    // File names carry their content hash; the build leaves .br and .gz copies beside each.
    immutable: true, maxAge: '365d', preCompressed: true,
  });
  const appPage = async (request: FastifyRequest, reply: FastifyReply) => {
    const html = await readFile(path.join(CONSOLE_DIST, 'index.html')).catch(() => null);
    if (!html) {
      return reply.code(503).type('text/plain; charset=utf-8')
        .send('The operator console is not built. `npm start` builds it; or run `node console/build.mjs`.');
    }
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache')
      .header('content-security-policy', consolePolicy(request, core.config.previewUrl))
      .header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer')
      .send(html);
  };
  app.get('/console', { schema: { hide: true } }, (_request, reply) => reply.redirect('/console/'));
  app.get('/console/', { schema: { hide: true } }, appPage);
  app.get('/console/*', { schema: { hide: true } }, appPage);
}
