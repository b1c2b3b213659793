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
    const conn = this.local.get(sessionId);
    if (conn) {
      conn.deliver(frame);
      return true;
    }
    return (await this.sessions.deliverRemote(sessionId, frame)) >= 0;
  }
}
