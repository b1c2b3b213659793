import type { SessionStore } from './session-store.js';
import type { LocalSessions } from './local-sessions.js';

/**
 * Puts a frame on a session's ordered stream, wherever its socket is: stamped and kept
 * in the outbox (for resume), then sent directly when the socket is here, or published
 * to the instance that has it. One Redis round trip either way.
 */
export class Delivery {
  constructor(
    private readonly sessions: SessionStore,
    private readonly local: LocalSessions,
    private readonly instanceId: string,
  ) {}

  async deliver(sessionId: string, frame: object): Promise<boolean> {
    const conn = this.local.get(sessionId);
    const raw = await this.sessions.append(sessionId, frame, conn ? null : this.instanceId);
    if (raw === null) return false;
    if (conn) conn.sendSequenced(seqOf(raw), raw);
    return true;
  }
}

export function seqOf(raw: string): number {
  return Number(/^\{"seq":(\d+),/.exec(raw)?.[1] ?? 0);
}
