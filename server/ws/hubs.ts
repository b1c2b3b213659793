import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type {} from '@fastify/websocket';
import { CLOSE_CODES, PROTOCOL_VERSION, type ClientRole } from '../../protocol/index.js';
import type { ServerCore } from '../core.js';
import { requireAction } from '../auth/authenticate.js';
import type { Claims } from '../auth/claims.js';
import { ClientConnection, type MessageHandler } from './client-connection.js';
import { operatorHandler } from './operator-handler.js';
import { renderHostHandler } from './render-host-handler.js';
import { botHandler } from './bot-handler.js';
import { KEEP_ALIVE_CALL_SESSIONS, keepAliveDue, type SessionRecord } from './session-store.js';
import { SessionLink } from './session-link.js';

/**
 * The three WebSocket hubs. Each connection: authenticate before the upgrade, open or
 * resume a session, then every frame goes through ClientConnection's one path.
 */
export async function registerHubs(app: FastifyInstance, core: ServerCore): Promise<void> {
  const handlers: { [R in ClientRole]: MessageHandler<R> } = {
    operator: operatorHandler(core),
    'render-host': renderHostHandler(core),
    bot: botHandler(core),
  };

  const subjectOf = (claims: Claims) => claims.hostId ?? claims.tokenId;
  /** This instance's links to sessions: open sockets, and closed ones whose session is parked here. */
  const links = new Map<string, SessionLink>();

  async function openSession(role: ClientRole, claims: Claims, request: FastifyRequest): Promise<{ record: SessionRecord; lastSeq: number | null }> {
    const q = request.query as Record<string, string | undefined>;
    const lastSeq = Number(q.lastSeq);
    if (q.session && Number.isInteger(lastSeq) && lastSeq >= 0) {
      const record = await core.sessions.get(q.session);
      // A session resumes only for the same role and identity; anything else starts afresh.
      // lastSeq may be ahead of what was recorded (frames sent just before a crash): the
      // new holder then numbers on from the client's lastSeq.
      if (record && record.role === role && record.subject === subjectOf(claims)) return { record, lastSeq };
    }
    return { record: await core.sessions.create(role, claims.tokenId, subjectOf(claims)), lastSeq: null };
  }

  function route<R extends ClientRole>(path: string, role: R) {
    app.route({
      method: 'GET', url: path, schema: { hide: true }, preValidation: requireAction(core, `ws.${role}`),
      // A plain GET of a hub (no upgrade) is told what it is, instead of an empty 404.
      handler: (_request, reply) => reply.code(426).header('upgrade', 'websocket').header('connection', 'Upgrade')
        .send({ error: { code: 'invalid_message', message: `${path} is a WebSocket endpoint: connect with Upgrade: websocket` } }),
      wsHandler: async (socket: WebSocket, request) => {
        const claims = request.claims!;
        // Frames that arrive while the session is being opened are handled after it.
        const early: Array<[Buffer, boolean]> = [];
        const onEarly = (data: Buffer, isBinary: boolean) => {
          // Opening takes milliseconds; a client that floods before its welcome is cut off.
          if (early.length >= core.config.wsBurst) socket.close(CLOSE_CODES.policyViolation, 'too many frames before welcome');
          else early.push([data, isBinary]);
        };
        socket.on('message', onEarly);
        // A socket can close while its session is still being opened; remember that.
        let onClosed: () => void = () => { onClosed = () => undefined; closedEarly = true; };
        let closedEarly = false;
        socket.on('close', () => onClosed());

        const { record, lastSeq } = await openSession(role, claims, request);
        const log = core.log.child({ session: record.sessionId, role });
        const conn = new ClientConnection<R>(socket, role, claims, record.sessionId, handlers[role], log, core.metrics, {
          ratePerSecond: core.config.wsRatePerSecond, burst: core.config.wsBurst,
        });
        // Take the session over (session-link.ts): hold frames, let the previous holder go,
        // then replay what the client missed and carry on numbering from there.
        conn.hold();
        const previous = links.get(record.sessionId);
        const link = new SessionLink(core, conn as unknown as ClientConnection, log, () => {
          if (links.get(record.sessionId) === link) links.delete(record.sessionId);
        });
        links.set(record.sessionId, link);
        core.local.add(conn as unknown as ClientConnection);
        core.metrics.connections.inc({ role });
        const { seq } = await link.takeOver(lastSeq !== null ? { lastSeq } : null, previous);

        socket.off('message', onEarly);
        socket.on('message', (data: Buffer, isBinary: boolean) => conn.receive(data, isBinary));
        const cleanup = () => {
          conn.state = 'closed';
          core.metrics.connections.dec({ role });
          // A render host that went away (not one that resumed on another socket) is suspect
          // at once; its rooms move after a short grace unless it comes back.
          if (role === 'render-host' && claims.hostId && conn.closedWith !== CLOSE_CODES.sessionReplaced) {
            void core.placement.suspect(claims.hostId).catch((err: Error) => log.warn({ err: err.message }, 'could not mark the host suspect'));
          }
          // Closed before the replay went out: what arrived meanwhile is parked, so the next
          // holder still gets it; from now on the link parks what comes for the session.
          if (conn.holding) conn.release(Math.max(seq, lastSeq ?? seq), []);
          link.socketClosed();
          void core.sessions.whenRecorded(record.sessionId).then(() => core.sessions.detach(record.sessionId)).catch(() => undefined);
        };
        if (closedEarly) return cleanup();
        onClosed = cleanup;

        const resumeFrom = lastSeq ?? seq;
        const replay = lastSeq !== null ? await core.sessions.since(record.sessionId, lastSeq) : [];
        conn.send({
          type: 'welcome', protocol: PROTOCOL_VERSION, sessionId: record.sessionId, instanceId: core.instanceId,
          role, resumed: lastSeq !== null, lastSeq: Math.max(seq, resumeFrom),
        });
        conn.release(Math.max(seq, resumeFrom), replay);
        log.debug({ resumed: lastSeq !== null }, 'connected');
        for (const [data, isBinary] of early) conn.receive(data, isBinary);
      },
    });
  }

  route('/ws/operator', 'operator');
  route('/ws/render-host', 'render-host');
  route('/ws/bot', 'bot');

  // Revocation reaches every instance's open sockets through the bus.
  const closeToken = (tokenId: string) => {
    for (const conn of core.local.byToken(tokenId)) conn.close(CLOSE_CODES.unauthorized, 'token revoked');
  };
  const offRevoke = await core.bus.subscribe('revoke', (data) => closeToken((data as { tokenId: string }).tokenId));
  app.decorate('closeToken', closeToken);

  // Once a second: close sockets whose token expired, and keep the share of live sessions due this tick from expiring.
  let ticks = 0;
  const timer = setInterval(() => {
    const now = Date.now();
    const tick = ++ticks;
    const due: string[] = [];
    for (const conn of core.local.all()) {
      if (conn.claims.expiresAt <= now) conn.close(CLOSE_CODES.unauthorized, 'token expired');
      else if (keepAliveDue(conn.sessionId, tick)) due.push(conn.sessionId);
    }
    const calls = Math.ceil(due.length / KEEP_ALIVE_CALL_SESSIONS);
    for (let k = 0; k < calls; k++) {
      const ids = due.slice(k * KEEP_ALIVE_CALL_SESSIONS, (k + 1) * KEEP_ALIVE_CALL_SESSIONS);
      // Only sessions still held here when their call goes: one whose socket left meanwhile has its resume window set.
      setTimeout(() => void core.sessions.keepAlive(ids.filter((id) => core.local.get(id))).catch(() => undefined), (k * 1000) / calls).unref();
    }
  }, 1000);
  timer.unref();

  // Called by @fastify/websocket's preClose (app.ts), before it closes sockets itself.
  app.decorate('drainClients', async () => {
    clearInterval(timer);
    await offRevoke().catch(() => undefined);
    // Tell every client to come back (to another instance) with its session, then close.
    for (const conn of core.local.all()) {
      conn.send({ type: 'reconnect', reason: 'server shutting down', afterMs: 250 });
    }
    if (core.config.drainMs > 0 && core.local.all().length > 0) {
      await new Promise((r) => setTimeout(r, Math.min(core.config.drainMs, 250)));
    }
    for (const conn of core.local.all()) conn.close(CLOSE_CODES.goingAway, 'server shutting down');
    // Every session lets go: what was sent is recorded and what still comes is parked in
    // Redis, so a client resuming on another instance finds it.
    await Promise.allSettled([...links.values()].map((l) => l.handOver(null)));
  });
}

declare module 'fastify' {
  interface FastifyInstance {
    closeToken(tokenId: string): void;
    drainClients(): Promise<void>;
  }
}
