import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../stream-gateway/free-port.js';
import { mouthRegion } from '../../render-bridge/renderer/reference-renderer.js';
import { cleanup, startServer, TEST_PUBLISH_SECRET, type TestServer } from '../helpers/server.js';
import { redisUrl } from '../helpers/redis.js';
import { startPart, type Part } from '../helpers/processes.js';
import { TestClient } from '../helpers/ws-client.js';
import { audioRms, boxFrames, meanAbsDiff, probeStreams, run } from '../helpers/media.js';

// Every part real: Redis, server, workers with flite, the render host with ffmpeg,
// node-media-server; the stream is pulled back from the gateway and inspected.
describe('a question answered on the live stream', () => {
  let srv: TestServer;
  const parts: Part[] = [];
  let dir: string;
  let httpPort: number;
  let op: TestClient;
  let bot: TestClient;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'livehost-live-'));
    const rtmpPort = await freePort('127.0.0.1');
    httpPort = await freePort('127.0.0.1');
    srv = await startServer({ rtmpUrl: `rtmp://127.0.0.1:${rtmpPort}/live`, previewUrl: `http://127.0.0.1:${httpPort}/live` });
    const common = { REDIS_URL: redisUrl(), LIVEHOST_REDIS_PREFIX: srv.prefix, LIVEHOST_DATA_DIR: dir, LIVEHOST_PUBLISH_SECRET: TEST_PUBLISH_SECRET };
    parts.push(await startPart('stream-gateway/main.ts', {
      ...common, LIVEHOST_GATEWAY_HOST: '127.0.0.1', LIVEHOST_RTMP_PORT: String(rtmpPort), LIVEHOST_GATEWAY_HTTP_PORT: String(httpPort), LIVEHOST_RECORDING: 'false',
    }, /stream gateway listening/));
    parts.push(await startPart('workers/main.ts', { ...common, LIVEHOST_ANSWERS: 'kb' }, /workers ready/));
    await srv.core.rooms.create({ id: 'live', name: 'Live test', look: { character: 'ben', scene: 'plain-wall', camera: 'front' } });
    await srv.core.rooms.putKb('live', { qa: [{ question: 'What is on sale today?', answer: 'Today the blue backpack is half price. It has a padded laptop sleeve.' }], facts: [] });
    await srv.core.placement.place('live');
    op = await TestClient.connect(`${srv.wsUrl}/ws/operator`, srv.adminToken);
    op.send({ type: 'room.subscribe', id: 's', room: 'live' });
    await op.next((f) => f.type === 'ack');
    parts.push(await startPart('render-bridge/main.ts', {
      ...common, LIVEHOST_SERVER_URL: srv.wsUrl, LIVEHOST_HOST_TOKEN: await srv.token({ role: 'render-host', hostId: 'e2e-host' }), LIVEHOST_HOST_CAPACITY: '1',
    }, /room started/));
    await op.next((f) => f.type === 'room.event' && (f.event as { kind: string; state?: string }).kind === 'stream' && (f.event as { state: string }).state === 'live', 20_000);
    bot = await TestClient.connect(`${srv.wsUrl}/ws/bot`, await srv.token({ role: 'bot', rooms: ['live'] }));
  }, 240_000);

  afterAll(async () => {
    op?.close();
    bot?.close();
    for (const p of parts.reverse()) await p.stop();
    await cleanup(srv);
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  // How fast the answer airs is bench:speech's to measure; this test checks what airs, on any machine.
  it('the pulled stream carries H.264 + AAC with the spoken answer and a moving mouth', async () => {
    const file = path.join(dir, 'capture.mkv');
    // 20 s of stream: silence, then the answer, with room for a slow machine between the two.
    const capture = run('ffmpeg', ['-v', 'error', '-i', `http://127.0.0.1:${httpPort}/live/live.flv`, '-t', '20', '-c', 'copy', '-y', file], 90_000);
    // Ask once the capture is receiving (its file has data), so it holds the silence before the answer.
    const size = () => { try { return statSync(file).size; } catch { return 0; } };
    for (const end = Date.now() + 20_000; size() === 0 && Date.now() < end;) await new Promise((r) => setTimeout(r, 50));
    expect(size()).toBeGreaterThan(0);
    bot.send({ type: 'question', id: 'q1', user: { id: 'v1', name: 'Viewer' }, text: 'What is on sale today?' });
    const started = await op.next((f) => f.type === 'room.event' && (f.event as { kind: string }).kind === 'speech.started');
    const sentence = await op.next((f) => f.type === 'room.event' && (f.event as { kind: string }).kind === 'answer.sentence');
    expect((sentence.event as { text: string }).text).toBe('Today the blue backpack is half price.');
    expect(started).toBeDefined();
    await capture;

    const streams = await probeStreams(file);
    const video = streams.find((s) => s.codec_type === 'video');
    const audio = streams.find((s) => s.codec_type === 'audio');
    expect(video).toMatchObject({ codec_name: 'h264', has_b_frames: 0 });
    expect(audio).toMatchObject({ codec_name: 'aac', profile: 'LC', sample_rate: '48000' });

    // Speech: a stretch of loud audio (≥ 1.5 s of 100 ms windows) where the stream was silent before.
    const rms = await audioRms(file);
    const loud = rms.map((r) => r > 500);
    expect(loud.slice(0, 5).some(Boolean)).toBe(false);
    expect(loud.filter(Boolean).length).toBeGreaterThanOrEqual(15);

    // The mouth moves while it speaks, and is still while it doesn't.
    const frames = await boxFrames(file, mouthRegion({ character: 'ben', scene: 'plain-wall', camera: 'front' }, 1280, 720), 10);
    const n = Math.min(frames.length, loud.length);
    const motion = (speaking: boolean) => {
      const diffs: number[] = [];
      for (let i = 1; i < n; i++) if (loud[i] === speaking && loud[i - 1] === speaking) diffs.push(meanAbsDiff(frames[i]!, frames[i - 1]!));
      return diffs.reduce((a, b) => a + b, 0) / Math.max(1, diffs.length);
    };
    expect(motion(true)).toBeGreaterThan(2 * motion(false) + 0.5);
  }, 120_000);
});
