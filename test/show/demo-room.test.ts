import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateRoomBody, KnowledgeBase, LibraryDocument, PutRundownBody, compile } from '../../protocol/index.js';
import { cleanup, startServer, type TestServer } from '../helpers/server.js';
import { repoRoot } from '../helpers/processes.js';

const demo = JSON.parse(readFileSync(path.join(repoRoot, 'scripts/demo-room.json'), 'utf8'));

describe('the demo room npm start seeds', () => {
  let srv: TestServer;
  beforeAll(async () => { srv = await startServer(); });
  afterAll(async () => cleanup(srv));

  it('is valid against the protocol: room, knowledge base, library and rundown', () => {
    for (const [schema, value] of [[CreateRoomBody, demo.room], [KnowledgeBase, demo.kb], [LibraryDocument, demo.library], [PutRundownBody, demo.rundown]] as const) {
      expect(compile(schema).check(value)).toMatchObject({ ok: true });
    }
  });

  it('has an intro, two product segments with Q&A windows, a closing at a hard cue, and fillers', async () => {
    const h = { authorization: `Bearer ${srv.adminToken}` };
    expect((await srv.app.inject({ method: 'POST', url: '/api/rooms', headers: h, payload: demo.room })).statusCode).toBe(201);
    expect((await srv.app.inject({ method: 'POST', url: `/api/rooms/${demo.room.id}/library?mode=replace`, headers: h, payload: demo.library })).statusCode).toBe(200);
    const put = await srv.app.inject({ method: 'PUT', url: `/api/rooms/${demo.room.id}/rundown`, headers: h, payload: demo.rundown });
    expect(put.statusCode).toBe(200);
    const segments = put.json().segments as Array<{ start: { rule: string }; items: Array<{ kind: string }> }>;
    expect(segments.map((s) => s.start.rule)).toEqual(['manual', 'follow', 'follow', 'at-show-time']);
    expect(segments.filter((s) => s.items.some((i) => i.kind === 'qa'))).toHaveLength(2);
    const materials = (await srv.app.inject({ method: 'GET', url: `/api/rooms/${demo.room.id}/materials`, headers: h })).json().materials as Array<{ tags: string[] }>;
    expect(materials.filter((m) => m.tags.includes('filler')).length).toBeGreaterThanOrEqual(2);
  });
});
