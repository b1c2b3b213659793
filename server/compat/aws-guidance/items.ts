import type { Redis } from 'ioredis';
import type { Language, MaterialInput } from '../../../protocol/index.js';
import { ProtocolError } from '../../auth/auth-error.js';
import { keyPart, type CompatKeys } from './keys.js';
import { lookFor, speedFor, term, VOICE_MAP } from './vocabulary.js';
import type { SetMaterialBody } from './wire.js';

/**
 * One of the original's table items, as the adapter keeps it beside the library material
 * it made: the values the client sent (listed back as they were), and where the material is.
 */
export interface ItemRecord {
  user_id: string;
  index: string;
  vr_module: string;
  room: string;
  materialId: string;
  text: string;
  image_url: string;
  character: string;
  voice: string;
  scene: string;
  action: string;
  camera: string;
  voice_speed: string;
  item_id: string;
  updatedAt: number;
}

/** The library id of an item: stable for the original's key (user_id + index), so a set replaces. */
export function materialIdFor(userId: string, index: string): string {
  return `aws-${keyPart(`${userId}\n${index}`).slice(0, 24)}`;
}

export function indexOf(id: string | number): string {
  return String(id);
}

/**
 * The library material for a set_material_metadata body. A material is spoken in its
 * room's language, so the voice must be one of that language (a Chinese voice in an
 * English room would be read out by the English default voice).
 */
export function materialInputFor(body: SetMaterialBody, room: { id: string; language: Language }, vrModule: string): MaterialInput {
  const look = lookFor(body);
  const speed = speedFor(body.voice_speed);
  const input: MaterialInput = {
    id: materialIdFor(body.user_id, indexOf(body.id)),
    text: body.text,
    look,
    panel: body.image_url ? { imageUrl: body.image_url } : null,
    tags: ['aws-guidance'],
    voice: { prosody: { speed } },
  };
  if (body.voice) {
    const voice = VOICE_MAP[term('voice', VOICE_MAP, body.voice)];
    if (voice.language !== room.language) {
      const fitting = Object.entries(VOICE_MAP).filter(([, v]) => v.language === room.language).map(([k]) => k);
      throw new ProtocolError('invalid_message', `voice ${body.voice} speaks ${voice.language}, but vr_module ${vrModule} plays in room ${room.id}, which speaks ${room.language}; `
        + (fitting.length ? `choose ${fitting.join(' or ')}, or map the vr_module to a ${voice.language} room` : `map the vr_module to a ${voice.language} room`));
    }
    input.voice = { voice: voice.voice, prosody: { speed } };
  }
  return input;
}

/**
 * The items, in Redis: per legacy user (the original's partition, what the console lists)
 * and per vr_module by index (what a start names). A later set of the same index on the
 * same module from another user takes the module's index over, as the newest item.
 */
export class ItemStore {
  constructor(private readonly redis: Redis, private readonly keys: CompatKeys) {}

  async get(userId: string, index: string): Promise<ItemRecord | null> {
    const raw = await this.redis.hget(this.keys.userItems(userId), index);
    return raw ? JSON.parse(raw) as ItemRecord : null;
  }

  async onModule(vrModule: string, index: string): Promise<ItemRecord | null> {
    const userId = await this.redis.hget(this.keys.moduleItems(vrModule), index);
    if (userId === null) return null;
    const item = await this.get(userId, index);
    return item?.vr_module === vrModule ? item : null;
  }

  async list(userId: string): Promise<ItemRecord[]> {
    const all = (await this.redis.hvals(this.keys.userItems(userId))).map((r) => JSON.parse(r) as ItemRecord);
    // The original's query returns items in sort-key order.
    return all.sort((a, b) => (a.index < b.index ? -1 : a.index > b.index ? 1 : 0));
  }

  async save(item: ItemRecord, previous: ItemRecord | null): Promise<void> {
    const moved = previous && previous.vr_module !== item.vr_module
      && (await this.redis.hget(this.keys.moduleItems(previous.vr_module), item.index)) === item.user_id;
    // The user's and the module's hashes are two Cluster slots: written one after the other.
    await this.redis.hset(this.keys.userItems(item.user_id), item.index, JSON.stringify(item));
    await this.redis.hset(this.keys.moduleItems(item.vr_module), item.index, item.user_id);
    if (moved) await this.redis.hdel(this.keys.moduleItems(previous.vr_module), item.index);
  }

  async remove(item: ItemRecord): Promise<void> {
    await this.redis.hdel(this.keys.userItems(item.user_id), item.index);
    const owner = await this.redis.hget(this.keys.moduleItems(item.vr_module), item.index);
    if (owner === item.user_id) await this.redis.hdel(this.keys.moduleItems(item.vr_module), item.index);
  }
}
