import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  redisKeys, AskBody, CreateRoomBody, KnowledgeBase, QuestionInfo, RestError, RoomHost, RoomId, RoomList, RoomView, SayRequest, UpdateRoomBody,
  type AskBody as AskBodyT, type CreateRoomBody as CreateRoomBodyT, type KnowledgeBase as KnowledgeBaseT,
  type SayRequest as SayRequestT, type UpdateRoomBody as UpdateRoomBodyT,
} from '../../protocol/index.js';
import { requireAction } from '../auth/authenticate.js';
import { canAccessRoom } from '../auth/claims.js';
import type { ServerCore } from '../core.js';
import { toView, type StoredRoom } from '../rooms/room-store.js';
import { checkedRoomSettings } from '../rooms/room-settings.js';
import { lineToSay, viewerText, viewerUser } from '../text-intake.js';
import { newId } from '../newsroom/question-intake.js';

const RoomParams = Type.Object({ room: RoomId });
type RoomParamsT = { room: string };
const errors = { 400: RestError, 401: RestError, 403: RestError, 404: RestError, 409: RestError, 429: RestError };

export async function roomRoutes(app: FastifyInstance, core: ServerCore): Promise<void> {
  const liveKey = redisKeys(core.config.redisPrefix).liveStreams;
  const view = async (room: StoredRoom) => {
    const [placed, live] = await Promise.all([core.placement.hostFor(room.id), core.redis.hexists(liveKey, room.id)]);
    return toView(room, placed?.hostId ?? null, live === 1);
  };

  app.post<{ Body: CreateRoomBodyT }>('/api/rooms', {
    schema: { tags: ['rooms'], summary: 'Create a room', body: CreateRoomBody, response: { 201: RoomView, ...errors } },
    preValidation: requireAction(core, 'rooms.create'),
  }, async (request, reply) => {
    const room = await core.rooms.create(checkedRoomSettings(request.body));
    await core.placement.place(room.id);
    return reply.code(201).send(await view(room));
  });

  app.get('/api/rooms', {
    schema: { tags: ['rooms'], summary: 'Rooms the token may see', response: { 200: RoomList, ...errors } },
    preValidation: requireAction(core, 'rooms.list'),
  }, async (request) => {
    const rooms = (await core.rooms.list()).filter((r) => canAccessRoom(request.claims!, r.id));
    return { rooms: await Promise.all(rooms.map(view)) };
  });

  app.get<{ Params: RoomParamsT }>('/api/rooms/:room', {
    schema: { tags: ['rooms'], params: RoomParams, response: { 200: RoomView, ...errors } },
    preValidation: requireAction(core, 'rooms.read', 'room'),
  }, async (request) => view(await core.rooms.get(request.params.room)));

  app.patch<{ Params: RoomParamsT; Body: UpdateRoomBodyT }>('/api/rooms/:room', {
    schema: { tags: ['rooms'], params: RoomParams, body: UpdateRoomBody, response: { 200: RoomView, ...errors } },
    preValidation: requireAction(core, 'rooms.update', 'room'),
  }, async (request) => view(await core.rooms.update(request.params.room, checkedRoomSettings(request.body))));

  app.delete<{ Params: RoomParamsT }>('/api/rooms/:room', {
    schema: { tags: ['rooms'], params: RoomParams, response: { 204: Type.Null(), ...errors } },
    preValidation: requireAction(core, 'rooms.delete', 'room'),
  }, async (request, reply) => {
    await core.placement.release(request.params.room);
    await core.rooms.delete(request.params.room);
    return reply.code(204).send();
  });

  app.get<{ Params: RoomParamsT }>('/api/rooms/:room/host', {
    schema: { tags: ['render hosts'], summary: "The render host of a room and its health (fps, cpu, last heartbeat), for the room's operators", params: RoomParams, response: { 200: RoomHost, ...errors } },
    preValidation: requireAction(core, 'rooms.host', 'room'),
  }, async (request) => {
    await core.rooms.get(request.params.room);
    const placed = await core.placement.hostFor(request.params.room);
    const host = placed ? await core.placement.host(placed.hostId) : null;
    if (!host) return { host: null, serverTime: Date.now() };
    const { hostId, capabilities, capacity, roomCount, lastSeen, suspect, fps, cpu } = host;
    return {
      host: { hostId, capabilities, capacity, roomCount, lastSeen, suspect, ...(fps !== undefined ? { fps } : {}), ...(cpu !== undefined ? { cpu } : {}) },
      serverTime: Date.now(),
    };
  });

  app.get<{ Params: RoomParamsT }>('/api/rooms/:room/kb', {
    schema: { tags: ['knowledge base'], params: RoomParams, response: { 200: KnowledgeBase, ...errors } },
    preValidation: requireAction(core, 'kb.read', 'room'),
  }, async (request) => core.rooms.getKb(request.params.room));

  app.put<{ Params: RoomParamsT; Body: KnowledgeBaseT }>('/api/rooms/:room/kb', {
    schema: { tags: ['knowledge base'], params: RoomParams, body: KnowledgeBase, response: { 200: KnowledgeBase, ...errors } },
    preValidation: requireAction(core, 'kb.write', 'room'),
    bodyLimit: 8 * 1024 * 1024,
  }, async (request) => {
    await core.rooms.putKb(request.params.room, request.body);
    return request.body;
  });

  app.post<{ Params: RoomParamsT; Body: SayRequestT }>('/api/rooms/:room/say', {
    schema: { tags: ['speech'], summary: 'Make the avatar say a line', params: RoomParams, body: SayRequest, response: { 202: Type.Object({ segmentId: Type.String() }), ...errors } },
    preValidation: requireAction(core, 'rooms.say', 'room'),
  }, async (request, reply) => {
    const room = await core.rooms.get(request.params.room);
    const answerId = newId('say');
    const segmentId = `${answerId}.0`;
    await core.queues.say({
      room: room.id, segmentId, answerId, index: 0, final: true, text: lineToSay(request.body.text),
      language: room.language, voice: { ...room.voice, ...request.body.voice }, priority: request.body.priority ?? 'script', requestedBy: request.claims!.tokenId,
    });
    return reply.code(202).send({ segmentId });
  });

  app.post<{ Params: RoomParamsT; Body: AskBodyT }>('/api/rooms/:room/questions', {
    schema: { tags: ['speech'], summary: 'Ask the avatar a question', params: RoomParams, body: AskBody, response: { 202: Type.Object({ questionId: Type.String(), status: Type.String() }), ...errors } },
    preValidation: requireAction(core, 'questions.ask', 'room'),
  }, async (request, reply) => {
    // A viewer cannot speak for another viewer: the token, not the body, says who asks.
    const claims = request.claims!;
    const user = viewerUser(claims.role === 'viewer' ? { ...request.body.user, id: `viewer-${claims.tokenId}` } : request.body.user);
    const result = await core.questions.ask(request.params.room, user, viewerText(request.body.text));
    core.metrics.questions.inc({ status: result.status });
    return reply.code(202).send(result);
  });

  app.get<{ Params: RoomParamsT }>('/api/rooms/:room/questions', {
    schema: { tags: ['speech'], params: RoomParams, response: { 200: Type.Object({ questions: Type.Array(QuestionInfo) }), ...errors } },
    preValidation: requireAction(core, 'kb.read', 'room'),
  }, async (request) => ({ questions: await core.questions.list(request.params.room) }));
}
