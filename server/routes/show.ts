import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  LibraryDocument, Material, MaterialInput, MaterialList, MaterialPatch, PutRundownBody, RestError, RoomId, Rundown, ShowCommand,
  ShowItemId, ShowState,
  type LibraryDocument as LibraryDocumentT, type MaterialInput as MaterialInputT, type MaterialPatch as MaterialPatchT,
  type PutRundownBody as PutRundownBodyT, type ShowCommand as ShowCommandT,
} from '../../protocol/index.js';
import { ProtocolError } from '../auth/auth-error.js';
import { requireAction } from '../auth/authenticate.js';
import type { ServerCore } from '../core.js';
import { typeboxValidator } from './typebox-validator.js';

const RoomParams = Type.Object({ room: RoomId });
const MaterialParams = Type.Object({ room: RoomId, id: ShowItemId });
type RoomP = { room: string };
type MaterialP = { room: string; id: string };
const errors = { 400: RestError, 401: RestError, 403: RestError, 404: RestError, 409: RestError, 503: RestError };

/**
 * The show over REST: the library (materials, import/export, audio to hear before air),
 * the run of show (versioned), transport and queue commands, and the show's state.
 * The same commands go over the operator WebSocket (protocol/show.ts).
 */
export async function showRoutes(app: FastifyInstance, core: ServerCore): Promise<void> {
  const route = { validatorCompiler: typeboxValidator };

  app.get<{ Params: RoomP }>('/api/rooms/:room/materials', {
    ...route, schema: { tags: ['library'], summary: "The room's materials", params: RoomParams, response: { 200: MaterialList, ...errors } },
    preValidation: requireAction(core, 'library.read', 'room'),
  }, async (request) => ({ materials: await core.library.list(request.params.room) }));

  app.post<{ Params: RoomP; Body: MaterialInputT }>('/api/rooms/:room/materials', {
    ...route,
    schema: {
      tags: ['library'], summary: 'Create a material; it is synthesized at once (status synthesizing → ready | failed)',
      params: RoomParams, body: MaterialInput, response: { 201: Material, ...errors },
    },
    preValidation: requireAction(core, 'library.write', 'room'),
  }, async (request, reply) => reply.code(201).send(await core.library.put(request.params.room, request.body, { replace: false })));

  app.get<{ Params: MaterialP }>('/api/rooms/:room/materials/:id', {
    ...route, schema: { tags: ['library'], params: MaterialParams, response: { 200: Material, ...errors } },
    preValidation: requireAction(core, 'library.read', 'room'),
  }, async (request) => core.library.get(request.params.room, request.params.id));

  app.patch<{ Params: MaterialP; Body: MaterialPatchT }>('/api/rooms/:room/materials/:id', {
    ...route,
    schema: { tags: ['library'], summary: 'Change a material; a new text or voice is synthesized again', params: MaterialParams, body: MaterialPatch, response: { 200: Material, ...errors } },
    preValidation: requireAction(core, 'library.write', 'room'),
  }, async (request) => core.library.patch(request.params.room, request.params.id, request.body));

  app.delete<{ Params: MaterialP }>('/api/rooms/:room/materials/:id', {
    ...route, schema: { tags: ['library'], params: MaterialParams, response: { 204: Type.Null(), ...errors } },
    preValidation: requireAction(core, 'library.write', 'room'),
  }, async (request, reply) => {
    await core.library.remove(request.params.room, request.params.id);
    return reply.code(204).send();
  });

  app.get<{ Params: MaterialP }>('/api/rooms/:room/materials/:id/audio', {
    ...route,
    schema: { tags: ['library'], summary: "The material's synthesized audio (WAV), to hear it before air", params: MaterialParams },
    preValidation: requireAction(core, 'library.read', 'room'),
  }, async (request, reply) => {
    const { payload } = await core.library.materialPayload(request.params.room, request.params.id);
    if (!payload) throw new ProtocolError('conflict', 'the material is not synthesized (yet)');
    const audio = await core.assets.get(payload.audio.key);
    if (!audio) throw new ProtocolError('not_found', 'the audio of this material is gone from the asset store');
    return reply.type('audio/wav').header('cache-control', 'private, max-age=3600').send(audio);
  });

  app.get<{ Params: RoomP }>('/api/rooms/:room/library', {
    ...route, schema: { tags: ['library'], summary: "Export the room's library as one document", params: RoomParams, response: { 200: LibraryDocument, ...errors } },
    preValidation: requireAction(core, 'library.read', 'room'),
  }, async (request) => core.library.exportDocument(request.params.room));

  app.post<{ Params: RoomP; Body: LibraryDocumentT; Querystring: { mode?: 'merge' | 'replace' } }>('/api/rooms/:room/library', {
    ...route,
    schema: {
      tags: ['library'], summary: 'Import a library document (mode=merge keeps materials it does not name; replace removes them)',
      params: RoomParams, querystring: Type.Object({ mode: Type.Optional(Type.Union([Type.Literal('merge'), Type.Literal('replace')])) }),
      body: LibraryDocument, response: { 200: MaterialList, ...errors },
    },
    preValidation: requireAction(core, 'library.write', 'room'),
    bodyLimit: 8 * 1024 * 1024,
  }, async (request) => ({ materials: await core.library.importDocument(request.params.room, request.body, request.query.mode ?? 'merge') }));

  app.get<{ Params: RoomP }>('/api/rooms/:room/rundown', {
    ...route, schema: { tags: ['show'], summary: 'The run of show', params: RoomParams, response: { 200: Rundown, ...errors } },
    preValidation: requireAction(core, 'show.read', 'room'),
  }, async (request) => core.rundowns.get(request.params.room));

  app.put<{ Params: RoomP; Body: PutRundownBodyT }>('/api/rooms/:room/rundown', {
    ...route,
    schema: {
      tags: ['show'], summary: 'Replace the run of show; `version` must be the one you edited (409 when someone else saved since)',
      params: RoomParams, body: PutRundownBody, response: { 200: Rundown, ...errors },
    },
    preValidation: requireAction(core, 'show.control', 'room'),
    bodyLimit: 4 * 1024 * 1024,
  }, async (request) => core.rundowns.put(request.params.room, request.body));

  app.get<{ Params: RoomP }>('/api/rooms/:room/show', {
    ...route, schema: { tags: ['show'], summary: "The show's state: segment, line on air, queue, times", params: RoomParams, response: { 200: ShowState, ...errors } },
    preValidation: requireAction(core, 'show.read', 'room'),
  }, async (request) => {
    await core.rooms.get(request.params.room);
    return core.show.view(request.params.room);
  });

  app.post<{ Params: RoomP; Body: ShowCommandT }>('/api/rooms/:room/show', {
    ...route,
    schema: {
      tags: ['show'], summary: 'Transport and queue: show.go, show.hold, show.resume, show.skip, show.back, show.jump, show.stop, speech.interrupt, queue.remove, queue.move, material.play',
      params: RoomParams, body: ShowCommand, response: { 200: ShowState, ...errors },
    },
    preValidation: requireAction(core, 'show.control', 'room'),
  }, async (request) => {
    await core.rooms.get(request.params.room);
    await core.show.command(request.params.room, request.body, request.claims!.tokenId);
    return core.show.view(request.params.room);
  });
}
