import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { HostOutbound } from '../client/server-client.js';
import { RenderHost } from '../host/render-host.js';
import { silentLogger } from '../log.js';
import { makeSegment } from '../test-helpers/segments.js';
import { ExternalRendererServer } from './external-renderer-server.js';

const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

describe('external renderer adapter', () => {
  it('forwards rooms, segments and commands to the engine and relays its acks and speech times', async () => {
    const ext = new ExternalRendererServer({ port: 0, log: silentLogger });
    const port = await ext.listen();
    const sent: HostOutbound[] = [];
    const host = new RenderHost({
      capacity: 1, capabilities: { renderer: 'external', resolutions: ['1080p'], encoders: ['engine'] },
      factory: ext, send: (m) => sent.push(m), log: silentLogger, commandTimeoutMs: 2000,
    });
    cleanup.push(() => host.close());

    const assign = { room: 'room-a', look: { character: 'ben', scene: 'beach', camera: 'side' }, publish: { url: 'rtmp://127.0.0.1/live', streamKey: 'k1' } } as const;
    host.handle({ type: 'room.assign', seq: 1, language: 'en-US', voice: {}, ...assign });

    // The engine connects after the room was assigned: its hello carries the room.
    const engine = new WebSocket(`ws://127.0.0.1:${port}`);
    cleanup.push(() => engine.terminate());
    const got: Array<Record<string, unknown>> = [];
    engine.on('message', (d) => got.push(JSON.parse(d.toString())));
    await until(() => got.length === 1);
    expect(got[0]).toEqual({ type: 'hello', protocol: 1, rooms: [assign] });

    const segment = makeSegment({ id: 'seg-1', seq: 1, url: 'http://127.0.0.1/a.wav', durationMs: 500 });
    host.handle({ type: 'speech.segment', seq: 2, segment });
    host.handle({ type: 'command', seq: 3, commandId: 'c-1', room: 'room-a', command: { name: 'action', action: 'Talk2' } });
    host.handle({ type: 'command', seq: 4, commandId: 'c-2', room: 'room-a', command: { name: 'camera', camera: 'front' } });
    await until(() => got.length === 4);
    expect(got[1]).toEqual({ type: 'speech.segment', segment });
    expect(got[2]).toEqual({ type: 'command', commandId: 'c-1', room: 'room-a', command: { name: 'action', action: 'Talk2' } });

    engine.send(JSON.stringify({ type: 'command.ack', commandId: 'c-1', ok: true }));
    engine.send(JSON.stringify({ type: 'command.ack', commandId: 'c-2', ok: false, error: 'no side camera rig' }));
    engine.send(JSON.stringify({ type: 'speech.started', room: 'room-a', segmentId: 'seg-1', mediaTimeMs: 1000 }));
    engine.send(JSON.stringify({ type: 'speech.finished', room: 'room-a', segmentId: 'seg-1', mediaTimeMs: 1500, interrupted: false }));
    engine.send(JSON.stringify({ type: 'stats', room: 'room-a', fps: 60 }));
    engine.send('{"type":"speech.started","room":"../etc"}'); // invalid: ignored
    await until(() => sent.length === 4);
    // Acks settle through promises, so they may come after the speech times.
    expect(sent).toHaveLength(4);
    expect(sent).toEqual(expect.arrayContaining([
      { type: 'command.ack', ref: 'c-1', room: 'room-a', ok: true },
      { type: 'command.ack', ref: 'c-2', room: 'room-a', ok: false, error: 'no side camera rig' },
      { type: 'speech.started', room: 'room-a', segmentId: 'seg-1', mediaTimeMs: 1000 },
      { type: 'speech.finished', room: 'room-a', segmentId: 'seg-1', mediaTimeMs: 1500, interrupted: false },
    ]));
    await until(() => host.heartbeat().fps === 60);

    host.handle({ type: 'room.release', seq: 5, room: 'room-a' });
    await until(() => got.length === 5);
    expect(got[4]).toEqual({ type: 'room.release', room: 'room-a' });
  });

  it('acks a command as failed when no engine is connected', async () => {
    const ext = new ExternalRendererServer({ port: 0, log: silentLogger });
    await ext.listen();
    const sent: HostOutbound[] = [];
    const host = new RenderHost({
      capacity: 1, capabilities: { renderer: 'external', resolutions: ['720p'], encoders: ['engine'] },
      factory: ext, send: (m) => sent.push(m), log: silentLogger,
    });
    cleanup.push(() => host.close());
    host.handle({ type: 'room.assign', seq: 1, room: 'room-b', language: 'en-US', voice: {}, look: { character: 'ava', scene: 'park', camera: 'front' }, publish: { url: 'rtmp://x/live', streamKey: 'k' } });
    host.handle({ type: 'command', seq: 2, commandId: 'c-9', room: 'room-b', command: { name: 'panel.hide' } });
    await until(() => sent.length === 1);
    expect(sent[0]).toEqual({ type: 'command.ack', ref: 'c-9', room: 'room-b', ok: false, error: 'external renderer not connected' });
  });
});
