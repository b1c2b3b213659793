import { ProtocolError } from '../auth/auth-error.js';
import type { ServerCore } from '../core.js';
import type { ClientConnection } from './client-connection.js';
import type { RenderHostToServer } from '../../protocol/index.js';
import { relayedCommands } from './relayed-commands.js';

export function renderHostHandler(core: ServerCore) {
  const relayed = relayedCommands(core);
  /** A host may only speak for rooms placed on it. */
  async function ownRoom(conn: ClientConnection<'render-host'>, room: string): Promise<string> {
    const placed = core.placement.cachedHost(room) ?? await core.placement.hostFor(room);
    if (!placed || placed.hostId !== conn.claims.hostId) throw new ProtocolError('forbidden', `room ${room} is not placed on this host`);
    return placed.hostId;
  }

  return async (conn: ClientConnection<'render-host'>, msg: RenderHostToServer): Promise<void> => {
    const hostId = conn.claims.hostId;
    if (!hostId) throw new ProtocolError('forbidden', 'token has no host id');
    switch (msg.type) {
      case 'ping':
        return conn.send({ type: 'pong', ref: msg.id, serverTime: Date.now() });
      case 'host.register':
        await core.placement.register({
          hostId, sessionId: conn.sessionId, instanceId: core.instanceId, capacity: msg.capacity, capabilities: msg.capabilities,
          ...(msg.standby ? { standby: true } : {}),
        });
        await core.delivery.deliver(conn.sessionId, { type: 'ack', ref: msg.id });
        return;
      case 'host.heartbeat':
        await core.placement.heartbeat(hostId, { ...(msg.fps !== undefined ? { fps: msg.fps } : {}), ...(msg.cpu !== undefined ? { cpu: msg.cpu } : {}) });
        return;
      case 'command.ack': {
        const origin = core.commandIds.parse(msg.ref);
        if (!origin) throw new ProtocolError('invalid_message', 'unknown command id');
        // The relay's path: no await while the route is cached and the operator is on this instance.
        const placed = core.placement.cachedHost(msg.room);
        if (placed?.hostId !== hostId) await ownRoom(conn, msg.room);
        core.metrics.relayLatency.observe((Date.now() - origin.receivedAt) / 1000);
        const ack = { type: 'command.ack', ref: origin.ref, room: msg.room, hostId, ok: msg.ok, ...(msg.error ? { error: msg.error } : {}) };
        if (!core.delivery.deliverHere(origin.sessionId, ack)) await core.delivery.deliver(origin.sessionId, ack);
        // After the sender's ack, off its path: every operator of the room hears what the avatar shows now.
        void relayed.take(msg.ref).then((sent) => {
          if (msg.ok && sent?.room === msg.room) return core.events.emit(msg.room, { kind: 'avatar', command: sent.command, by: sent.by, hostId });
        }).catch((err: Error) => core.log.warn({ room: msg.room, err: err.message }, 'avatar change not told to the room'));
        return;
      }
      // What the host reports is the truth of what aired: it goes to the room's director.
      case 'speech.started':
        await ownRoom(conn, msg.room);
        await core.show.submit(msg.room, {
          type: 'host.started', airId: msg.segmentId, hostId, mediaTimeMs: msg.mediaTimeMs, ...(msg.streamTimeMs !== undefined ? { streamTimeMs: msg.streamTimeMs } : {}),
        });
        return;
      case 'speech.finished':
        await ownRoom(conn, msg.room);
        await core.show.submit(msg.room, { type: 'host.finished', airId: msg.segmentId, hostId, mediaTimeMs: msg.mediaTimeMs, interrupted: msg.interrupted });
        return;
      // Not the director's business: where the line spent its time, for operators and the metrics.
      case 'speech.timing':
        await ownRoom(conn, msg.room);
        void core.timing.report(msg.room, hostId, msg.segmentId, msg.timing)
          .catch((err: Error) => core.log.warn({ room: msg.room, err: err.message }, 'speech timing not reported'));
        return;
    }
  };
}
