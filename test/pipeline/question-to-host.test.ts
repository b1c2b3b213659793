import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboundValidator, type SpeechSegment } from '../../protocol/index.js';
import { cleanup, startServer, type TestServer } from '../helpers/server.js';
import { redisUrl } from '../helpers/redis.js';
import { startPart, type Part } from '../helpers/processes.js';
import { TestClient } from '../helpers/ws-client.js';
import { FakeHost } from '../helpers/fake-host.js';

describe('a viewer question becomes speech at the render host', () => {
  let srv: TestServer;
  let workers: Part;
  let dataDir: string;
  let host: FakeHost;
  let bot: TestClient;

  beforeAll(async () => {
    srv = await startServer();
    dataDir = mkdtempSync(path.join(tmpdir(), 'livehost-pipeline-'));
    workers = await startPart('workers/main.ts', {
      REDIS_URL: redisUrl(), LIVEHOST_REDIS_PREFIX: srv.prefix, LIVEHOST_DATA_DIR: dataDir, LIVEHOST_ANSWERS: 'kb',
    }, /workers ready/);
    // Plays each line in 100 ms instead of its duration; reports started/finished like the real host.
    host = await FakeHost.connect(srv.wsUrl, await srv.token({ role: 'render-host', hostId: 'gpu-1' }), { playMs: () => 100 });
    await srv.core.rooms.create({ id: 'tour', name: 'City tour', persona: 'A friendly tourist guide.' });
    await srv.core.rooms.putKb('tour', {
      qa: [{ question: 'When does the museum open?', answer: 'The museum opens at nine in the morning. Entry is free on Sundays.' }],
      facts: ['The old town has a castle from the twelfth century.'],
    });
    await srv.core.placement.place('tour');
    await host.client.next((f) => f.type === 'room.assign');
    bot = await TestClient.connect(`${srv.wsUrl}/ws/bot`, await srv.token({ role: 'bot', rooms: ['tour'] }));
  }, 60_000);

  afterAll(async () => {
    host?.close();
    bot?.close();
    await workers?.stop();
    await cleanup(srv);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers from the knowledge base, sentence by sentence, in order, with flite audio and a timeline', async () => {
    bot.send({ type: 'question', id: 'q1', user: { id: 'viewer-1', name: 'Ana' }, text: 'When does the museum open?' });
    const ack = await bot.next((f) => f.type === 'question.ack');
    expect(ack).toMatchObject({ ref: 'q1', status: 'queued' });

    await host.waitPlayed(2);
    const frames = host.client.frames.filter((f) => f.type === 'speech.segment');
    for (const f of frames) expect(outboundValidator('render-host').check(f).ok).toBe(true);
    const segments = frames.map((f) => f.segment as SpeechSegment);
    expect(segments.map((s) => s.text)).toEqual(['The museum opens at nine in the morning.', 'Entry is free on Sundays.']);
    expect(segments.map((s) => s.segmentSeq)).toEqual([1, 2]);
    expect(segments.map((s) => s.final)).toEqual([false, true]);
    expect(segments.every((s) => s.questionId === ack.questionId)).toBe(true);

    const first = segments[0]!;
    const wav = readFileSync(fileURLToPath(first.audio.url));
    expect(wav.subarray(0, 4).toString()).toBe('RIFF');
    expect(first.durationMs).toBeGreaterThan(1000);
    expect(first.timeline.words.map((w) => w.text.toLowerCase())).toContain('museum');
    expect(first.timeline.visemes.some((v) => v.viseme === 'PP')).toBe(true); // the m of "museum"
    expect(first.timeline.visemes.every((v) => v.timeMs <= first.durationMs)).toBe(true);

    // The bot that asked hears the whole answer once the host reported it spoken; the question is answered.
    const answered = await bot.next((f) => f.type === 'question.answered');
    expect(answered).toMatchObject({ questionId: ack.questionId, text: 'The museum opens at nine in the morning. Entry is free on Sundays.' });
    const [question] = await srv.core.questions.list('tour');
    expect(question!.status).toBe('answered');
  });

  it('an identical question from another viewer is grouped, not answered twice', async () => {
    const before = host.segments.length;
    bot.send({ type: 'question', id: 'q2', user: { id: 'viewer-2', name: 'Ben' }, text: 'when does the MUSEUM open' });
    const ack = await bot.next((f) => f.type === 'question.ack' && f.ref === 'q2');
    expect(ack.status).toBe('duplicate');
    await new Promise((r) => setTimeout(r, 1500));
    expect(host.segments.length).toBe(before);
  });
});
