import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINE_STAMPS, lineStages, type LineTiming, type RoomEvent } from '../../protocol/index.js';
import { freePort } from '../../stream-gateway/free-port.js';
import { cleanup, startServer, TEST_PUBLISH_SECRET, type TestServer } from '../helpers/server.js';
import { redisUrl } from '../helpers/redis.js';
import { startPart, type Part } from '../helpers/processes.js';
import { TestClient } from '../helpers/ws-client.js';

type Timed = Extract<RoomEvent, { kind: 'speech.timing' }>;
const roomEvent = (f: Record<string, unknown>) => (f.type === 'room.event' ? f.event as RoomEvent : null);

// Every part real and on one machine (one clock): Redis, the server, workers with the
// knowledge base and flite, the gateway (node-media-server and the program feed) and the
// render host with the reference renderer and ffmpeg publishing RTMP.
describe('a line timed from the question to the gateway\'s program feed', () => {
  let srv: TestServer;
  const parts: Part[] = [];
  let dir: string;
  let op: TestClient;
  let bot: TestClient;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'livehost-timing-'));
    const rtmpPort = await freePort('127.0.0.1');
    const httpPort = await freePort('127.0.0.1');
    srv = await startServer({ rtmpUrl: `rtmp://127.0.0.1:${rtmpPort}/live`, previewUrl: `http://127.0.0.1:${httpPort}/live` });
    const common = { REDIS_URL: redisUrl(), LIVEHOST_REDIS_PREFIX: srv.prefix, LIVEHOST_DATA_DIR: dir, LIVEHOST_PUBLISH_SECRET: TEST_PUBLISH_SECRET };
    parts.push(await startPart('stream-gateway/main.ts', {
      ...common, LIVEHOST_GATEWAY_HOST: '127.0.0.1', LIVEHOST_RTMP_PORT: String(rtmpPort), LIVEHOST_GATEWAY_HTTP_PORT: String(httpPort), LIVEHOST_RECORDING: 'false',
      // A render host that stalls on a loaded machine must not send the program to the slate mid-line.
      LIVEHOST_PROGRAM_STALL_MS: '20000',
    }, /stream gateway listening/));
    parts.push(await startPart('workers/main.ts', { ...common, LIVEHOST_ANSWERS: 'kb' }, /workers ready/));
    await srv.core.rooms.create({ id: 'timed', name: 'Timed', look: { character: 'ava', scene: 'plain-wall', camera: 'front' } });
    await srv.core.rooms.putKb('timed', { qa: [{ question: 'Does the lamp come in green?', answer: 'The lamp comes in green and grey. Both ship today.' }], facts: [] });
    await srv.core.placement.place('timed');
    op = await TestClient.connect(`${srv.wsUrl}/ws/operator`, srv.adminToken);
    op.send({ type: 'room.subscribe', id: 's', room: 'timed' });
    await op.next((f) => f.type === 'ack');
    parts.push(await startPart('render-bridge/main.ts', {
      ...common, LIVEHOST_SERVER_URL: srv.wsUrl, LIVEHOST_HOST_TOKEN: await srv.token({ role: 'render-host', hostId: 'timing-host' }), LIVEHOST_HOST_CAPACITY: '1',
    }, /room started/));
    await op.next((f) => roomEvent(f)?.kind === 'stream' && (roomEvent(f) as { state: string }).state === 'live', 30_000);
    bot = await TestClient.connect(`${srv.wsUrl}/ws/bot`, await srv.token({ role: 'bot', rooms: ['timed'] }));
  }, 120_000);

  afterAll(async () => {
    op?.close();
    bot?.close();
    for (const p of parts.reverse()) await p.stop();
    await cleanup(srv);
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('carries every stamp of each line, in path order, consistent with what the host and the question reported, to a subscribed operator and the histograms', async () => {
    // The program feed passes the live stream on from its first keyframe: wait until the gateway says it does.
    const gateway = parts[0]!;
    for (const end = Date.now() + 30_000; !/"source":"live","msg":"program source"/.test(gateway.output()) && Date.now() < end;) {
      await new Promise((r) => setTimeout(r, 100));
    }
    bot.send({ type: 'question', id: 'q1', user: { id: 'v1', name: 'Viewer' }, text: 'Does the lamp come in green?' });
    const { questionId } = await bot.next((f) => f.type === 'question.ack' && f.ref === 'q1') as unknown as { questionId: string };
    await bot.next((f) => f.type === 'question.answered' && f.questionId === questionId, 60_000);
    const events = () => op.frames.map(roomEvent).filter((e): e is RoomEvent => e !== null);
    const sentences = events().filter((e): e is Extract<RoomEvent, { kind: 'answer.sentence' }> => e.kind === 'answer.sentence' && e.questionId === questionId);
    expect(sentences.map((s) => s.text)).toEqual(['The lamp comes in green and grey.', 'Both ship today.']);
    for (const s of sentences) await op.next((f) => roomEvent(f)?.kind === 'speech.timing' && (roomEvent(f) as Timed).segmentId === s.segmentId, 30_000);
    const timed = sentences.map((s) => events().find((e): e is Timed => e.kind === 'speech.timing' && e.segmentId === s.segmentId)!);
    const question = events().find((e): e is Extract<RoomEvent, { kind: 'question' }> => e.kind === 'question' && e.question.questionId === questionId)!;

    timed.forEach((event, index) => {
      const t: LineTiming = event.timing;
      // Every stamp, from the question to the program feed.
      expect(LINE_STAMPS.filter((s) => t[s] === undefined)).toEqual([]);
      expect(t).toMatchObject({ answers: 'kb', voice: 'flite', cached: false, index, askedAt: question.question.receivedAt });
      expect(event.hostId).toBe('timing-host');
      // In path order: one machine, one clock.
      const stamps = LINE_STAMPS.map((s) => t[s]!);
      for (let i = 1; i < stamps.length; i++) expect(stamps[i], `${LINE_STAMPS[i]} after ${LINE_STAMPS[i - 1]}`).toBeGreaterThanOrEqual(stamps[i - 1]!);
      // Consistent: the stages are the differences and add up to the whole; the media time is the host's own report.
      expect(event.stages).toEqual(lineStages(t));
      expect(event.stages.reduce((sum, s) => sum + s.ms, 0)).toBeCloseTo(event.totalMs, 6);
      expect(event.totalMs).toBe(t.programAt! - t.askedAt!);
      const started = events().find((e): e is Extract<RoomEvent, { kind: 'speech.started' }> => e.kind === 'speech.started' && e.segmentId === event.segmentId)!;
      expect(t.mediaTimeMs).toBe(started.mediaTimeMs);
      expect(t.streamTimeMs).toBeGreaterThan(0);
    });
    const [first, second] = timed.map((e) => e.timing) as [LineTiming, LineTiming];
    // One answer: both lines share its stamps until the sentences part; the second airs right after the first.
    expect(second.qaStartedAt).toBe(first.qaStartedAt);
    expect(second.sentenceAt).toBeGreaterThanOrEqual(first.sentenceAt!);
    expect(second.onAirAt).toBeGreaterThan(first.onAirAt!);
    expect(second.mediaTimeMs! - first.mediaTimeMs!).toBeGreaterThan(500);
    expect(second.streamTimeMs! - first.streamTimeMs!).toBeGreaterThan(500);

    const metrics = await srv.app.inject({ method: 'GET', url: '/metrics' });
    const count = (name: string, labels: string) => Number(new RegExp(`^${name}_count\\{${labels}\\} (\\d+)$`, 'm').exec(metrics.body)?.[1] ?? 0);
    expect(count('livehost_speech_stage_seconds', 'room="timed",stage="synthesis",provider="flite"')).toBe(2);
    expect(count('livehost_speech_stage_seconds', 'room="timed",stage="publish",provider=""')).toBe(2);
    expect(count('livehost_speech_question_to_stream_seconds', 'room="timed",answers="kb",voice="flite"')).toBe(1);
  }, 150_000);
});
