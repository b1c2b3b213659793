import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AvatarCommand, SpeechSegment } from '../../protocol/index.js';
import { RenderHost } from '../host/render-host.js';
import { silentLogger } from '../log.js';
import type { RoomFactory, RoomHandle } from '../room/room-handle.js';
import { makeSegment } from '../test-helpers/segments.js';
import { Backoff } from './backoff.js';
import { ServerClient } from './server-client.js';

/** A tiny stand-in for the server's render-host hub: sessions, seq, replay on resume. */
function fakeServer(token: string) {
  const wss = new WebSocketServer({ port: 0, path: '/ws/render-host' });
  const frames: Array<Record<string, unknown>> = []; // the session's ordered stream
  const received: Array<Record<string, unknown>> = [];
  const connects: URLSearchParams[] = [];
  let current: WebSocket | null = null;
  wss.on('connection', (ws, req) => {
    if (req.headers.authorization !== `Bearer ${token}`) return ws.close(4001, 'unauthorized');
    const q = new URL(req.url!, 'http://x').searchParams;
    connects.push(q);
    current = ws;
    const resumed = q.get('session') === 'sess-1';
    ws.send(JSON.stringify({ type: 'welcome', protocol: 1, sessionId: 'sess-1', instanceId: 'i1', role: 'render-host', resumed, lastSeq: frames.length }));
    // A sloppy replay: everything from seq 1, so the client must skip what it already handled.
    if (resumed) for (const f of frames) ws.send(JSON.stringify(f));
    ws.on('message', (d) => received.push(JSON.parse(d.toString())));
  });
  return {
    url: () => `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    push(frame: Record<string, unknown>) {
      const f = { ...frame, seq: frames.length + 1 };
      frames.push(f);
      current?.send(JSON.stringify(f));
    },
    sendRaw: (raw: string) => current?.send(raw),
    drop: () => current?.terminate(),
    received, connects,
    close: () => new Promise<void>((r) => { for (const c of wss.clients) c.terminate(); wss.close(() => r()); }),
  };
}

/** Records what rooms receive instead of rendering. */
function recordingFactory() {
  const segments: string[] = [];
  const commands: string[] = [];
  const factory: RoomFactory = {
    create(a, events): RoomHandle {
      return {
        room: a.room,
        update() {},
        enqueue(s: SpeechSegment) { segments.push(s.segmentId); events.speechStarted(a.room, s.segmentId, 0); },
        async command(_id: string, c: AvatarCommand) { commands.push(c.name); if (c.name === 'panel.show') throw new Error('image fetch answered 404'); },
        fps: () => 30,
        close: async () => {},
      };
    },
  };
  return { factory, segments, commands };
}

const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

const assign = { type: 'room.assign', room: 'room-a', look: { character: 'ava', scene: 'park', camera: 'front' }, language: 'en-US', voice: {}, publish: { url: 'rtmp://127.0.0.1/live', streamKey: 'secret-key' } };

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

describe('server client', () => {
  it('registers, resumes after a drop and never handles a replayed seq twice', async () => {
    const server = fakeServer('tok');
    cleanup.push(server.close);
    const rec = recordingFactory();
    const outbox: { client: ServerClient | null } = { client: null };
    const host = new RenderHost({
      capacity: 2, capabilities: { renderer: 'reference', resolutions: ['720p'], encoders: ['libx264'] },
      factory: rec.factory, send: (m) => outbox.client?.send(m), log: silentLogger,
    });
    const client = new ServerClient({
      url: server.url(), token: 'tok', register: () => host.registration(), heartbeat: () => host.heartbeat(),
      onMessage: (m) => host.handle(m), heartbeatMs: 200, backoff: new Backoff(20, 100),
    });
    outbox.client = client;
    cleanup.push(() => client.stop());
    client.start();
    await until(() => server.received.some((m) => m.type === 'host.register'));
    expect(server.received[0]).toMatchObject({ type: 'host.register', capacity: 2, capabilities: { renderer: 'reference' } });

    server.push(assign);
    server.push({ type: 'speech.segment', segment: makeSegment({ id: 'seg-a', seq: 1, url: 'file:///nope.wav', durationMs: 100 }) });
    server.push({ type: 'command', commandId: 'cmd-1', room: 'room-a', command: { name: 'scene', scene: 'beach' } });
    await until(() => server.received.some((m) => m.type === 'command.ack'));
    expect(server.received.find((m) => m.type === 'command.ack')).toMatchObject({ ref: 'cmd-1', room: 'room-a', ok: true });
    server.sendRaw(JSON.stringify({ type: 'speech.segment', seq: 99, segment: { bogus: true } })); // invalid: ignored
    await until(() => server.received.some((m) => m.type === 'host.heartbeat'));
    expect(server.received.find((m) => m.type === 'host.heartbeat')).toMatchObject({ rooms: ['room-a'] });
    expect(client.lastSeq).toBe(3);

    server.drop();
    await until(() => server.connects.length === 2);
    expect(server.connects[1]!.get('session')).toBe('sess-1');
    expect(server.connects[1]!.get('lastSeq')).toBe('3');
    server.push({ type: 'speech.segment', segment: makeSegment({ id: 'seg-b', seq: 2, url: 'file:///nope.wav', durationMs: 100 }) });
    server.push({ type: 'command', commandId: 'cmd-2', room: 'room-a', command: { name: 'panel.show', imageUrl: 'http://127.0.0.1:9/x.png' } });
    await until(() => server.received.filter((m) => m.type === 'command.ack').length === 2);

    expect(rec.segments).toEqual(['seg-a', 'seg-b']);
    expect(rec.commands).toEqual(['scene', 'panel.show']);
    expect(server.received.filter((m) => m.type === 'speech.started').map((m) => m.segmentId)).toEqual(['seg-a', 'seg-b']);
    expect(server.received.filter((m) => m.type === 'command.ack')[1]).toMatchObject({ ref: 'cmd-2', ok: false, error: 'image fetch answered 404' });
    expect(server.received.filter((m) => m.type === 'host.register')).toHaveLength(2);
  });

  it('keeps messages sent while the server is away and delivers them after reconnecting', async () => {
    const server = fakeServer('tok');
    cleanup.push(server.close);
    const client = new ServerClient({
      url: server.url(), token: 'tok', onMessage: () => {}, backoff: new Backoff(20, 100),
      register: () => ({ capacity: 1, capabilities: { renderer: 'reference', resolutions: ['720p'], encoders: ['libx264'] } }),
      heartbeat: () => ({ rooms: [] }),
    });
    cleanup.push(() => client.stop());
    client.start();
    await until(() => client.state === 'open');
    server.drop();
    await until(() => client.state !== 'open');
    client.send({ type: 'speech.finished', room: 'room-a', segmentId: 's1', mediaTimeMs: 1234, interrupted: false });
    await until(() => server.received.some((m) => m.type === 'speech.finished'));
    expect(server.received.find((m) => m.type === 'speech.finished')).toMatchObject({ segmentId: 's1', mediaTimeMs: 1234 });
  });
});

describe('server client reports through a server outage', () => {
  it('sends a report the server refused as unavailable again, and nothing else', async () => {
    const server = fakeServer('tok');
    cleanup.push(server.close);
    const client = new ServerClient({
      url: server.url(), token: 'tok', register: () => ({ capacity: 1, capabilities: { renderer: 'reference', resolutions: ['720p'], encoders: ['libx264'] } }),
      heartbeat: () => ({ rooms: [] }), onMessage: () => undefined, heartbeatMs: 60_000,
      reportRetry: { attempts: 3, backoff: () => new Backoff(1, 4) },
    });
    cleanup.push(() => client.stop());
    client.start();
    await until(() => server.received.some((m) => m.type === 'host.register'));
    const reports = (type: string) => server.received.filter((m) => m.type === type);
    const refuse = (frame: Record<string, unknown>, code: string) =>
      server.sendRaw(JSON.stringify({ type: 'error', code, message: 'no', ref: frame.id }));

    client.send({ type: 'speech.started', room: 'room-a', segmentId: 'seg-1', mediaTimeMs: 40 });
    await until(() => reports('speech.started').length === 1);
    refuse(reports('speech.started')[0]!, 'unavailable');
    await until(() => reports('speech.started').length === 2);
    // The same report, under a new message id; refused again, and again: at most `attempts` resends.
    expect(reports('speech.started')[1]).toMatchObject({ room: 'room-a', segmentId: 'seg-1', mediaTimeMs: 40 });
    expect(reports('speech.started')[1]!.id).not.toBe(reports('speech.started')[0]!.id);
    for (let i = 1; i <= 3; i++) {
      refuse(reports('speech.started')[i]!, 'unavailable');
      if (i < 3) await until(() => reports('speech.started').length === i + 2);
    }

    // Other refusals, and unavailable for what is not a report (a heartbeat), are not resent.
    client.send({ type: 'speech.finished', room: 'room-a', segmentId: 'seg-1', mediaTimeMs: 900, interrupted: false });
    client.send({ type: 'command.ack', ref: 'cmd-1', room: 'room-a', ok: true });
    client.send({ type: 'host.heartbeat', rooms: [] });
    await until(() => reports('command.ack').length === 1 && reports('host.heartbeat').length === 1);
    refuse(reports('speech.finished')[0]!, 'forbidden');
    refuse(reports('host.heartbeat')[0]!, 'unavailable');
    refuse(reports('command.ack')[0]!, 'unavailable');
    await until(() => reports('command.ack').length === 2);
    client.send({ type: 'ping' });
    await until(() => reports('ping').length === 1);
    expect(reports('speech.started')).toHaveLength(4);
    expect(reports('speech.finished')).toHaveLength(1);
    expect(reports('host.heartbeat')).toHaveLength(1);
  });
});
