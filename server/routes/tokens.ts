import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { EntityId, HostList, IssueTokenBody, IssuedToken, RestError, TokenInfo, type IssueTokenBody as IssueTokenBodyT } from '../../protocol/index.js';
import { requireAction } from '../auth/authenticate.js';
import type { ServerCore } from '../core.js';

const errors = { 400: RestError, 401: RestError, 403: RestError, 404: RestError };

export async function tokenRoutes(app: FastifyInstance, core: ServerCore): Promise<void> {
  app.post<{ Body: IssueTokenBodyT }>('/api/tokens', {
    schema: { tags: ['tokens'], summary: 'Issue a token (shown once, never stored)', body: IssueTokenBody, response: { 201: IssuedToken, ...errors } },
    preValidation: requireAction(core, 'tokens.issue'),
  }, async (request, reply) => {
    const issued = await core.tokens.issue(request.body);
    request.log.info({ tokenId: issued.info.tokenId, role: issued.info.role }, 'token issued');
    return reply.code(201).send(issued);
  });

  app.get('/api/tokens', {
    schema: { tags: ['tokens'], response: { 200: Type.Object({ tokens: Type.Array(TokenInfo) }), ...errors } },
    preValidation: requireAction(core, 'tokens.list'),
  }, async () => ({ tokens: await core.tokens.list() }));

  app.delete<{ Params: { tokenId: string } }>('/api/tokens/:tokenId', {
    schema: { tags: ['tokens'], summary: 'Revoke a token; open sockets using it close within 1 s', params: Type.Object({ tokenId: EntityId }), response: { 200: TokenInfo, ...errors } },
    preValidation: requireAction(core, 'tokens.revoke'),
  }, async (request) => {
    const info = await core.tokens.revoke(request.params.tokenId);
    app.closeToken(info.tokenId);
    await core.bus.publish('revoke', { tokenId: info.tokenId });
    request.log.info({ tokenId: info.tokenId }, 'token revoked');
    return info;
  });

  app.get('/api/hosts', {
    schema: { tags: ['render hosts'], response: { 200: HostList, ...errors } },
    preValidation: requireAction(core, 'hosts.list'),
  }, async () => ({ hosts: await core.placement.hosts() }));
}
