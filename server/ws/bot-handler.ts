import { ProtocolError } from '../auth/auth-error.js';
import type { ServerCore } from '../core.js';
import type { ClientConnection } from './client-connection.js';
import type { BotToServer } from '../../protocol/index.js';
import { viewerText, viewerUser } from '../text-intake.js';

export function botHandler(core: ServerCore) {
  return async (conn: ClientConnection<'bot'>, msg: BotToServer): Promise<void> => {
    if (msg.type === 'ping') return conn.send({ type: 'pong', ref: msg.id, serverTime: Date.now() });
    const room = conn.claims.rooms[0];
    if (!room || (msg.room && msg.room !== room)) throw new ProtocolError('forbidden', 'a bot may only post to its own room');
    if (msg.type === 'chat') {
      // A dropped message (banned viewer, blocklist) is acknowledged all the same: nothing to tell a spammer.
      const posted = await core.chat.post(room, viewerUser(msg.user), viewerText(msg.text), msg.platform ?? null, conn.sessionId);
      core.metrics.chat.inc({ outcome: posted ? 'shown' : 'dropped' });
      await core.delivery.deliver(conn.sessionId, { type: 'ack', ref: msg.id });
      return;
    }
    const { questionId, status } = await core.questions.ask(room, viewerUser(msg.user), viewerText(msg.text), conn.sessionId);
    core.metrics.questions.inc({ status });
    await core.delivery.deliver(conn.sessionId, { type: 'question.ack', ref: msg.id, questionId, status });
  };
}
