import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../log.js';
import { FfmpegAudioDecoder } from '../media/audio-decoder.js';
import { SAMPLES_PER_FRAME } from '../media/media-timing.js';
import { createMouthBoxRenderer, mouthBox } from '../test-helpers/mouth-box-renderer.js';
import { makeSegment, writeToneWav } from '../test-helpers/segments.js';
import { HttpImageLoader } from './panel-image.js';
import { ReferenceRoom, type FrameSink } from './reference-room.js';

const dir = mkdtempSync(join(tmpdir(), 'room-'));
let http: Server;
let base = '';
beforeAll(async () => {
  const c = createCanvas(40, 20);
  const ctx = c.getContext('2d');
  ctx.fillStyle = '#ff0000';
  ctx.fillRect(0, 0, 40, 20);
  const png = c.toBuffer('image/png');
  http = createServer((req, res) => {
    if (req.url === '/p.png') return res.writeHead(200, { 'content-type': 'image/png' }).end(png);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await new Promise((r) => http.close(r));
});

function room() {
  const frames: Array<{ rgba: Buffer; audio: Int16Array }> = [];
  const sink: FrameSink = { start() {}, stop: async () => {}, writeFrame: (rgba, audio) => { frames.push({ rgba, audio }); return true; } };
  const events: string[] = [];
  const r = new ReferenceRoom({
    assignment: { room: 'room-a', look: { character: 'ava', scene: 'park', camera: 'front' }, publish: { url: 'rtmp://x/live', streamKey: 'k' } },
    events: {
      speechStarted: (_room, id, ms) => events.push(`started ${id} ${ms}`),
      speechFinished: (_room, id, ms, interrupted) => events.push(`finished ${id} ${ms} ${interrupted}`),
    },
    width: 64, height: 36, renderer: createMouthBoxRenderer(), createSink: () => sink,
    decoder: new FfmpegAudioDecoder(), images: new HttpImageLoader(), log: silentLogger, autoStart: false,
  });
  return { r, frames, events };
}

const mouthPixel = (rgba: Buffer) => {
  const b = mouthBox(64, 36);
  return rgba[((b.y + 1) * 64 + b.x + 1) * 4]!;
};

describe('reference room', () => {
  it('draws the mouth from the playing segment and cuts it within one frame on stop', async () => {
    const { r, frames, events } = room();
    r.enqueue(makeSegment({ id: 's1', seq: 1, url: writeToneWav(join(dir, 'a.wav'), 2000), durationMs: 2000, visemes: [{ viseme: 'aa', timeMs: 0 }] }));
    await r.scheduler.decoded();
    let f = 0;
    for (; f < 20; f++) r.renderFrame(f);
    expect(events[0]).toMatch(/^started s1 /);
    expect(mouthPixel(frames[f - 1]!.rgba)).toBe(255);
    expect(frames[f - 1]!.audio.some((x) => x !== 0)).toBe(true);
    await r.command('c1', { name: 'stop' });
    const cut = r.renderFrame(f++);
    expect(mouthPixel(cut.rgba)).toBe(0);
    expect(cut.audio.every((x) => x === 0)).toBe(true);
    expect(cut.audio.length).toBe(SAMPLES_PER_FRAME);
    expect(events[1]).toMatch(/^finished s1 .* true$/);
    await r.close();
  });

  it('applies look, action, caption and panel commands to the frame state', async () => {
    const { r } = room();
    await r.command('c1', { name: 'scene', scene: 'beach' });
    await r.command('c2', { name: 'camera', camera: 'side' });
    await r.command('c3', { name: 'character', character: 'ben' });
    await r.command('c4', { name: 'action', action: 'Talk3' });
    await r.command('c5', { name: 'caption', text: 'Welcome!' });
    await r.command('c6', { name: 'panel.show', imageUrl: `${base}/p.png`, title: 'Shoes' });
    let s = r.renderFrame(0).state;
    expect(s.look).toEqual({ character: 'ben', scene: 'beach', camera: 'side' });
    expect(s.action).toBe('Talk3');
    expect(s.caption).toBe('Welcome!');
    expect(s.panel?.title).toBe('Shoes');
    expect(s.panel?.image).toMatchObject({ width: 40, height: 20 });
    expect([...s.panel!.image!.rgba.subarray(0, 4)]).toEqual([255, 0, 0, 255]);
    await expect(r.command('c7', { name: 'panel.show', imageUrl: `${base}/missing.png` })).rejects.toThrow(/404/);
    await r.command('c8', { name: 'panel.hide' });
    await r.command('c9', { name: 'caption', text: '' });
    s = r.renderFrame(1).state;
    expect(s.panel).toBeNull();
    expect(s.caption).toBeNull();
    await r.close();
  });
});
