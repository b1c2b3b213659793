import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Material, RundownSegment } from '../../protocol/index.js';
import { ManualClock } from '../../server/show/clock.js';
import { cleanup, startServer, type TestServer } from '../helpers/server.js';
import { redisUrl } from '../helpers/redis.js';
import { startPart, type Part } from '../helpers/processes.js';
import { TestClient } from '../helpers/ws-client.js';
import { FakeHost } from '../helpers/fake-host.js';

// Real Redis, real workers (flite synthesizes the library), a render host over a real
// WebSocket that plays on the test's clock: the show's timing is checked exactly.
describe('a rundown on air, on a test clock', () => {
  const clock = new ManualClock(Date.now());
  let srv: TestServer;
  let workers: Part;
  let dir: string;
  let host: FakeHost;
  let op: TestClient;
  const api = async <T>(method: string, url: string, payload?: object): Promise<T> => {
    const res = await srv.app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${srv.adminToken}` }, ...(payload ? { payload } : {}) });
    if (res.statusCode >= 300) throw new Error(`${method} ${url} → ${res.statusCode} ${res.body}`);
    return (res.body ? res.json() : undefined) as T;
  };
  const ready = async (id: string): Promise<Material> => {
    for (;;) {
      const m = await api<Material>('GET', `/api/rooms/show/materials/${id}`);
      if (m.status !== 'synthesizing') return m;
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  /** Waits until the director has handled everything sent to it so far. */
  const settled = async () => {
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 40));
      await srv.core.show.local('show')?.idle();
    }
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'livehost-rundown-'));
    srv = await startServer({}, undefined, { clock });
    workers = await startPart('workers/main.ts', { REDIS_URL: redisUrl(), LIVEHOST_REDIS_PREFIX: srv.prefix, LIVEHOST_DATA_DIR: dir }, /workers ready/);
    await api('POST', '/api/rooms', { id: 'show', name: 'Show' });
    host = await FakeHost.connect(srv.wsUrl, await srv.token({ role: 'render-host', hostId: 'h1' }), { manual: true, now: () => clock.now() });
    op = await TestClient.connect(`${srv.wsUrl}/ws/operator`, srv.adminToken);
    op.send({ type: 'room.subscribe', id: 's', room: 'show' });
    await op.next((f) => f.type === 'ack');
  }, 60_000);

  afterAll(async () => {
    host?.close();
    op?.close();
    await workers?.stop();
    await cleanup(srv);
    rmSync(dir, { recursive: true, force: true });
  });

  it('plays manual, follow, a Q&A window with fillers, a loop and a hard cue in order and on time', async () => {
    const lines: Record<string, string> = {
      intro: 'Welcome to the show, I am Ava.',
      pitch: 'This kettle boils water in two minutes flat.',
      loop: 'Order now and get free shipping.',
      closing: 'That is all for today, thank you for watching.',
      f1: 'Keep your questions coming in the chat.',
      f2: 'Stay with us.',
    };
    for (const [id, text] of Object.entries(lines)) {
      await api('POST', '/api/rooms/show/materials', {
        id, text, tags: id.startsWith('f') ? ['filler'] : [],
        ...(id === 'pitch' ? { look: { scene: 'beach' }, cues: [{ atWord: 2, command: { name: 'panel.show', imageUrl: 'http://127.0.0.1:9/kettle.png', title: 'Kettle' } }] } : {}),
      });
    }
    const d: Record<string, number> = {};
    for (const id of Object.keys(lines)) {
      const m = await ready(id);
      expect(m.status).toBe('ready');
      d[id] = m.durationMs!;
    }
    const t0 = clock.now();
    const windowMs = 20_000;
    const cueAt = t0 + d.intro! + d.pitch! + windowMs + 2.5 * d.loop!;
    const segments: RundownSegment[] = [
      { id: 'intro', title: 'Intro', plannedMs: d.intro!, start: { rule: 'manual' }, items: [{ kind: 'material', materialId: 'intro' }] },
      { id: 'pitch', title: 'Pitch', plannedMs: d.pitch! + windowMs, start: { rule: 'follow' }, items: [{ kind: 'material', materialId: 'pitch' }, { kind: 'qa', maxMs: windowMs }] },
      { id: 'loop', title: 'Loop', plannedMs: 3 * d.loop!, start: { rule: 'follow' }, loop: true, items: [{ kind: 'material', materialId: 'loop' }] },
      { id: 'close', title: 'Close', plannedMs: d.closing!, start: { rule: 'at', at: new Date(cueAt).toISOString() }, items: [{ kind: 'material', materialId: 'closing' }] },
    ];
    await api('PUT', '/api/rooms/show/rundown', { version: 0, segments });
    await settled();
    expect(host.played).toEqual([]);

    op.send({ type: 'show.go', id: 'go', room: 'show' });
    await op.next((f) => f.type === 'ack' && f.ref === 'go');
    // Plays segment `n` out on the test clock and returns when it started.
    const play = async (n: number, text: string) => {
      const seg = await host.started(n);
      expect(seg.text).toBe(text);
      const startedAt = host.played[n]!.startedAt;
      clock.advance(seg.durationMs);
      await settled();
      host.finish();
      return { seg, startedAt };
    };

    const intro = await play(0, lines.intro!);
    expect(intro.startedAt).toBe(t0);
    const pitch = await play(1, lines.pitch!);
    expect(pitch.startedAt).toBe(t0 + d.intro!);
    // The material's look change lands as it starts; the panel lands on its third word, on the host's clock.
    expect(pitch.seg.cues).toEqual(expect.arrayContaining([
      { atMs: 0, command: { name: 'scene', scene: 'beach' } },
      { atMs: pitch.seg.timeline.words[2]!.startMs, command: { name: 'panel.show', imageUrl: 'http://127.0.0.1:9/kettle.png', title: 'Kettle' } },
    ]));

    // The Q&A window has no questions: fillers fill it, the longest first, each once, both fitting.
    const w0 = t0 + d.intro! + d.pitch!;
    const [long, short] = d.f1! >= d.f2! ? ['f1', 'f2'] : ['f2', 'f1'];
    const first = await play(2, lines[long]!);
    expect(first.startedAt).toBe(w0);
    const second = await play(3, lines[short]!);
    expect(second.startedAt).toBe(w0 + d[long]!);
    expect(host.played.slice(2, 4).map((p) => p.priority)).toEqual(['filler', 'filler']);
    await settled();
    expect(host.played).toHaveLength(4); // then silence until the window ends
    clock.advance(w0 + windowMs - clock.now());
    await settled();

    // The looping segment repeats back to back until the hard cue.
    let n = 4;
    let loopStart = w0 + windowMs;
    for (;;) {
      const seg = await host.started(n);
      if (seg.text !== lines.loop) break;
      expect(host.played[n]!.startedAt).toBe(loopStart);
      loopStart += seg.durationMs;
      clock.advance(seg.durationMs);
      await settled();
      host.finish();
      n++;
    }
    expect(n - 4).toBe(3); // the cue fell in the third repeat, which was finished first
    const close = host.played[n]!;
    expect(close.text).toBe(lines.closing);
    expect(close.startedAt).toBeGreaterThanOrEqual(cueAt);
    expect(close.startedAt - cueAt).toBeLessThanOrEqual(d.loop!);
    clock.advance(d.closing!);
    await settled();
    host.finish();
    await settled();
    const state = await api<{ state: string; segments: Array<{ id: string; state: string }> }>('GET', '/api/rooms/show/show');
    expect(state.state).toBe('ended');
    expect(state.segments.map((s) => s.state)).toEqual(['done', 'done', 'done', 'done']);
  }, 120_000);

  it('a material whose synthesis fails shows failed with the reason and is never put on air', async () => {
    const m = await api<Material>('POST', '/api/rooms/show/materials', { id: 'broken', text: '🙂 🙂 🙂' });
    expect(m.status).toBe('synthesizing');
    const failed = await ready('broken');
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/empty_text/);
    const before = host.segments.length;
    const res = await srv.app.inject({
      method: 'POST', url: '/api/rooms/show/show', headers: { authorization: `Bearer ${srv.adminToken}` },
      payload: { name: 'material.play', materialId: 'broken', priority: 'urgent' },
    });
    expect(res.statusCode).toBe(200);
    await settled();
    expect(host.segments.length).toBe(before);
  });
});
