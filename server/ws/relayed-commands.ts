import type { Redis } from 'ioredis';
import type { VisualCommand } from '../../protocol/index.js';
import type { ServerCore } from '../core.js';

export interface RelayedCommand {
  room: string;
  command: VisualCommand;
  /** The sender's token id. */
  by: string;
}

/**
 * Avatar commands on their way to a render host, remembered until the host acknowledges
 * them. The ack names only the command's id and may land on another instance than the one
 * that relayed it, so the command waits in Redis (not in this process), for a little longer
 * than an operator waits for its ack; once acknowledged, every operator of the room can be
 * told what the avatar shows now.
 */
export class RelayedCommands {
  constructor(private readonly redis: Redis, private readonly prefix: string, private readonly ttlMs: number) {}

  private key(commandId: string): string {
    return `${this.prefix}:relayed:${commandId}`;
  }

  async remember(commandId: string, relayed: RelayedCommand): Promise<void> {
    await this.redis.set(this.key(commandId), JSON.stringify(relayed), 'PX', this.ttlMs);
  }

  /** The command an ack is for, once: a second ack for the same id finds nothing. */
  async take(commandId: string): Promise<RelayedCommand | null> {
    const raw = await this.redis.getdel(this.key(commandId));
    return raw ? JSON.parse(raw) as RelayedCommand : null;
  }
}

/** Kept twice as long as an operator waits for the ack: a late ack still tells the others. */
export const relayedCommands = (core: ServerCore): RelayedCommands =>
  new RelayedCommands(core.redis, core.config.redisPrefix, core.config.commandTimeoutMs * 2);
