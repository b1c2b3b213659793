import { ProtocolError } from '../auth/auth-error.js';
import { canAccessRoom } from '../auth/claims.js';
import type { ServerCore } from '../core.js';
import type { ClientConnection } from './client-connection.js';
import { NEWSROOM_COMMAND_NAMES, SHOW_COMMAND_NAMES, type NewsroomCommand, type OperatorToServer, type ShowCommand } from '../../protocol/index.js';
import { approve, reject, runNewsroomCommand } from '../newsroom/newsroom-actions.js';
import { newId } from '../newsroom/question-intake.js';
import { lineToSay } from '../text-intake.js';
import { relayedCommands } from './relayed-commands.js';

const SHOW_COMMANDS = new Set<string>(SHOW_COMMAND_NAMES);
const NEWSROOM_COMMANDS = new Set<string>(NEWSROOM_COMMAND_NAMES);

export function operatorHandler(core: ServerCore) {
  const relayed = relayedCommands(core);
  /** Show transport and queue commands go to the room's director, wherever it runs; it acks. */
  const toDirector = async (conn: ClientConnection<'operator'>, room: string, ref: string, cmd: ShowCommand, as: 'ack' | 'command.ack' = 'ack') => {
    await core.rooms.get(room);
    await core.show.submit(room, { type: 'op', cmd, by: { sessionId: conn.sessionId, ref, tokenId: conn.claims.tokenId, as } });
  };

  return async (conn: ClientConnection<'operator'>, msg: OperatorToServer): Promise<void> => {
    if (msg.type === 'ping') return conn.send({ type: 'pong', ref: msg.id, serverTime: Date.now() });
    if (!canAccessRoom(conn.claims, msg.room)) throw new ProtocolError('forbidden', `no access to room ${msg.room}`);
    if (SHOW_COMMANDS.has(msg.type)) {
      const { type, id, room, ...fields } = msg as { type: string; id: string; room: string };
      const cmd = { name: type, ...fields } as ShowCommand;
      await core.audit.record(room, cmd.name === 'speech.interrupt' || cmd.name === 'speech.stop' ? cmd.name : 'transport', conn.claims.tokenId, room, JSON.stringify(cmd));
      return toDirector(conn, room, id, cmd);
    }
    if (NEWSROOM_COMMANDS.has(msg.type)) {
      const { type, id, room, ...fields } = msg as { type: string; id: string; room: string };
      await runNewsroomCommand(core, room, { name: type, ...fields } as NewsroomCommand, conn.claims.tokenId);
      await core.delivery.deliver(conn.sessionId, { type: 'ack', ref: id });
      return;
    }

    switch (msg.type) {
      case 'room.subscribe': {
        await core.rooms.get(msg.room);
        await core.events.subscribe(msg.room, conn.sessionId);
        await core.delivery.deliver(conn.sessionId, { type: 'ack', ref: msg.id });
        const placed = await core.placement.hostFor(msg.room);
        await core.delivery.deliver(conn.sessionId, {
          type: 'room.event', room: msg.room,
          event: { kind: 'host', hostId: placed?.hostId ?? null, state: placed ? 'placed' : 'waiting' },
        });
        // A late subscriber sees the conversation so far.
        await core.delivery.deliver(conn.sessionId, { type: 'room.event', room: msg.room, event: { kind: 'chat.history', messages: await core.chat.history(msg.room) } });
        return;
      }
      case 'room.unsubscribe':
        await core.events.unsubscribe(msg.room, conn.sessionId);
        await core.delivery.deliver(conn.sessionId, { type: 'ack', ref: msg.id });
        return;
      case 'command': {
        const receivedAt = Date.now();
        // The relay's path: no await while the route is cached.
        const host = core.placement.cachedHost(msg.room) ?? await core.placement.hostFor(msg.room);
        if (!host) throw new ProtocolError('no_render_host', `room ${msg.room} has no render host yet`);
        // Stopping speech is the director's: it knows what it handed the host and what comes next.
        if (msg.command.name === 'stop') {
          return toDirector(conn, msg.room, msg.id, { name: 'speech.stop', ...(msg.command.segmentIds ? { lineIds: msg.command.segmentIds } : {}) }, 'command.ack');
        }
        const commandId = core.commandIds.make(conn.sessionId, msg.id, receivedAt);
        conn.expectAck(msg.id, msg.room, host.hostId, core.config.commandTimeoutMs);
        // Not awaited: the command goes out now, and a Redis write (host elsewhere) is on the
        // wire before the host can ack. Lost (Redis down), only the other operators miss the change.
        void relayed.remember(commandId, { room: msg.room, command: msg.command, by: conn.claims.tokenId }, core.local.get(host.sessionId) !== undefined)
          .catch(() => undefined);
        // The operator's ack comes from the host (command.ack), end to end.
        const frame = { type: 'command', commandId, room: msg.room, command: msg.command };
        if (!core.delivery.deliverHere(host.sessionId, frame)) await core.delivery.deliver(host.sessionId, frame);
        return;
      }
      case 'say': {
        const room = await core.rooms.get(msg.room);
        const answerId = newId('say');
        await core.queues.say({
          room: msg.room, segmentId: `${answerId}.0`, answerId, index: 0, final: true, text: lineToSay(msg.text),
          language: room.language, voice: { ...room.voice, ...msg.voice }, priority: msg.priority ?? 'script', requestedBy: conn.claims.tokenId,
        });
        await core.audit.record(msg.room, 'say', conn.claims.tokenId, answerId, msg.text);
        await core.delivery.deliver(conn.sessionId, { type: 'ack', ref: msg.id });
        return;
      }
      case 'question.approve':
        await approve(core, msg.room, msg.questionId, conn.claims.tokenId, msg.text);
        await core.delivery.deliver(conn.sessionId, { type: 'ack', ref: msg.id });
        return;
      case 'question.reject':
        await reject(core, msg.room, msg.questionId, conn.claims.tokenId, msg.reason);
        await core.delivery.deliver(conn.sessionId, { type: 'ack', ref: msg.id });
        return;
    }
  };
}
