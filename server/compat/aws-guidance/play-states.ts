import { randomBytes } from 'node:crypto';
import type { ClientContext, Redis, Result } from 'ioredis';
import type { CompatKeys } from './keys.js';
import type { LegacyRoleName } from './vocabulary.js';
import type { LegacyItem } from './wire.js';

/** An item's fields as the module reads them, but the URL of its audio and the play state. */
export type LegacyFields = Omit<LegacyItem, 'audio_path' | 'playing' | 'random_id'>;

/**
 * What a vr_module plays, as its poll answers it. One key per module: a start replaces
 * it whole, with a new play nonce, so a module that polls sees every start — the same
 * item twice included. What is not known at the start (the material still synthesizing,
 * the answer still being written) is filled in later, only if the state is still the one
 * it was found as: a later start always wins.
 */
export interface PlayState {
  v: 1;
  kind: 'item' | 'answer';
  random_id: string;
  room: string;
  startedAt: number;
  fields: LegacyFields;
  /** The library material (kind item). */
  materialId?: string;
  /** The question whose answer plays, and the role answering it (kind answer). */
  questionId?: string;
  role?: LegacyRoleName;
  /** The MP3's path under the adapter's prefix, once the audio is ready. */
  audio: string | null;
  /** Why nothing will play after all (the material failed, the answer was dropped). */
  ended: string | null;
  /** The answer aired on the room's livehost render host instead. */
  aired?: true;
}

/** A nonce that differs at every start, on every instance. */
export function playNonce(): string {
  return `${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
}

const REPLACE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2]) end
return 1
`;

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    livehostCompatReplace(key: string, expected: string, next: string): Result<number, Context>;
  }
}

export class PlayStates {
  constructor(private readonly redis: Redis, private readonly keys: CompatKeys) {
    if (typeof (redis as { livehostCompatReplace?: unknown }).livehostCompatReplace !== 'function') {
      redis.defineCommand('livehostCompatReplace', { numberOfKeys: 1, lua: REPLACE });
    }
  }

  async read(vrModule: string): Promise<{ raw: string; state: PlayState } | null> {
    const raw = await this.redis.get(this.keys.playing(vrModule));
    return raw ? { raw, state: JSON.parse(raw) as PlayState } : null;
  }

  async start(vrModule: string, state: PlayState): Promise<void> {
    await this.redis.set(this.keys.playing(vrModule), JSON.stringify(state));
  }

  async stop(vrModule: string): Promise<void> {
    await this.redis.del(this.keys.playing(vrModule));
  }

  /** Writes `next` (null: stops) only when the state is still `expected`; false when another start came first. */
  async replace(vrModule: string, expected: string, next: PlayState | null): Promise<boolean> {
    return (await this.redis.livehostCompatReplace(this.keys.playing(vrModule), expected, next ? JSON.stringify(next) : '')) === 1;
  }
}
