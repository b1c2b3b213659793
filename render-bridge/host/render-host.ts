import os from 'node:os';
import type { AvatarCommand, HostCapabilities, ServerToRenderHost, SpeechSegment } from '../../protocol/index.js';
import type { HostOutbound } from '../client/server-client.js';
import type { Logger } from '../log.js';
import type { RoomAssignment, RoomEvents, RoomFactory, RoomHandle } from '../room/room-handle.js';

export interface RenderHostOptions {
  capacity: number;
  /** Register as standby: capacity kept for rooms whose host was lost. */
  standby?: boolean;
  capabilities: HostCapabilities;
  factory: RoomFactory;
  /** How the host talks to the server (ServerClient.send in production). */
  send: (msg: HostOutbound) => void;
  log: Logger;
  /** A command that has not taken effect after this long is acked as failed. */
  commandTimeoutMs?: number;
}

/**
 * The render host's brain: it turns the server's ordered frames into room lifecycles,
 * speech and commands, and reports acks and speech times back. Transport-agnostic, so
 * tests drive it with plain objects.
 */
export class RenderHost {
  private readonly rooms = new Map<string, RoomHandle>();
  private readonly events: RoomEvents;

  constructor(private readonly o: RenderHostOptions) {
    this.events = {
      speechStarted: (room, segmentId, mediaTimeMs, streamTimeMs) =>
        o.send({ type: 'speech.started', room, segmentId, mediaTimeMs: Math.max(0, mediaTimeMs), ...(streamTimeMs !== undefined ? { streamTimeMs } : {}) }),
      speechFinished: (room, segmentId, mediaTimeMs, interrupted) =>
        o.send({ type: 'speech.finished', room, segmentId, mediaTimeMs: Math.max(0, mediaTimeMs), interrupted }),
      speechTiming: (room, segmentId, timing) => o.send({ type: 'speech.timing', room, segmentId, timing }),
    };
  }

  registration(): { capacity: number; capabilities: HostCapabilities; standby?: boolean } {
    return { capacity: this.o.capacity, capabilities: this.o.capabilities, ...(this.o.standby ? { standby: true } : {}) };
  }

  heartbeat(): { rooms: string[]; cpu: number; fps: number } {
    const handles = [...this.rooms.values()];
    const fps = handles.length ? handles.reduce((s, r) => s + r.fps(), 0) / handles.length : 0;
    const cpu = Math.min(1, (os.loadavg()[0] ?? 0) / Math.max(1, os.availableParallelism()));
    return { rooms: [...this.rooms.keys()], cpu, fps: Math.min(240, fps) };
  }

  get roomIds(): string[] {
    return [...this.rooms.keys()];
  }

  handle(msg: ServerToRenderHost): void {
    switch (msg.type) {
      case 'room.assign':
        return this.assign({ room: msg.room, look: msg.look, publish: msg.publish });
      case 'room.release':
        return this.release(msg.room);
      case 'speech.segment':
        return this.segment(msg.segment);
      case 'command':
        return void this.command(msg.commandId, msg.room, msg.command);
      case 'speech.stop':
        // The director's own stop: no ack (the speech reports say what happened).
        return void this.rooms.get(msg.room)?.command('speech.stop', { name: 'stop', segmentIds: msg.segmentIds })
          .catch((err: unknown) => this.o.log.warn({ err, room: msg.room }, 'stop failed'));
      default:
        return;
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.rooms.values()].map((r) => r.close()));
    this.rooms.clear();
    await this.o.factory.close?.();
  }

  private assign(a: RoomAssignment): void {
    const existing = this.rooms.get(a.room);
    if (existing) {
      existing.update(a);
      return;
    }
    if (this.rooms.size >= this.o.capacity) this.o.log.warn({ room: a.room, capacity: this.o.capacity }, 'assigned beyond capacity');
    try {
      this.rooms.set(a.room, this.o.factory.create(a, this.events));
      this.o.log.info({ room: a.room }, 'room started');
    } catch (err) {
      this.o.log.error({ err, room: a.room }, 'room could not start');
    }
  }

  private release(room: string): void {
    const handle = this.rooms.get(room);
    if (!handle) return;
    this.rooms.delete(room);
    void handle.close().then(
      () => this.o.log.info({ room }, 'room released'),
      (err: unknown) => this.o.log.warn({ err, room }, 'room did not close cleanly'),
    );
  }

  private segment(segment: SpeechSegment): void {
    const handle = this.rooms.get(segment.room);
    if (!handle) {
      this.o.log.warn({ room: segment.room, segmentId: segment.segmentId }, 'segment for a room not on this host');
      return;
    }
    handle.enqueue(segment.timing ? { ...segment, timing: { ...segment.timing, hostReceivedAt: Date.now() } } : segment);
  }

  private async command(commandId: string, room: string, command: AvatarCommand): Promise<void> {
    const handle = this.rooms.get(room);
    if (!handle) {
      this.o.send({ type: 'command.ack', ref: commandId, room, ok: false, error: 'room is not on this host' });
      return;
    }
    const timeoutMs = this.o.commandTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        handle.command(commandId, command),
        new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('command timed out')), timeoutMs); }),
      ]);
      this.o.send({ type: 'command.ack', ref: commandId, room, ok: true });
    } catch (err) {
      const error = (err as Error).message.slice(0, 500) || 'command failed';
      this.o.log.warn({ room, command: command.name, error }, 'command failed');
      this.o.send({ type: 'command.ack', ref: commandId, room, ok: false, error });
    } finally {
      clearTimeout(timer);
    }
  }
}
