import type { Logger } from 'pino';
import type { StreamForwarder } from '../gateway.js';
import type { DestinationManager } from '../destinations/destination-manager.js';
import { ProgramServer } from './program-server.js';
import { RoomProgram, type ProgramSource } from './room-program.js';
import type { SlateLibrary } from './slate.js';

/** Someone else who consumes a room's program while its show is on (the recorder). */
export interface ProgramConsumer {
  showStarted(room: string, programUrl: string): void;
  showEnded(room: string): Promise<void>;
  close(): Promise<void>;
}

export interface ProgramForwarderOptions {
  manager: DestinationManager;
  slates: SlateLibrary;
  log: Logger;
  /** No live video for this long → slate (ms). */
  stallMs?: number;
  /** How long the slate holds a show open after the publisher is gone for good (ms). */
  slateHoldMs?: number;
  consumers?: ProgramConsumer[];
  onSource?: (room: string, source: ProgramSource) => void;
  onLiveOffset?: (room: string, offset: number) => void;
  onLiveAudio?: (room: string, inputTs: number) => void;
}

/**
 * The gateway's forwarder when the outgoing stream must never stop: a room going live
 * starts a show — a program feed (live, or slate when the publisher drops) that the
 * destination relays and consumers read. The room going offline does not end the show at
 * once: the slate holds it for slateHoldMs, so a render host that restarts, or a new host
 * the server places, takes over without IVS ending the session.
 */
export class ProgramForwarder implements StreamForwarder {
  private readonly programs = new Map<string, RoomProgram>();
  private readonly holds = new Map<string, NodeJS.Timeout>();
  private readonly server = new ProgramServer(this.programs);

  constructor(private readonly options: ProgramForwarderOptions) {}

  async start(): Promise<void> {
    await this.server.start();
  }

  programUrl(room: string): string {
    return this.server.url(room);
  }

  /** Where the stream of the reader that asked with `?consumer=<id>` begins. */
  startOf(room: string, consumer: string): { wall: number; firstTs: number } | undefined {
    return this.server.startOf(room, consumer);
  }

  program(room: string): RoomProgram | undefined {
    return this.programs.get(room);
  }

  rooms(): string[] {
    return [...this.programs.keys()];
  }

  onLive(room: string, _source: () => string, flvSource: () => string): void {
    const hold = this.holds.get(room);
    if (hold) clearTimeout(hold);
    this.holds.delete(room);
    if (this.programs.has(room)) return; // the show goes on: the program picks the publisher up itself
    const program = new RoomProgram({
      room, inputUrl: flvSource, slates: this.options.slates, log: this.options.log,
      stallMs: this.options.stallMs, onSource: this.options.onSource, onLiveOffset: this.options.onLiveOffset, onLiveAudio: this.options.onLiveAudio,
    });
    this.programs.set(room, program);
    this.options.log.info({ room }, 'show started');
    this.options.manager.onLive(room, () => this.server.url(room));
    for (const c of this.options.consumers ?? []) c.showStarted(room, this.server.url(room));
  }

  onOffline(room: string): void {
    if (!this.programs.has(room) || this.holds.has(room)) return;
    const holdMs = this.options.slateHoldMs ?? 300_000;
    const timer = setTimeout(() => { void this.endShow(room); }, holdMs);
    this.holds.set(room, timer);
  }

  /** Ends a show now: relays stop, consumers finish (the recorder remuxes). */
  async endShow(room: string): Promise<void> {
    const hold = this.holds.get(room);
    if (hold) clearTimeout(hold);
    this.holds.delete(room);
    const program = this.programs.get(room);
    if (!program) return;
    this.programs.delete(room);
    this.options.manager.onOffline(room);
    program.close();
    this.options.log.info({ room, slateSeconds: program.slateSeconds() }, 'show ended');
    await Promise.all((this.options.consumers ?? []).map((c) => c.showEnded(room)));
  }

  async close(): Promise<void> {
    await Promise.all([...this.programs.keys()].map((room) => this.endShow(room)));
    await this.options.manager.close();
    await Promise.all((this.options.consumers ?? []).map((c) => c.close()));
    await this.server.close();
  }
}
