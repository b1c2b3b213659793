import type { Redis } from 'ioredis';
import type { AuditEntry } from '../../protocol/index.js';

/** What operators did (approve, edit, reject, ban, interrupt, transport…), with their token id, per room. */
export class AuditLog {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  private key(room: string) { return `${this.prefix}:room:${room}:audit`; }

  async record(room: string, action: AuditEntry['action'], by: string, target: string | null = null, detail: string | null = null): Promise<void> {
    const entry: Omit<AuditEntry, 'id'> = { room, at: Date.now(), action, by, target, detail: detail?.slice(0, 500) ?? null };
    await this.redis.xadd(this.key(room), 'MAXLEN', '~', 100_000, '*', 'e', JSON.stringify(entry));
  }

  async list(room: string, { after, limit = 100 }: { after?: string; limit?: number } = {}): Promise<{ entries: AuditEntry[]; next: string | null }> {
    const n = Math.min(Math.max(limit, 1), 1000);
    const raw = await this.redis.xrange(this.key(room), after ? `(${after}` : '-', '+', 'COUNT', n);
    const entries = raw.map(([id, fields]) => ({ id, ...JSON.parse(fields[1] ?? '{}') }) as AuditEntry);
    return { entries, next: entries.length === n ? entries[entries.length - 1]!.id : null };
  }
}
