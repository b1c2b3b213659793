import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { compile, KnowledgeBase, redisKeys } from '../../protocol/index.js';

const validKb = compile(KnowledgeBase);
const EMPTY: KnowledgeBase = Object.freeze({ qa: [], facts: [] }) as KnowledgeBase;

/**
 * Reads a room's knowledge base (JSON written by the server's REST) once per job, and
 * hands out the same parsed object while the JSON's hash is unchanged, so indexes
 * keyed by that object are rebuilt exactly when an operator edits the KB.
 */
export class KbStore {
  private readonly cache = new Map<string, { hash: string; kb: KnowledgeBase }>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly log: Logger,
  ) {}

  async load(room: string): Promise<KnowledgeBase> {
    const raw = await this.redis.get(redisKeys(this.prefix).kb(room));
    if (raw === null) {
      this.cache.delete(room);
      return EMPTY;
    }
    const hash = createHash('sha256').update(raw).digest('base64url');
    const cached = this.cache.get(room);
    if (cached?.hash === hash) return cached.kb;

    let kb = EMPTY;
    try {
      const checked = validKb.check(JSON.parse(raw));
      if (checked.ok) kb = checked.value;
      else this.log.warn({ room, error: checked.error }, 'knowledge base does not match its schema; answering without it');
    } catch {
      this.log.warn({ room }, 'knowledge base is not valid JSON; answering without it');
    }
    this.cache.set(room, { hash, kb });
    return kb;
  }
}
