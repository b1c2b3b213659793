import type { FastifyReply, FastifyRequest } from 'fastify';
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

/** Bearer header first; `?token=` only for clients that cannot set headers (browsers' WebSocket). */
export function tokenFrom(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  const query = request.query as Record<string, unknown> | undefined;
  return typeof query?.token === 'string' ? query.token : null;
}

/**
 * A preValidation hook for an action: runs before the body is read and, on WebSocket
 * routes, before the upgrade completes, so a refused client never gets a socket.
 * With `roomParam`, the route's room must be in the token's scope.
 */
export function requireAction(core: ServerCore, action: Action, roomParam?: string) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const token = tokenFrom(request);
    if (!token) throw new ProtocolError('unauthorized', 'missing bearer token');
    const claims = await core.tokens.verify(token);
    if (!allows(claims.role, action)) throw new ProtocolError('forbidden', `role ${claims.role} may not ${action}`);
    if (roomParam) {
      const room = (request.params as Record<string, string>)[roomParam];
      if (!room || !canAccessRoom(claims, room)) throw new ProtocolError('forbidden', `no access to room ${room ?? ''}`);
    }
    request.claims = claims;
  };
}
