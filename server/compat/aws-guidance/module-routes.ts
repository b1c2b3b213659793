import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ProtocolError } from '../../auth/auth-error.js';
import { canAccessRoom } from '../../auth/claims.js';
import { Mp3Error } from './mp3-cache.js';
import { MAX_PICTURE_BYTES } from './pictures.js';
import { Player } from './player.js';
import type { Compat } from './plugin.js';
import { PollQuery } from './wire.js';

const MediaName = Type.Object({ name: Type.String({ maxLength: 80 }) });
const SignedQuery = Type.Object({ sig: Type.Optional(Type.String({ maxLength: 64 })), exp: Type.Optional(Type.String({ maxLength: 16 })) });
const MP3_NAME = /^([a-f0-9]{40})\.mp3$/;

/**
 * What the render module (and a browser's `<audio>` / `<img>`) fetches: the poll, the
 * MP3 of what it plays, and the pictures. The poll is hit once a second by every module:
 * when nothing changed it costs the token check and one Redis read of the module's state.
 */
export function moduleRoutes(c: Compat): void {
  const { auth, player } = c;

  c.route({
    method: 'GET', url: '/get_material_metadata_to_be_played_bykey', schema: { querystring: PollQuery }, preValidation: auth.poll(),
    handler: async (request: FastifyRequest<{ Querystring: { vr_module: string } }>, reply) => {
      const vrModule = request.query.vr_module;
      const room = auth.roomOf(vrModule);
      if (!canAccessRoom(request.claims!, room)) throw new ProtocolError('forbidden', `no access to vr_module ${vrModule}`);
      const state = await player.current(vrModule);
      // Modules poll often: a cache (or a proxy) must never hand one an old start.
      void reply.header('cache-control', 'no-store');
      return state ? Player.view(state, c.base(request)) : reply.type('application/json').send('"noaction"');
    },
  });

  c.route({
    method: 'GET', url: '/media/mp3/:name', schema: { params: MediaName, querystring: SignedQuery },
    handler: async (request: FastifyRequest<{ Params: { name: string }; Querystring: { sig?: string } }>, reply) => {
      const digest = MP3_NAME.exec(request.params.name)?.[1];
      if (!digest || !c.signer.check(`mp3:${digest}`, request.query.sig)) throw new ProtocolError('forbidden', 'this audio URL is not valid (signature)');
      const parts = await c.core.redis.get(c.keys.audio(digest));
      if (!parts) throw new ProtocolError('not_found', 'this audio is no longer kept; poll or list again for a current URL');
      let file: string;
      try {
        file = await c.mp3.get(JSON.parse(parts) as string[]);
      } catch (err) {
        if (err instanceof Mp3Error) throw new ProtocolError('not_found', err.message);
        throw err;
      }
      const { size } = await stat(file);
      // Named by content: the same URL is always the same bytes.
      return reply.type('audio/mpeg').header('content-length', size).header('cache-control', 'private, max-age=31536000, immutable').send(createReadStream(file));
    },
  });

  // The picture base the original's console puts before an upload's Key is `<prefix>media/`.
  c.route({
    method: 'GET', url: '/media/material/image/:name', schema: { params: MediaName },
    handler: async (request: FastifyRequest<{ Params: { name: string } }>, reply) => {
      const picture = await c.pictures.read(request.params.name);
      if (!picture) throw new ProtocolError('not_found', 'no such picture');
      return reply.type(picture.type).header('cache-control', 'public, max-age=31536000, immutable').send(picture.body);
    },
  });

  c.route({
    method: 'PUT', url: '/media/material/image/:name', schema: { params: MediaName, querystring: SignedQuery }, bodyLimit: MAX_PICTURE_BYTES,
    handler: async (request: FastifyRequest<{ Params: { name: string }; Querystring: { sig?: string; exp?: string } }>, reply) => {
      if (!Buffer.isBuffer(request.body)) throw new ProtocolError('unsupported_media_type', 'send the picture itself as the body, with its Content-Type');
      await c.pictures.accept(request.params.name, request.query, request.headers['content-type'], request.body);
      return reply.code(200).send();
    },
  });
}
