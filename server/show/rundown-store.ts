import type { Redis } from 'ioredis';
import type { PutRundownBody, Rundown } from '../../protocol/index.js';
import { ProtocolError } from '../auth/auth-error.js';
import type { RoomStore } from '../rooms/room-store.js';
import { lineKey, type Library } from './library.js';
import { cueTime } from './rundown-runner.js';
import { showKeys } from './show-keys.js';

// Compare-and-set: the new rundown is written only if the stored version is the one the
// editor started from, so two operators editing at once never lose each other's work.
const PUT = `
local cur = redis.call('GET', KEYS[1])
local version = 0
if cur then version = cjson.decode(cur).version end
if version ~= tonumber(ARGV[1]) then return -1 - version end
redis.call('SET', KEYS[1], ARGV[2])
return version + 1
`;

/** A room's run of show, versioned. */
export class RundownStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly rooms: RoomStore,
    private readonly library: Library,
    private readonly changed: (room: string) => Promise<void>,
  ) {}

  async get(room: string): Promise<Rundown> {
    await this.rooms.get(room);
    const raw = await this.redis.get(showKeys(this.prefix, room).rundown);
    return raw ? JSON.parse(raw) as Rundown : { version: 0, segments: [], updatedAt: 0 };
  }

  async put(room: string, body: PutRundownBody): Promise<Rundown> {
    const settings = await this.rooms.get(room);
    this.check(body);
    const materials = new Set((await this.library.list(room)).map((m) => m.id));
    for (const seg of body.segments) {
      for (const item of seg.items) {
        if (item.kind === 'material' && !materials.has(item.materialId)) {
          throw new ProtocolError('invalid_message', `segment ${seg.id}: material ${item.materialId} is not in the library`);
        }
      }
    }
    const next: Rundown = { version: body.version + 1, segments: body.segments, updatedAt: Date.now() };
    const result = Number(await this.redis.eval(PUT, 1, showKeys(this.prefix, room).rundown, body.version, JSON.stringify(next)));
    if (result < 0) throw new ProtocolError('conflict', `the rundown is at version ${-1 - result}; you edited version ${body.version}`);
    // Inline lines are synthesized ahead like materials, so they air at once and their length is known.
    for (const seg of next.segments) {
      for (const item of seg.items) {
        if (item.kind !== 'line') continue;
        const voice = { ...settings.voice, ...item.voice, prosody: { ...settings.voice.prosody, ...item.voice?.prosody } };
        await this.library.prepare({ room, key: lineKey(item.text, settings.language, voice), text: item.text, language: settings.language, voice });
      }
    }
    await this.changed(room);
    return next;
  }

  private check(body: PutRundownBody): void {
    const ids = new Set<string>();
    for (const seg of body.segments) {
      if (ids.has(seg.id)) throw new ProtocolError('invalid_message', `segment id ${seg.id} is used twice`);
      ids.add(seg.id);
      if (seg.start.rule === 'at' && cueTime(seg) === null) {
        throw new ProtocolError('invalid_message', `segment ${seg.id}: start.at must be an ISO 8601 time with offset or ms since the epoch`);
      }
    }
  }
}
