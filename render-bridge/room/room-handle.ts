import type { AvatarCommand, AvatarLook, LineTiming, PublishTarget, SpeechSegment } from '../../protocol/index.js';

/** What a room on this host tells the server about its speech. */
export interface RoomEvents {
  /** `streamTimeMs`: where the line's first frame is in the published stream (for the as-run log's recording offsets). */
  speechStarted(room: string, segmentId: string, mediaTimeMs: number, streamTimeMs?: number): void;
  speechFinished(room: string, segmentId: string, mediaTimeMs: number, interrupted: boolean): void;
  /** A line's timing record with the host's stamps, once its first audio left the encoder (protocol/timing.ts). */
  speechTiming?(room: string, segmentId: string, timing: LineTiming): void;
}

export interface RoomAssignment {
  room: string;
  look: AvatarLook;
  publish: PublishTarget;
}

/**
 * One room placed on this host, however it is rendered (the built-in reference
 * renderer + encoder, or an external engine).
 */
export interface RoomHandle {
  readonly room: string;
  /** A repeated assignment (server restart, new session): adopt changes, keep playing. */
  update(assignment: RoomAssignment): void;
  enqueue(segment: SpeechSegment): void;
  /** Resolves when the command took effect; rejects with a message for the ack. */
  command(commandId: string, command: AvatarCommand): Promise<void>;
  /** Frames per second actually produced over the last seconds. */
  fps(): number;
  close(): Promise<void>;
}

export interface RoomFactory {
  create(assignment: RoomAssignment, events: RoomEvents): RoomHandle;
  close?(): Promise<void>;
}
