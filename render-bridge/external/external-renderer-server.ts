import type { AddressInfo } from 'node:net';
import { WebSocketServer, WebSocket } from 'ws';
import { compile, type AvatarCommand, type SpeechSegment } from '../../protocol/index.js';
import type { Logger } from '../log.js';
import type { RoomAssignment, RoomEvents, RoomFactory, RoomHandle } from '../room/room-handle.js';
import { ENGINE_PROTOCOL_VERSION, EngineToBridge } from './engine-messages.js';
const validate = compile(EngineToBridge);

export interface ExternalRendererOptions {
  port: number;
  /** Loopback by default: the engine runs on the same machine. */
  host?: string;
  log: Logger;
}

interface Room {
  assignment: RoomAssignment;
  events: RoomEvents;
  fps: number;
}

/**
 * Rooms rendered by an external engine (Unreal, Unity): the bridge is a local WebSocket
 * server the engine connects to; assignments, segments and commands go out as JSON,
 * acks and speech times come back (EXTERNAL-RENDERER.md). A reconnecting engine gets
 * the current assignments in its `hello`.
 */
export class ExternalRendererServer implements RoomFactory {
  private wss: WebSocketServer | null = null;
  private engine: WebSocket | null = null;
  private readonly rooms = new Map<string, Room>();
  private readonly pending = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();

  constructor(private readonly o: ExternalRendererOptions) {}

  async listen(): Promise<number> {
    const wss = new WebSocketServer({ port: this.o.port, host: this.o.host ?? '127.0.0.1', maxPayload: 1024 * 1024 });
    this.wss = wss;
    await new Promise<void>((resolve, reject) => {
      wss.once('listening', resolve);
      wss.once('error', reject);
    });
    wss.on('connection', (ws) => this.onEngine(ws));
    const port = (wss.address() as AddressInfo).port;
    this.o.log.info({ port }, 'waiting for the external renderer');
    return port;
  }

  get connected(): boolean {
    return this.engine?.readyState === WebSocket.OPEN;
  }

  create(assignment: RoomAssignment, events: RoomEvents): RoomHandle {
    const room: Room = { assignment, events, fps: 0 };
    this.rooms.set(assignment.room, room);
    this.toEngine({ type: 'room.assign', ...assignment });
    const name = assignment.room;
    return {
      room: name,
      update: (a) => {
        room.assignment = a;
        this.toEngine({ type: 'room.assign', ...a });
      },
      enqueue: (segment: SpeechSegment) => {
        if (!this.toEngine({ type: 'speech.segment', segment })) {
          this.o.log.warn({ room: name, segmentId: segment.segmentId }, 'no external renderer connected; segment dropped');
        }
      },
      command: (commandId: string, command: AvatarCommand) => this.command(name, commandId, command),
      fps: () => (this.connected ? room.fps : 0),
      close: async () => {
        this.rooms.delete(name);
        this.toEngine({ type: 'room.release', room: name });
      },
    };
  }

  async close(): Promise<void> {
    for (const p of this.pending.values()) p.reject(new Error('bridge shutting down'));
    this.pending.clear();
    const wss = this.wss;
    this.wss = null;
    if (!wss) return;
    for (const c of wss.clients) c.close(1001, 'bridge shutting down');
    await new Promise<void>((r) => wss.close(() => r()));
  }

  private command(room: string, commandId: string, command: AvatarCommand): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.toEngine({ type: 'command', commandId, room, command })) {
        reject(new Error('external renderer not connected'));
        return;
      }
      // The host's command timeout settles it if the engine never answers; drop our entry then.
      const done = () => this.pending.delete(commandId);
      this.pending.set(commandId, {
        resolve: () => { done(); resolve(); },
        reject: (e) => { done(); reject(e); },
      });
      setTimeout(done, 30_000).unref();
    });
  }

  private toEngine(msg: object): boolean {
    if (!this.connected) return false;
    this.engine!.send(JSON.stringify(msg));
    return true;
  }

  private onEngine(ws: WebSocket): void {
    // One engine at a time: a newer connection (engine restart) replaces the old one.
    this.engine?.close(4009, 'replaced by a newer engine connection');
    this.engine = ws;
    this.o.log.info('external renderer connected');
    ws.send(JSON.stringify({
      type: 'hello', protocol: ENGINE_PROTOCOL_VERSION,
      rooms: [...this.rooms.values()].map((r) => r.assignment),
    }));
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.fromEngine(data.toString());
    });
    ws.on('close', () => {
      if (this.engine !== ws) return;
      this.engine = null;
      this.o.log.warn('external renderer disconnected');
    });
    ws.on('error', () => undefined);
  }

  private fromEngine(raw: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return void this.o.log.warn('engine frame is not JSON; ignored');
    }
    const v = validate.check(parsed);
    if (!v.ok) return void this.o.log.warn({ error: v.error }, 'invalid engine frame; ignored');
    const m = v.value;
    switch (m.type) {
      case 'command.ack': {
        const p = this.pending.get(m.commandId);
        if (!p) return;
        return m.ok ? p.resolve() : p.reject(new Error(m.error ?? 'engine refused the command'));
      }
      case 'speech.started':
        return this.rooms.get(m.room)?.events.speechStarted(m.room, m.segmentId, m.mediaTimeMs);
      case 'speech.finished':
        return this.rooms.get(m.room)?.events.speechFinished(m.room, m.segmentId, m.mediaTimeMs, m.interrupted);
      case 'stats': {
        const room = this.rooms.get(m.room);
        if (room) room.fps = m.fps;
        return;
      }
    }
  }
}
