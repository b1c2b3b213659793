/**
 * A forwarding destination's states, and the only transitions a relay makes:
 *   idle → connecting            the room went live (or the destination was added while live)
 *   connecting → live            ffmpeg reports media written to the destination
 *   connecting | live → retrying ffmpeg exited while the room is still live
 *   retrying → connecting        after the backoff
 *   retrying → failed            too many attempts in a row that never reached live
 *   any → idle                   the room went offline or the destination was removed
 */
export type DestinationState = 'idle' | 'connecting' | 'live' | 'retrying' | 'failed';

export interface DestinationStatus {
  id: string;
  room: string;
  state: DestinationState;
  /** Where it forwards to, without its stream key or credentials (protocol's `redactTarget`): `rtmps://host:443/app/***`. */
  target: string;
  /** Consecutive failed attempts; reset once a connection goes live. */
  attempts: number;
  /** Last ffmpeg error, with every URL redacted. */
  lastError?: string;
  /** ms epoch of the last state change. */
  since: number;
  /** Output bitrate ffmpeg reports while live. */
  bitrateKbps?: number;
}

export interface Destination {
  /** Slug naming the destination in statuses and logs (never the URL: it holds the key). */
  id: string;
  /** rtmp:// or rtmps:// URL including the stream key. */
  url: string;
}
