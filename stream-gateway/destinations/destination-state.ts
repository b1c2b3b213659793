/**
 * A forwarding destination's states, and the only transitions a relay makes:
 *   idle → connecting            the room went live (or the destination was added while live)
 *   idle → failed                the URL cannot be published to (no attempt would change that)
 *   connecting → live            the destination accepted the publish and kept it a second after the first media
 *   connecting | live → retrying the session ended (refused, connection lost, stalled) while the room is still live
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
  /** Why the last session ended, with every URL redacted and the stream key masked. */
  lastError?: string;
  /** ms epoch of the last state change. */
  since: number;
  /** Kilobits per second sent to the destination over the last second, while connected. */
  bitrateKbps?: number;
}

export interface Destination {
  /** Slug naming the destination in statuses and logs (never the URL: it holds the key). */
  id: string;
  /** rtmp:// or rtmps:// URL including the stream key. */
  url: string;
}
