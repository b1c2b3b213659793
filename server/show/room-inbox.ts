import type { ClientContext, Redis, Result } from 'ioredis';
import { compile } from '../../protocol/index.js';
import type { ShowEvent as ShowEventT } from './show-events.js';
import { ShowEvent as ShowEventSchema } from './show-events.js';
import { showKeys } from './show-keys.js';

// One round trip: append the event, then wake the room's owner (if it has one) on its
// instance channel. Inbox and lease share the room's hash tag (one Cluster slot).
const SUBMIT = `
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', 'e', ARGV[1])
local owner = redis.call('GET', KEYS[2])
if owner then redis.call('PUBLISH', ARGV[2] .. owner, ARGV[4]) end
return id
`;

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    livehostInboxSubmit(inbox: string, lease: string, event: string, channelPrefix: string, maxLen: number, wake: string): Result<string, Context>;
  }
}

const valid = compile(ShowEventSchema);
/** An inbox holds at most this many events: far more than a room's director ever falls behind. */
const MAX_INBOX = 10_000;

export interface InboxEntry {
  id: string;
  event: ShowEventT;
}

/**
 * A room's inbox: a Redis stream every instance may append to and only the room's
 * owner reads, in order. Being durable, nothing sent while the room changes owner is lost.
 */
export class RoomInbox {
  constructor(private readonly redis: Redis, private readonly prefix: string) {
    if (typeof (redis as { livehostInboxSubmit?: unknown }).livehostInboxSubmit !== 'function') {
      redis.defineCommand('livehostInboxSubmit', { numberOfKeys: 2, lua: SUBMIT });
    }
  }

  async submit(room: string, event: ShowEventT): Promise<string> {
    const k = showKeys(this.prefix, room);
    // The wake message is a bus envelope (server/bus/redis-bus.ts) carrying the room id.
    const wake = JSON.stringify({ i: 'inbox', d: room });
    return this.redis.livehostInboxSubmit(k.inbox, k.lease, JSON.stringify(event), `${this.prefix}:bus:director:`, MAX_INBOX, wake);
  }

  /** Events after `afterId`, oldest first; malformed entries are skipped (and reported). */
  async read(room: string, afterId: string, count = 200): Promise<{ entries: InboxEntry[]; bad: number; lastId: string }> {
    const raw = await this.redis.xrange(showKeys(this.prefix, room).inbox, `(${afterId}`, '+', 'COUNT', count);
    const entries: InboxEntry[] = [];
    let bad = 0;
    let lastId = afterId;
    for (const [id, fields] of raw) {
      lastId = id;
      const json = fields[fields.indexOf('e') + 1];
      try {
        const checked = valid.check(JSON.parse(json ?? ''));
        if (checked.ok) entries.push({ id, event: checked.value });
        else bad++;
      } catch {
        bad++;
      }
    }
    return { entries, bad, lastId };
  }
}
