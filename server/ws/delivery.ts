import type { SessionStore } from './session-store.js';
import type { LocalSessions } from './local-sessions.js';

/**
 * Puts a frame on a session's ordered stream, wherever its socket is. Held here: the
 * connection numbers it, sends it at once and records it afterwards. Held elsewhere: one
 * Redis script hands it to the holder, or keeps it for the session's resume.
 */
export class Delivery {
  constructor(
    private readonly sessions: SessionStore,
    private readonly local: LocalSessions,
  ) {}

  async deliver(sessionId: string, frame: object): Promise<boolean> {
    return this.deliverHere(sessionId, frame) || (await this.sessions.deliverRemote(sessionId, frame)) >= 0;
  }

  /** Delivers at once if the session is held by this instance (no promise on the relay's path); false otherwise. */
  deliverHere(sessionId: string, frame: object): boolean {
    const conn = this.local.get(sessionId);
    if (!conn) return false;
    conn.deliver(frame);
    return true;
  }
}
