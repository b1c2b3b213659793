import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import { Type } from '@sinclair/typebox';
import { RestError, RoomId, redisKeys } from '../../protocol/index.js';
import { signPlayToken } from '../../protocol/publish-key.js';
import type { ServerCore } from '../core.js';

const PublicRoom = Type.Object({ id: RoomId, name: Type.String(), live: Type.Boolean(), preview: Type.String() });
const VIEWER_TTL_S = 3600;

/**
 * What an anonymous viewer may do: see which shows exist and get a short-lived viewer
 * token for one (to ask questions and, with play auth on, to watch). Everything else
 * needs a token issued by an admin.
 */
export async function publicRoutes(app: FastifyInstance, core: ServerCore): Promise<void> {
  const liveKey = redisKeys(core.config.redisPrefix).liveStreams;
  const previewOf = (room: string) => `${core.config.previewUrl}/${room}.flv`;

  app.get('/api/public/rooms', {
    schema: { tags: ['viewers'], summary: 'Shows a viewer can pick', security: [], response: { 200: Type.Object({ rooms: Type.Array(PublicRoom) }) } },
  }, async () => {
    const rooms = await core.rooms.list();
    const live = new Set(await core.redis.hkeys(liveKey));
    return { rooms: rooms.map((r) => ({ id: r.id, name: r.name, live: live.has(r.id), preview: previewOf(r.id) })) };
  });

  app.post<{ Params: { room: string } }>('/api/public/rooms/:room/viewer-token', {
    schema: {
      tags: ['viewers'], summary: 'A one-hour viewer token for a room', security: [], params: Type.Object({ room: RoomId }),
      response: { 201: Type.Object({ token: Type.String(), preview: Type.String(), expiresAt: Type.Number() }), 404: RestError, 429: RestError },
    },
  }, async (request, reply) => {
    const { room } = request.params;
    await core.rooms.get(room);
    // One token per address per few seconds: enough for a page, useless for minting in bulk.
    const ok = await core.redis.set(`${core.config.redisPrefix}:viewer-mint:${request.ip}`, '1', 'PX', 2000, 'NX');
    if (!ok) return reply.code(429).send({ error: { code: 'rate_limited', message: 'slow down' } });
    const { token, info } = await core.tokens.issue({ role: 'viewer', rooms: [room], ttlSeconds: VIEWER_TTL_S, label: 'viewer page' });
    const play = signPlayToken(core.config.publishSecret, room, Math.floor(info.expiresAt / 1000));
    return reply.code(201).send({ token, preview: `${previewOf(room)}?token=${play}`, expiresAt: info.expiresAt });
  });
}
