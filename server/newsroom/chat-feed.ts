import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { blocklistMatch, type ChatMessage, type RoomEvent } from '../../protocol/index.js';
import { sanitizeText } from '../../protocol/text-hygiene.js';
import { CHAT_TEXT, moderateViewerText } from '../../moderation/index.js';
import { ProtocolError } from '../auth/auth-error.js';
import type { RoomStore } from '../rooms/room-store.js';
import type { Bans } from './bans.js';
import { newId } from './ids.js';

export interface ChatFeedOptions {
  prefix: string;
  /** One chat message per viewer per this many ms, per room. */
  perUserIntervalMs: number;
}

/** A chat message as kept: what operators see, plus the bot session it came through. */
interface KeptMessage extends ChatMessage {
  via: string | null;
}

/**
 * Viewers' chat, as bots relay it: moderated like questions (per-viewer rate, bans,
 * blocklist), shown to the room's operators at once, and the last N kept so an operator
 * who subscribes late sees the conversation. An operator can promote a message to a question.
 */
export class ChatFeed {
  constructor(
    private readonly redis: Redis,
    private readonly rooms: RoomStore,
    private readonly bans: Bans,
    private readonly emit: (room: string, event: RoomEvent) => Promise<void>,
    private readonly opts: ChatFeedOptions,
  ) {}

  private key(room: string) { return `${this.opts.prefix}:room:${room}:chat`; }

  /** Takes a message in; returns it, or null when it was dropped (and counted) by moderation. */
  async post(room: string, user: { id: string; name: string }, text: string, platform: string | null, via: string | null): Promise<ChatMessage | null> {
    const clean = sanitizeText(text);
    const name = sanitizeText(user.name) || 'viewer';
    if (!clean) throw new ProtocolError('invalid_message', 'the message is empty');
    const userHash = createHash('sha256').update(user.id).digest('hex').slice(0, 16);
    // One round trip, not three (bench:chat: a busy room's bot sends 50 lines a second, one at a time).
    // A banned viewer's line also takes the rate slot; it is dropped either way.
    const [settings, banned, fresh] = await Promise.all([
      this.rooms.get(room), this.bans.isBanned(room, user.id),
      this.redis.set(`${this.opts.prefix}:room:${room}:chatted:${userHash}`, '1', 'PX', this.opts.perUserIntervalMs, 'NX'),
    ]);
    if (banned) {
      await this.bans.count(room, 'banned');
      return null;
    }
    if (!fresh) {
      await this.bans.count(room, 'rate');
      throw new ProtocolError('rate_limited', 'slow down: one chat message at a time');
    }
    if (blocklistMatch(settings.blocklist, clean) !== null) {
      await this.bans.count(room, 'blocklist');
      await this.emit(room, { kind: 'rejected', text: clean, reason: 'blocklist' });
      return null;
    }
    // Link spam, floods of one character, shouting: dropped and counted, like questions.
    const verdict = moderateViewerText(clean, { ...CHAT_TEXT, allowLinks: settings.allowLinks });
    if (!verdict.ok) {
      await this.bans.count(room, verdict.reason);
      return null;
    }
    const message: KeptMessage = { messageId: newId('c'), room, user: { id: user.id, name }, text: verdict.text, platform, at: Date.now(), via };
    const { via: _via, ...shown } = message;
    // Kept and shown in one round trip: one connection runs its commands in order, so the
    // line is in the history before the subscriber list is read for the event (a late
    // subscriber gets it one way or the other), and no MULTI is needed for that. (A Lua
    // script for the three history commands cost more CPU than sending them; measured.)
    const key = this.key(room);
    await Promise.all([
      ...(settings.chatHistory > 0
        ? [this.redis.rpush(key, JSON.stringify(message)), this.redis.ltrim(key, -settings.chatHistory, -1), this.redis.expire(key, 7 * 24 * 3600)]
        : []),
      this.emit(room, { kind: 'chat', message: shown }),
    ]);
    return shown;
  }

  /** The last messages, oldest first (what a late subscriber gets). */
  async history(room: string): Promise<ChatMessage[]> {
    return (await this.kept(room)).map(({ via: _via, ...m }) => m);
  }

  private async kept(room: string): Promise<KeptMessage[]> {
    return (await this.redis.lrange(this.key(room), 0, -1)).map((r) => JSON.parse(r) as KeptMessage);
  }

  /** A kept message and the bot session it came through (to answer the viewer on promotion). */
  async find(room: string, messageId: string): Promise<KeptMessage> {
    const m = (await this.kept(room)).find((x) => x.messageId === messageId);
    if (!m) throw new ProtocolError('not_found', `no chat message ${messageId} in the room's recent chat`);
    return m;
  }
}
