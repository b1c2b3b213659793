import type { Redis } from 'ioredis';
import type { VisualCommand } from '../../protocol/index.js';
import type { ServerCore } from '../core.js';

export interface RelayedCommand {
  room: string;
  command: VisualCommand;
  /** The sender's token id. */
  by: string;
}

/** Commands kept in this process at once at most; past it the oldest go (their acks then tell only their senders). */
const MAX_HERE = 10_000;

/**
 * Avatar commands on their way to a render host, remembered until the host acknowledges
 * them, so that every operator of the room can then be told what the avatar shows now. The
 * ack names only the command's id. When the host's socket is on this instance its ack lands
 * here, and the command waits in this process (the relay's hot path gains no Redis write);
 * otherwise it waits in Redis, where the host's instance takes it. Either way it is kept a
 * little longer than an operator waits for its ack.
 */
export class RelayedCommands {
  private readonly here = new Map<string, { relayed: RelayedCommand; until: number }>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  private key(commandId: string): string {
    return `${this.prefix}:relayed:${commandId}`;
  }

  async remember(commandId: string, relayed: RelayedCommand, hostIsHere: boolean): Promise<void> {
    if (!hostIsHere) {
      await this.redis.set(this.key(commandId), JSON.stringify(relayed), 'PX', this.ttlMs);
      return;
    }
    const now = this.now();
    // Oldest first (insertion order): the ones whose ack never came go as new ones arrive.
    for (const [id, entry] of this.here) {
      if (entry.until > now && this.here.size < MAX_HERE) break;
      this.here.delete(id);
    }
    this.here.set(commandId, { relayed, until: now + this.ttlMs });
  }

  /** The command an ack is for, once: a second ack for the same id finds nothing. */
  async take(commandId: string): Promise<RelayedCommand | null> {
    const entry = this.here.get(commandId);
    if (entry) {
      this.here.delete(commandId);
      return entry.until > this.now() ? entry.relayed : null;
    }
    const raw = await this.redis.getdel(this.key(commandId));
    return raw ? JSON.parse(raw) as RelayedCommand : null;
  }
}

const perServer = new WeakMap<ServerCore, RelayedCommands>();

/** One per server instance, shared by the operator hub (which relays) and the render-host hub (which gets the acks). */
export function relayedCommands(core: ServerCore): RelayedCommands {
  let relayed = perServer.get(core);
  if (!relayed) {
    // Twice as long as an operator waits for the ack: a late ack still tells the others.
    relayed = new RelayedCommands(core.redis, core.config.redisPrefix, core.config.commandTimeoutMs * 2);
    perServer.set(core, relayed);
  }
  return relayed;
}
