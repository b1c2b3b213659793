import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  AsRunPage, AsRunSourceKind, AuditEntry, BannedUser, ChatMessage, EntityId, NewsroomCommand, QuestionInfo, RestError, RoomId,
  type NewsroomCommand as NewsroomCommandT,
} from '../../protocol/index.js';
import { requireAction } from '../auth/authenticate.js';
import type { ServerCore } from '../core.js';
import { asRunCsv } from '../newsroom/as-run-log.js';
import { approve, reject, runNewsroomCommand } from '../newsroom/newsroom-actions.js';
import { typeboxValidator } from './typebox-validator.js';

const RoomParams = Type.Object({ room: RoomId });
const QuestionParams = Type.Object({ room: RoomId, questionId: EntityId });
const errors = { 400: RestError, 401: RestError, 403: RestError, 404: RestError, 409: RestError, 503: RestError };
type RoomP = { room: string };
type QuestionP = { room: string; questionId: string };

const AsRunQuery = Type.Object({
  from: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$', description: 'ms since the epoch' })),
  to: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })),
  source: Type.Optional(AsRunSourceKind),
  q: Type.Optional(Type.String({ maxLength: 200, description: 'text search' })),
  show: Type.Optional(Type.String({ maxLength: 64 })),
  after: Type.Optional(Type.String({ pattern: '^[0-9]+-[0-9]+$' })),
  limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$' })),
});
type AsRunQueryT = { from?: string; to?: string; source?: 'rundown' | 'answer' | 'say' | 'filler'; q?: string; show?: string; after?: string; limit?: string };

/** The newsroom over REST: chat, questions and their review, bans, the as-run log and the audit. */
export async function newsroomRoutes(app: FastifyInstance, core: ServerCore): Promise<void> {
  const route = { validatorCompiler: typeboxValidator };

  app.get<{ Params: RoomP }>('/api/rooms/:room/chat', {
    ...route, schema: { tags: ['newsroom'], summary: "The room's recent chat", params: RoomParams, response: { 200: Type.Object({ messages: Type.Array(ChatMessage) }), ...errors } },
    preValidation: requireAction(core, 'newsroom.read', 'room'),
  }, async (request) => {
    await core.rooms.get(request.params.room);
    return { messages: await core.chat.history(request.params.room) };
  });

  app.post<{ Params: QuestionP; Body: { text?: string } }>('/api/rooms/:room/questions/:questionId/approve', {
    ...route,
    schema: {
      tags: ['newsroom'], summary: 'Approve a question (review: questions) or its drafted answer, optionally edited (review: answers, tiered)',
      params: QuestionParams, body: Type.Object({ text: Type.Optional(Type.String({ minLength: 1, maxLength: 4000 })) }, { additionalProperties: false }),
      response: { 200: QuestionInfo, ...errors },
    },
    preValidation: requireAction(core, 'newsroom.moderate', 'room'),
  }, async (request) => approve(core, request.params.room, request.params.questionId, request.claims!.tokenId, request.body?.text));

  app.post<{ Params: QuestionP; Body: { reason?: string } }>('/api/rooms/:room/questions/:questionId/reject', {
    ...route,
    schema: {
      tags: ['newsroom'], summary: 'Dismiss a question group; its askers are told it will not be answered',
      params: QuestionParams, body: Type.Object({ reason: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false }),
      response: { 204: Type.Null(), ...errors },
    },
    preValidation: requireAction(core, 'newsroom.moderate', 'room'),
  }, async (request, reply) => {
    await reject(core, request.params.room, request.params.questionId, request.claims!.tokenId, request.body?.reason);
    return reply.code(204).send();
  });

  app.post<{ Params: RoomP; Body: NewsroomCommandT }>('/api/rooms/:room/newsroom', {
    ...route,
    schema: { tags: ['newsroom'], summary: 'question.pin, question.boost, question.merge, user.ban, user.unban, chat.promote', params: RoomParams, body: NewsroomCommand },
    preValidation: requireAction(core, 'newsroom.moderate', 'room'),
  }, async (request) => {
    await core.rooms.get(request.params.room);
    return runNewsroomCommand(core, request.params.room, request.body, request.claims!.tokenId);
  });

  app.get<{ Params: RoomP }>('/api/rooms/:room/bans', {
    ...route,
    schema: { tags: ['newsroom'], params: RoomParams, response: { 200: Type.Object({ bans: Type.Array(BannedUser), dropped: Type.Record(Type.String(), Type.Number()) }), ...errors } },
    preValidation: requireAction(core, 'newsroom.read', 'room'),
  }, async (request) => {
    await core.rooms.get(request.params.room);
    return { bans: await core.bans.list(request.params.room), dropped: await core.bans.counts(request.params.room) };
  });

  app.get<{ Params: RoomP; Querystring: AsRunQueryT }>('/api/rooms/:room/as-run', {
    ...route,
    schema: { tags: ['as-run'], summary: 'Every line the render host reported on air, in order (filters, pages)', params: RoomParams, querystring: AsRunQuery, response: { 200: AsRunPage, ...errors } },
    preValidation: requireAction(core, 'newsroom.read', 'room'),
  }, async (request) => {
    await core.rooms.get(request.params.room);
    const q = request.query;
    return core.asRun.query(request.params.room, {
      ...(q.from ? { from: Number(q.from) } : {}), ...(q.to ? { to: Number(q.to) } : {}), ...(q.source ? { source: q.source } : {}),
      ...(q.q ? { text: q.q } : {}), ...(q.show ? { showId: q.show } : {}), ...(q.after ? { after: q.after } : {}), ...(q.limit ? { limit: Number(q.limit) } : {}),
    });
  });

  app.get<{ Params: RoomP; Querystring: { format?: 'csv' | 'json'; show?: string } }>('/api/rooms/:room/as-run/export', {
    ...route,
    schema: {
      tags: ['as-run'], summary: 'The as-run log of a show (or all of it) as CSV or JSON', params: RoomParams,
      querystring: Type.Object({ format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('json')])), show: Type.Optional(Type.String({ maxLength: 64 })) }),
    },
    preValidation: requireAction(core, 'newsroom.read', 'room'),
  }, async (request, reply) => {
    const { room } = request.params;
    await core.rooms.get(room);
    const entries = await core.asRun.all(room, request.query.show);
    const name = `as-run-${room}${request.query.show ? `-${request.query.show}` : ''}`;
    if (request.query.format === 'json') {
      return reply.header('content-disposition', `attachment; filename="${name}.json"`).type('application/json').send({ room, entries });
    }
    return reply.header('content-disposition', `attachment; filename="${name}.csv"`).type('text/csv; charset=utf-8').send(asRunCsv(entries));
  });

  app.get<{ Params: RoomP; Querystring: { after?: string; limit?: string } }>('/api/rooms/:room/audit', {
    ...route,
    schema: {
      tags: ['as-run'], summary: 'What operators did in the room, with their token ids', params: RoomParams,
      querystring: Type.Object({ after: Type.Optional(Type.String({ pattern: '^[0-9]+-[0-9]+$' })), limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$' })) }),
      response: { 200: Type.Object({ entries: Type.Array(AuditEntry), next: Type.Union([Type.String(), Type.Null()]) }), ...errors },
    },
    preValidation: requireAction(core, 'newsroom.read', 'room'),
  }, async (request) => {
    await core.rooms.get(request.params.room);
    return core.audit.list(request.params.room, { ...(request.query.after ? { after: request.query.after } : {}), limit: Number(request.query.limit ?? 100) });
  });
}
