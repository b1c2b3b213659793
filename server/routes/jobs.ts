import { randomUUID } from 'node:crypto';
import type {} from '@fastify/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { SignJWT, jwtVerify } from 'jose';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { RestError } from '../../protocol/index.js';
import { requireAction } from '../auth/authenticate.js';
import type { ServerCore } from '../core.js';

export const JOBS_PATH = '/jobs';
export const JOBS_COOKIE = 'livehost_jobs';
/**
 * A dashboard cookie lives this long (never past its token's expiry); the console renews it
 * while the dashboard is open. Each request through it also checks that the token that
 * minted it is not revoked, so a revocation closes the dashboard at once.
 */
export const JOBS_COOKIE_TTL_S = 300;
// Its own audience: a dashboard cookie is no API token, and an API token is no dashboard cookie.
const AUDIENCE = 'livehost-jobs';
const ISSUER = 'livehost';
const DASHBOARD_POLICY = [
  "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:", "font-src 'self'",
  "connect-src 'self'", "object-src 'none'", "frame-ancestors 'self'",
].join('; ');

function cookieValue(request: FastifyRequest, name: string): string | null {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** Secure when the console is reached over TLS (directly or through a proxy that says so). */
function cookie(request: FastifyRequest, value: string, maxAge: number): string {
  const tls = request.protocol === 'https' || request.headers['x-forwarded-proto'] === 'https';
  return `${JOBS_COOKIE}=${value}; Path=${JOBS_PATH}; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${tls ? '; Secure' : ''}`;
}

/**
 * The BullMQ job dashboard (bull-board) over the server's queues, for admins, at /jobs/.
 * A browser cannot put a bearer header on a page load, so the console first calls
 * `POST /api/jobs/session` with its admin token and gets a short-lived HttpOnly,
 * SameSite=Strict cookie scoped to /jobs: the token never appears in a URL, page script
 * cannot read the cookie, and no other site can make the browser use it.
 */
export async function jobsRoutes(app: FastifyInstance, core: ServerCore): Promise<void> {
  const key = new TextEncoder().encode(core.config.jwtSecret);

  app.post('/api/jobs/session', {
    schema: {
      tags: ['ops'], summary: 'A 5-minute cookie that opens the job dashboard at /jobs/ (admin)',
      response: { 204: Type.Null(), 401: RestError, 403: RestError },
    },
    preValidation: requireAction(core, 'jobs.view'),
  }, async (request, reply) => {
    const now = Math.floor(Date.now() / 1000);
    const ttl = Math.max(1, Math.min(JOBS_COOKIE_TTL_S, Math.floor(request.claims!.expiresAt / 1000) - now));
    const jwt = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(request.claims!.tokenId).setJti(randomUUID()).setIssuer(ISSUER).setAudience(AUDIENCE)
      .setIssuedAt(now).setExpirationTime(now + ttl)
      .sign(key);
    return reply.header('set-cookie', cookie(request, jwt, ttl)).code(204).send();
  });

  app.delete('/api/jobs/session', {
    schema: { tags: ['ops'], summary: 'Forget the job dashboard cookie', security: [], response: { 204: Type.Null() } },
  }, async (request, reply) => reply.header('set-cookie', cookie(request, '', 0)).code(204).send());

  const board = new FastifyAdapter();
  board.setBasePath(JOBS_PATH);
  createBullBoard({
    queues: [core.queues.qa, core.queues.tts, core.queues.segments].map((q) => new BullMQAdapter(q)),
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'livehost jobs', hideDocsLink: true } },
  });

  const refuse = (reply: FastifyReply, why: string) => reply.code(401).send({
    error: { code: 'unauthorized', message: `${why}: open the job dashboard from the console (Jobs, admin only)` },
  });

  await app.register(async (scope) => {
    scope.addHook('onRequest', async (request, reply) => {
      const value = cookieValue(request, JOBS_COOKIE);
      if (!value) return refuse(reply, 'no dashboard session');
      let minter: string | undefined;
      try {
        minter = (await jwtVerify(value, key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] })).payload.sub;
      } catch {
        return refuse(reply, 'dashboard session expired or invalid');
      }
      if (!minter || await core.tokens.isRevoked(minter)) return refuse(reply, 'the token that opened this dashboard session was revoked');
    });
    // bull-board's page asks Google for its web font; nothing the dashboard needs may come from outside.
    scope.addHook('onSend', async (_request, reply, payload) => {
      reply.header('content-security-policy', DASHBOARD_POLICY);
      return payload;
    });
    await scope.register(board.registerPlugin(), { prefix: JOBS_PATH });
  });
}
