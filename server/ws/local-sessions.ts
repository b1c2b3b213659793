import type { ClientConnection } from './client-connection.js';

/** The sockets this instance holds, by session id, role and token. */
export class LocalSessions {
  private readonly bySession = new Map<string, ClientConnection>();

  add(conn: ClientConnection): void {
    this.bySession.set(conn.sessionId, conn);
  }

  remove(conn: ClientConnection): void {
    if (this.bySession.get(conn.sessionId) === conn) this.bySession.delete(conn.sessionId);
  }

  get(sessionId: string): ClientConnection | undefined {
    return this.bySession.get(sessionId);
  }

  /** Open sockets (a closed one stays reachable with `get` while its session is parked). */
  all(): ClientConnection[] {
    return [...this.bySession.values()].filter((c) => c.state === 'open');
  }

  byToken(tokenId: string): ClientConnection[] {
    return this.all().filter((c) => c.claims.tokenId === tokenId);
  }

  countByRole(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const c of this.all()) counts[c.role] = (counts[c.role] ?? 0) + 1;
    return counts;
  }
}
