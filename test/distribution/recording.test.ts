import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishUrl, signPublishKey } from '../../protocol/publish-key.js';
import type { RecordingList, RecordingView } from '../../protocol/index.js';
import { recordingRoutes } from '../../server/distribution/recording-routes.js';
import { DestinationManager } from '../../stream-gateway/destinations/destination-manager.js';
import { ProgramForwarder } from '../../stream-gateway/program/program-forwarder.js';
import { SlateLibrary } from '../../stream-gateway/program/slate.js';
import { probeDurationMs } from '../../stream-gateway/recording/finish-recording.js';
import { ShowRecorder } from '../../stream-gateway/recording/show-recorder.js';
import { SECRET, captureLogger, inOneMinute, publish, startHarness, waitFor, type Harness } from '../../stream-gateway/test-support.js';
import { buildRouteApp, type RouteApp } from './route-app.js';

describe('every show is recorded for on-demand', () => {
  let h: Harness;
  let t: RouteApp;
  let dataDir: string;
  const recorded: RecordingView[] = [];
  const { logger } = captureLogger();
  const slates = new SlateLibrary();
  let forwarder: ProgramForwarder;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'lh-rec-'));
    const recorder = new ShowRecorder({ dir: join(dataDir, 'recordings'), log: logger, onRecorded: (v) => recorded.push(v) });
    const manager = new DestinationManager({ log: logger });
    // No slate hold: the show ends as soon as the room is offline, so its length is the publish's.
    forwarder = new ProgramForwarder({ manager, slates, log: logger, stallMs: 400, slateHoldMs: 0, consumers: [recorder] });
    await Promise.all([forwarder.start(), slates.prepare({ width: 320, height: 180, fps: 15, channels: 1 })]);
    h = await startHarness(false, { forwarder });
    t = await buildRouteApp(dataDir);
    await recordingRoutes(t.app, t.core, join(dataDir, 'recordings'));
    await t.app.ready();
  });
  afterAll(async () => {
    await h?.stop();
    await t?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a 6 s show becomes an MP4 of the same length and an HLS VOD playlist, listed and downloadable through REST', async () => {
    const rtmp = `rtmp://127.0.0.1:${h.gateway.rtmpPort}/live`;
    const publisher = publish(publishUrl(rtmp, 'rec-1', signPublishKey(SECRET, 'rec-1', inOneMinute())), 6);
    expect(await publisher.done).toBe(0);
    const view = await waitFor('recording ready', () => recorded[0], 20_000);

    const dir = join(dataDir, 'recordings', 'rec-1', view.id);
    const showMs = view.endedAt! - view.startedAt;
    const mp4Ms = await probeDurationMs(join(dir, 'show.mp4'));
    expect(Math.abs(mp4Ms - showMs)).toBeLessThanOrEqual(1000);
    // All 6 s the publisher sent are in it (media time: a slow machine publishes slower, not less).
    expect(mp4Ms).toBeGreaterThanOrEqual(5000);
    expect(view.durationMs).toBe(mp4Ms);

    const playlist = await readFile(join(dir, 'index.m3u8'), 'utf8');
    expect(playlist).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
    expect(playlist.trim().endsWith('#EXT-X-ENDLIST')).toBe(true);
    const segments = playlist.split('\n').filter((l) => l.endsWith('.ts'));
    expect(segments.length).toBeGreaterThanOrEqual(2);
    for (const s of segments) expect(existsSync(join(dir, s))).toBe(true);
    // The raw capture is gone once the outputs exist.
    expect((await readdir(dir)).filter((f) => f.endsWith('.flv'))).toEqual([]);

    const auth = { authorization: `Bearer ${t.admin}` };
    const list = await t.app.inject({ method: 'GET', url: '/api/rooms/rec-1/recordings', headers: auth });
    expect(list.statusCode).toBe(200);
    expect(list.json<RecordingList>().recordings).toEqual([view]);
    const mp4 = await t.app.inject({ method: 'GET', url: view.mp4, headers: auth });
    expect(mp4.statusCode).toBe(200);
    expect(mp4.headers['content-type']).toBe('video/mp4');
    expect(mp4.rawPayload.equals(await readFile(join(dir, 'show.mp4')))).toBe(true);
    const hls = await t.app.inject({ method: 'GET', url: view.hls, headers: auth });
    expect(hls.body).toBe(playlist);
    const seg = await t.app.inject({ method: 'GET', url: `/api/rooms/rec-1/recordings/${view.id}/${segments[0]}`, headers: auth });
    expect(seg.headers['content-type']).toBe('video/mp2t');
    expect((await t.app.inject({ method: 'GET', url: `/api/rooms/rec-1/recordings/${view.id}/part-0.flv`, headers: auth })).statusCode).toBe(400);
  }, 40_000);
});
