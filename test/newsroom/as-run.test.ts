import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AsRunEntry } from '../../protocol/index.js';
import { freePort } from '../../stream-gateway/free-port.js';
import { cleanup, startServer, TEST_PUBLISH_SECRET, type TestServer } from '../helpers/server.js';
import { redisUrl } from '../helpers/redis.js';
import { startPart, type Part } from '../helpers/processes.js';
import { TestClient } from '../helpers/ws-client.js';
import { audioRms, probeStreams } from '../helpers/media.js';

const ANSWERS = [
  { question: 'When does the sale end?', answer: 'The sale ends at midnight tonight.' },
  { question: 'Is shipping free?', answer: 'Shipping is free on every order.' },
  { question: 'Can I pay later?', answer: 'Yes, you can pay in three parts.' },
];

// Every part real: the gateway records the show (MP4), a real render host speaks three
// answers; the as-run log is checked against the host's reports and against the recording.
describe('the as-run log of a show', () => {
  let srv: TestServer;
  const parts: Part[] = [];
  let render: Part;
  let dir: string;
  let op: TestClient;
  let bot: TestClient;
  const auth = () => ({ authorization: `Bearer ${srv.adminToken}` });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'livehost-asrun-'));
    const rtmpPort = await freePort('127.0.0.1');
    const httpPort = await freePort('127.0.0.1');
    srv = await startServer({ rtmpUrl: `rtmp://127.0.0.1:${rtmpPort}/live`, previewUrl: `http://127.0.0.1:${httpPort}/live`, dataDir: dir });
    const common = { REDIS_URL: redisUrl(), LIVEHOST_REDIS_PREFIX: srv.prefix, LIVEHOST_DATA_DIR: dir, LIVEHOST_PUBLISH_SECRET: TEST_PUBLISH_SECRET };
    parts.push(await startPart('stream-gateway/main.ts', {
      ...common, LIVEHOST_GATEWAY_HOST: '127.0.0.1', LIVEHOST_RTMP_PORT: String(rtmpPort), LIVEHOST_GATEWAY_HTTP_PORT: String(httpPort),
      LIVEHOST_RECORDING: 'true', LIVEHOST_SLATE_HOLD_MS: '1500',
    }, /stream gateway listening/));
    parts.push(await startPart('workers/main.ts', { ...common, LIVEHOST_ANSWERS: 'kb' }, /workers ready/));
    await srv.core.rooms.create({ id: 'sale', name: 'Sale', look: { character: 'ava', scene: 'plain-wall', camera: 'front' } });
    await srv.core.rooms.putKb('sale', { qa: ANSWERS, facts: [] });
    await srv.core.placement.place('sale');
    op = await TestClient.connect(`${srv.wsUrl}/ws/operator`, srv.adminToken);
    op.send({ type: 'room.subscribe', id: 's', room: 'sale' });
    await op.next((f) => f.type === 'ack');
    render = await startPart('render-bridge/main.ts', {
      ...common, LIVEHOST_SERVER_URL: srv.wsUrl, LIVEHOST_HOST_TOKEN: await srv.token({ role: 'render-host', hostId: 'asrun-host' }), LIVEHOST_HOST_CAPACITY: '1',
    }, /room started/);
    parts.push(render);
    await op.next((f) => f.type === 'room.event' && (f.event as { kind: string; state?: string }).kind === 'stream' && (f.event as { state: string }).state === 'live', 20_000);
    bot = await TestClient.connect(`${srv.wsUrl}/ws/bot`, await srv.token({ role: 'bot', rooms: ['sale'] }));
  }, 240_000);

  afterAll(async () => {
    op?.close();
    bot?.close();
    for (const p of parts.reverse()) await p.stop();
    await cleanup(srv);
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('holds exactly the lines the render host reported, in order, where they are in the recording, and exports as CSV', async () => {
    await new Promise((r) => setTimeout(r, 1500)); // some silence in the recording first
    for (const [i, { question }] of ANSWERS.entries()) {
      bot.send({ type: 'question', id: `q${i}`, user: { id: `v${i}`, name: `Viewer ${i}` }, text: question });
      const { questionId } = await bot.next((f) => f.type === 'question.ack' && f.ref === `q${i}`) as unknown as { questionId: string };
      await bot.next((f) => f.type === 'question.answered' && f.questionId === questionId, 30_000);
      await new Promise((r) => setTimeout(r, 1200)); // silence between answers, so each onset stands out
    }
    const page = await srv.app.inject({ method: 'GET', url: '/api/rooms/sale/as-run', headers: auth() });
    expect(page.statusCode).toBe(200);
    const entries = page.json().entries as AsRunEntry[];
    const reported = op.frames.filter((f) => f.type === 'room.event' && (f.event as { kind: string }).kind === 'speech.finished')
      .map((f) => (f.event as { lineId: string }).lineId);
    expect(entries.map((e) => e.lineId)).toEqual(reported);
    expect(entries.map((e) => e.text)).toEqual(ANSWERS.map((a) => a.answer));
    for (const e of entries) {
      expect(e).toMatchObject({ source: { kind: 'answer' }, interrupted: false, hostId: 'asrun-host', askers: 1 });
      expect(e.endedAt).toBeGreaterThan(e.startedAt);
      expect(e.recordingId).not.toBeNull();
    }
    const filtered = await srv.app.inject({ method: 'GET', url: '/api/rooms/sale/as-run?q=shipping', headers: auth() });
    expect(filtered.json().entries.map((e: AsRunEntry) => e.text)).toEqual(['Shipping is free on every order.']);

    // The show ends (the host leaves, the slate runs out): the recording is written.
    await render.stop();
    let mp4: string | null = null;
    for (let i = 0; i < 300 && !mp4; i++) {
      const list = await srv.app.inject({ method: 'GET', url: '/api/rooms/sale/recordings', headers: auth() });
      const rec = (list.json().recordings as Array<{ id: string; mp4: string }>).find((r) => r.id === entries[0]!.recordingId);
      if (rec) mp4 = path.join(dir, 'recordings', 'sale', rec.id, 'show.mp4');
      else await new Promise((r) => setTimeout(r, 100));
    }
    expect(mp4).not.toBeNull();
    // Each answer's onset in the recording: the first loud 10 ms window after a second of quiet,
    // on the file's timeline (its audio track may begin after time 0).
    const audioStart = Number((await probeStreams(mp4!)).find((x) => x.codec_type === 'audio')!.start_time ?? 0) * 1000;
    const rms = await audioRms(mp4!, 10);
    const onsets: number[] = [];
    let quiet = 0;
    rms.forEach((r, i) => {
      if (r > 400 && quiet >= 60) onsets.push(audioStart + i * 10);
      quiet = r > 400 ? 0 : quiet + 1;
    });
    expect(onsets).toHaveLength(3);
    // A line's audio starts with a little silence before its first word (the timeline says how much).
    const leadIn = (lineId: string) => {
      const started = op.frames.find((f) => f.type === 'room.event' && (f.event as { kind: string; lineId?: string }).kind === 'speech.started'
        && (f.event as { lineId: string }).lineId === lineId)!.event as { words: Array<{ startMs: number }> };
      return started.words[0]!.startMs;
    };
    const errors = entries.map((e, i) => Math.round(e.recordingOffsetMs! + leadIn(e.lineId) - onsets[i]!));
    process.stdout.write(`[as-run] offset + first word − onset in the recording: ${errors.map((x) => `${x} ms`).join(', ')}\n`);
    for (const err of errors) expect(Math.abs(err)).toBeLessThanOrEqual(100);

    const csv = await srv.app.inject({ method: 'GET', url: '/api/rooms/sale/as-run/export?format=csv', headers: auth() });
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const rows = csv.body.trim().split('\r\n');
    expect(rows[0]).toMatch(/^startedAt,endedAt,recordingOffsetMs,priority,source,text,/);
    expect(rows).toHaveLength(4);
    expect(rows[2]).toContain('Shipping is free on every order.');
  }, 120_000);
});
