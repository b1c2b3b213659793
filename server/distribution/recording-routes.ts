import { createReadStream } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { RecordingList, RestError, RoomId, compile, RecordingView, type RecordingView as RecordingViewT } from '../../protocol/index.js';
import { requireAction } from '../auth/authenticate.js';
import { ProtocolError } from '../auth/auth-error.js';
import type { ServerCore } from '../core.js';

const RecordingId = Type.String({ pattern: '^[A-Za-z0-9-]{1,64}$' });
/** Only these names are served: the request can never name another path. */
const FILE = /^(show\.mp4|index\.m3u8|seg-\d{1,6}\.ts)$/;
const TYPES: Record<string, string> = { mp4: 'video/mp4', m3u8: 'application/vnd.apple.mpegurl', ts: 'video/mp2t' };
const validRecording = compile(RecordingView);
const errors = { 400: RestError, 401: RestError, 403: RestError, 404: RestError };

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

  app.get<{ Params: { room: string; id: string; file: string } }>('/api/rooms/:room/recordings/:id/:file', {
    schema: {
      tags: ['distribution'], summary: 'Download a recording (show.mp4) or its HLS VOD files',
      params: Type.Object({ room: RoomId, id: RecordingId, file: Type.String({ pattern: FILE.source }) }),
    },
    preValidation: requireAction(core, 'recordings.read', 'room'),
  }, async (request, reply) => {
    const { room, id, file } = request.params;
    const path = join(recordingsDir, room, id, file);
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) throw new ProtocolError('not_found', `no ${file} in recording ${id}`);
    const ext = file.slice(file.lastIndexOf('.') + 1);
    return reply.type(TYPES[ext] ?? 'application/octet-stream').header('content-length', info.size).send(createReadStream(path));
  });
}
