import type { Redis } from 'ioredis';
import {
  DestinationHealth, IDLE_HEALTH, StoredDestination, compile, redisKeys,
  type DestinationView, type DestinationsChanged,
} from '../../protocol/index.js';
import { destinationAad, open, seal } from '../../protocol/secret-box.js';
import type { ProvisionedTarget } from './ivs-provisioner.js';
import { redactTarget } from '../../protocol/index.js';

const validStored = compile(StoredDestination);
const validHealth = compile(DestinationHealth);

/**
 * A room's destinations in Redis: a hash id → StoredDestination whose push URL is sealed
 * (AES-256-GCM, protocol/secret-box.ts). Every change is announced on the destination
 * channel so the gateway forwarding the room reloads it; the gateway writes each
 * destination's health to a hash this store reads for the API's view.
 */
export class DestinationStore {
  private readonly keys;

  constructor(private readonly redis: Redis, prefix: string, private readonly secretKey: Buffer) {
    this.keys = redisKeys(prefix);
  }

  async list(room: string): Promise<StoredDestination[]> {
    const all = await this.redis.hgetall(this.keys.destinations(room));
    return Object.values(all).flatMap((json) => {
      const checked = validStored.check(JSON.parse(json));
      return checked.ok ? [checked.value] : [];
    }).sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }

  async get(room: string, id: string): Promise<StoredDestination | null> {
    const json = await this.redis.hget(this.keys.destinations(room), id);
    if (!json) return null;
    const checked = validStored.check(JSON.parse(json));
    return checked.ok ? checked.value : null;
  }

  /** Adds a destination; false when the id is taken (HSETNX, so two racing adds cannot both win). */
  async add(room: string, id: string, kind: StoredDestination['kind'], target: ProvisionedTarget): Promise<StoredDestination | null> {
    const { url, ...rest } = target;
    const stored: StoredDestination = {
      id, room, kind, target: redactTarget(url), url: seal(this.secretKey, url, destinationAad(room, id)), ...rest, createdAt: Date.now(),
    };
    const created = await this.redis.hsetnx(this.keys.destinations(room), id, JSON.stringify(stored));
    if (!created) return null;
    await this.announce(room);
    return stored;
  }

  async remove(room: string, id: string): Promise<boolean> {
    const removed = await this.redis.hdel(this.keys.destinations(room), id);
    if (removed) {
      await this.redis.hdel(this.keys.destinationHealth, `${room}/${id}`);
      await this.announce(room);
    }
    return removed === 1;
  }

  /** The push URL; only the gateway (and tests) should need it. */
  openUrl(stored: StoredDestination): string {
    return open(this.secretKey, stored.url, destinationAad(stored.room, stored.id));
  }

  async views(room: string): Promise<DestinationView[]> {
    const stored = await this.list(room);
    if (!stored.length) return [];
    const health = await this.redis.hmget(this.keys.destinationHealth, ...stored.map((d) => `${room}/${d.id}`));
    return stored.map((d, i) => toView(d, parseHealth(health[i])));
  }

  private async announce(room: string): Promise<void> {
    const notice: DestinationsChanged = { room, at: Date.now() };
    await this.redis.publish(this.keys.destinationEvents, JSON.stringify(notice));
  }
}

function parseHealth(json: string | null | undefined): DestinationHealth {
  if (!json) return { ...IDLE_HEALTH };
  const checked = validHealth.check(JSON.parse(json));
  return checked.ok ? checked.value : { ...IDLE_HEALTH };
}

/** Everything but the sealed URL, field by field, so a new stored field never leaks by default. */
export function toView(d: StoredDestination, health: DestinationHealth): DestinationView {
  const view: DestinationView = { id: d.id, room: d.room, kind: d.kind, target: d.target, provisioned: d.provisioned, createdAt: d.createdAt, health };
  if (d.channelArn) view.channelArn = d.channelArn;
  if (d.playbackUrl) view.playbackUrl = d.playbackUrl;
  if (d.stageArn) view.stageArn = d.stageArn;
  if (d.ingestConfigurationArn) view.ingestConfigurationArn = d.ingestConfigurationArn;
  return view;
}
