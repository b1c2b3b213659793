import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ServerCore } from '../core.js';
import type { Claims } from './claims.js';
import { canAccessRoom } from './claims.js';
import { ProtocolError } from './auth-error.js';
import { allows, type Action } from './permissions.js';

declare module 'fastify' {
  interface FastifyRequest {
    claims?: Claims;
  }
}

// RFC 7235 §2.1: the auth-scheme is case-insensitive ("bearer", "BEARER" are Bearer).
const BEARER = /^bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * The request's token: from `Authorization: Bearer …`; from `?token=` only where a browser
 * cannot set that header — a WebSocket upgrade (`allowQuery`). On REST a token in the URL
 * would end up in history, proxies' logs and Referer headers, so it is not accepted there.
 */
export function tokenFrom(request: FastifyRequest, opts: { allowQuery?: boolean } = {}): string | null {
  const header = request.headers.authorization;
  if (header !== undefined) return BEARER.exec(header)?.[1] ?? null;
  if (!opts.allowQuery) return null;
  const query = request.query as Record<string, unknown> | undefined;
  return typeof query?.token === 'string' ? query.token : null;
}

/**
 * A preValidation hook for an action: runs before the body is read and, on WebSocket
 * routes, before the upgrade completes, so a refused client never gets a socket.
 * With `roomParam`, the route's room must be in the token's scope.
 */
export function requireAction(core: ServerCore, action: Action, roomParam?: string) {
  const guard = async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    // The ws.* actions are the WebSocket hubs: browsers can only authenticate those by query.
    const token = tokenFrom(request, { allowQuery: action.startsWith('ws.') });
    if (!token) {
      const why = request.headers.authorization !== undefined ? 'the Authorization header is not "Bearer <token>"' : 'missing bearer token';
      throw new ProtocolError('unauthorized', why);
    }
    const claims = await core.tokens.verify(token);
    if (!allows(claims.role, action)) throw new ProtocolError('forbidden', `role ${claims.role} may not ${action}`);
    if (roomParam) {
      const room = (request.params as Record<string, string>)[roomParam];
      if (!room || !canAccessRoom(claims, room)) throw new ProtocolError('forbidden', `no access to room ${room ?? ''}`);
    }
    request.claims = claims;
  };
  return Object.assign(guard, { [GUARDS]: action });
}

const GUARDS = Symbol('livehost.requireAction');

/**
 * OpenAPI says which routes need a token from the routes themselves: one guarded by
 * requireAction keeps the document's default (bearer); every other route is public
 * (`security: []`), so the document cannot drift from what the server enforces.
 */
export const openApiSecurity = fp(async (app: FastifyInstance) => {
  app.addHook('onRoute', (route) => {
    const hooks = [route.preValidation].flat().filter(Boolean) as Array<Partial<Record<typeof GUARDS, Action>>>;
    if (hooks.some((h) => h[GUARDS] !== undefined)) return;
    route.schema = { ...route.schema, security: [] };
  });
}, { name: 'livehost-openapi-security' });
