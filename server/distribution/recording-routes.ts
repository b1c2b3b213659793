import { createReadStream } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { RecordingLink, RecordingList, RestError, RoomId, compile, RecordingView, type RecordingView as RecordingViewT } from '../../protocol/index.js';
import { requireAction } from '../auth/authenticate.js';
import { ProtocolError } from '../auth/auth-error.js';
import type { ServerCore } from '../core.js';
import { DownloadLinks, type DownloadTarget } from './download-links.js';

const RecordingId = Type.String({ pattern: '^[A-Za-z0-9-]{1,64}$' });
/** Only these names are served: the request can never name another path. */
const FILE = /^(show\.mp4|index\.m3u8|seg-\d{1,6}\.ts)$/;
const TYPES: Record<string, string> = { mp4: 'video/mp4', m3u8: 'application/vnd.apple.mpegurl', ts: 'video/mp2t' };
const validRecording = compile(RecordingView);
const errors = { 400: RestError, 401: RestError, 403: RestError, 404: RestError };
const FileParams = Type.Object({ room: RoomId, id: RecordingId, file: Type.String({ pattern: FILE.source }) });
/** Where signed links point: outside the bearer-authenticated routes, the signature is the only credential. */
const DOWNLOADS = '/api/downloads/recordings';

/**
 * Recorded shows for on-demand: the gateway writes `<dir>/<room>/<id>/` with show.mp4, an
 * HLS VOD playlist and recording.json once a show stops; these routes list and serve them.
 */
export async function recordingRoutes(app: FastifyInstance, core: ServerCore, recordingsDir: string): Promise<void> {
  app.get<{ Params: { room: string } }>('/api/rooms/:room/recordings', {
    schema: { tags: ['distribution'], summary: "A room's recorded shows", params: Type.Object({ room: RoomId }), response: { 200: RecordingList, ...errors } },
    preValidation: requireAction(core, 'recordings.read', 'room'),
  }, async (request) => {
    const dir = join(recordingsDir, request.params.room);
    const ids = await readdir(dir).catch(() => [] as string[]);
    const found: RecordingViewT[] = [];
    for (const id of ids) {
      const meta = await readFile(join(dir, id, 'recording.json'), 'utf8').catch(() => null);
      if (!meta) continue; // still recording, or remux not finished
      const checked = validRecording.check(JSON.parse(meta));
      if (checked.ok) found.push(checked.value);
    }
    return { recordings: found.sort((a, b) => b.startedAt - a.startedAt) };
  });

  const sizeOf = async ({ room, id, file }: DownloadTarget): Promise<number> => {
    const info = await stat(join(recordingsDir, room, id, file)).catch(() => null);
    if (!info?.isFile()) throw new ProtocolError('not_found', `no ${file} in recording ${id}`);
    return info.size;
  };
  /** Streamed from disk as the client reads it: never the whole file in memory. */
  const serve = async (reply: FastifyReply, t: DownloadTarget, attachment: boolean) => {
    const size = await sizeOf(t);
    const ext = t.file.slice(t.file.lastIndexOf('.') + 1);
    if (attachment) reply.header('content-disposition', `attachment; filename="${t.room}-${t.id}-${t.file}"`).header('cache-control', 'no-store');
    return reply.type(TYPES[ext] ?? 'application/octet-stream').header('content-length', size).send(createReadStream(join(recordingsDir, t.room, t.id, t.file)));
  };

  app.get<{ Params: DownloadTarget }>('/api/rooms/:room/recordings/:id/:file', {
    schema: { tags: ['distribution'], summary: 'Download a recording (show.mp4) or its HLS VOD files', params: FileParams },
    preValidation: requireAction(core, 'recordings.read', 'room'),
  }, async (request, reply) => serve(reply, request.params, false));

  const links = new DownloadLinks(core.config.jwtSecret);

  app.post<{ Params: DownloadTarget }>('/api/rooms/:room/recordings/:id/:file/link', {
    schema: {
      tags: ['distribution'], summary: 'A signed link that downloads this file without a bearer header (for a browser download); valid 5 minutes',
      params: FileParams, response: { 201: RecordingLink, ...errors },
    },
    preValidation: requireAction(core, 'recordings.read', 'room'),
  }, async (request, reply) => {
    const t = request.params;
    await sizeOf(t);
    const { expires, sig } = links.sign(t);
    const url = `${DOWNLOADS}/${t.room}/${t.id}/${t.file}?expires=${expires}&sig=${sig}`;
    return reply.code(201).send({ url, expiresAt: expires * 1000 });
  });

  // The query holds the signature: the server's request log prints paths without their query (safeUrl).
  app.get<{ Params: DownloadTarget; Querystring: { expires: number; sig: string } }>(`${DOWNLOADS}/:room/:id/:file`, {
    schema: {
      tags: ['distribution'], summary: 'Download through a signed link (POST …/link); the link is the credential', security: [],
      params: FileParams,
      querystring: Type.Object({ expires: Type.Integer({ minimum: 0 }), sig: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' }) }),
    },
  }, async (request, reply) => {
    const verdict = links.check(request.params, request.query.expires, request.query.sig);
    if (verdict === 'invalid') throw new ProtocolError('forbidden', 'this download link is not valid for this file');
    if (verdict === 'expired') throw new ProtocolError('forbidden', 'this download link has expired: ask the console for a new one');
    return serve(reply, request.params, true);
  });
}
