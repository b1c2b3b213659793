import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  compile, SegmentPayload, type LibraryDocument, type Material, type MaterialInput, type MaterialPatch, type RoomEvent,
  type SegmentReady, type VoiceSelection,
} from '../../protocol/index.js';
import { ProtocolError } from '../auth/auth-error.js';
import type { RoomStore, StoredRoom } from '../rooms/room-store.js';
import type { LibraryView, MaterialInfo, PreparedInfo } from './library-view.js';
import { showKeys } from './show-keys.js';

/** A material as stored: what the operator said, plus the content key its audio lives under. */
interface StoredMaterial extends Omit<Material, 'status' | 'error' | 'durationMs' | 'audioUrl'> {
  prepareKey: string;
  /** The voice the line was prepared with (the room's voice under the material's own choices). */
  resolvedVoice: VoiceSelection;
}

interface PreparedStatus extends PreparedInfo {
  requestedAt: number;
}

export interface PrepareRequest {
  room: string;
  key: string;
  text: string;
  language: StoredRoom['language'];
  voice: VoiceSelection;
}

const validPayload = compile(SegmentPayload);
const MAX_MATERIALS = 2000;

/** The content key of a line: what it says, in which language, with which voice. */
export function lineKey(text: string, language: string, voice: VoiceSelection): string {
  const canonical = JSON.stringify([text.normalize('NFC').trim(), language, voice.provider ?? null, voice.voice ?? null,
    voice.prosody?.speed ?? 'medium', voice.prosody?.pitch ?? 0, voice.prosody?.volumeDb ?? 0]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

function slugFrom(text: string): string {
  const base = text.normalize('NFKD').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'material';
  return `${base}-${randomBytes(3).toString('hex')}`;
}

/**
 * A room's library: materials (prepared lines with their look, panel, caption, tags and
 * word cues) and the content-addressed lines behind them, synthesized ahead through the
 * `tts` queue the moment they are saved. Unchanged text + voice is never synthesized twice.
 */
export class Library {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly rooms: RoomStore,
    /** Adds a tts job that prepares (not airs) a line. */
    private readonly requestPrepare: (req: PrepareRequest) => Promise<void>,
    private readonly emit: (room: string, event: RoomEvent) => Promise<void>,
    /** Tells the room's director that the library changed. */
    private readonly changed: (room: string, materialId?: string) => Promise<void>,
  ) {}

  private keys(room: string) { return showKeys(this.prefix, room); }

  private async stored(room: string): Promise<StoredMaterial[]> {
    const all = await this.redis.hvals(this.keys(room).materials);
    return all.map((r) => JSON.parse(r) as StoredMaterial).sort((a, b) => a.title.localeCompare(b.title) || a.id.localeCompare(b.id));
  }

  private async statuses(room: string, keys: string[]): Promise<Map<string, PreparedStatus>> {
    const unique = [...new Set(keys)];
    if (unique.length === 0) return new Map();
    const raws = await this.redis.hmget(this.keys(room).prepared, ...unique);
    const out = new Map<string, PreparedStatus>();
    unique.forEach((k, i) => { if (raws[i]) out.set(k, JSON.parse(raws[i]!) as PreparedStatus); });
    return out;
  }

  private toView(m: StoredMaterial, p: PreparedStatus | undefined): Material {
    const { prepareKey: _k, resolvedVoice: _v, ...rest } = m;
    const status = p?.status ?? 'synthesizing';
    return {
      ...rest,
      status,
      error: status === 'failed' ? p?.error ?? 'synthesis failed' : null,
      durationMs: status === 'ready' ? p?.durationMs ?? null : null,
      audioUrl: status === 'ready' ? `/api/rooms/${m.room}/materials/${encodeURIComponent(m.id)}/audio?v=${m.version}` : null,
    };
  }

  async list(room: string): Promise<Material[]> {
    await this.rooms.get(room);
    const all = await this.stored(room);
    const st = await this.statuses(room, all.map((m) => m.prepareKey));
    return all.map((m) => this.toView(m, st.get(m.prepareKey)));
  }

  async get(room: string, id: string): Promise<Material> {
    const m = await this.storedOne(room, id);
    const st = await this.statuses(room, [m.prepareKey]);
    return this.toView(m, st.get(m.prepareKey));
  }

  private async storedOne(room: string, id: string): Promise<StoredMaterial> {
    await this.rooms.get(room);
    const raw = await this.redis.hget(this.keys(room).materials, id);
    if (!raw) throw new ProtocolError('not_found', `no material ${id} in room ${room}`);
    return JSON.parse(raw) as StoredMaterial;
  }

  /** Creates a material (or replaces the one with the same id) and prepares its audio. */
  async put(room: string, input: MaterialInput, { replace = true } = {}): Promise<Material> {
    const settings = await this.rooms.get(room);
    const id = input.id ?? slugFrom(input.title ?? input.text);
    const existingRaw = await this.redis.hget(this.keys(room).materials, id);
    if (existingRaw && !replace) throw new ProtocolError('conflict', `material ${id} already exists`);
    if (!existingRaw && (await this.redis.hlen(this.keys(room).materials)) >= MAX_MATERIALS) {
      throw new ProtocolError('conflict', `a room holds at most ${MAX_MATERIALS} materials`);
    }
    const existing = existingRaw ? JSON.parse(existingRaw) as StoredMaterial : null;
    const m = this.build(settings, id, {
      title: input.title ?? input.text.slice(0, 60), text: input.text, voice: input.voice ?? {}, look: input.look ?? {},
      panel: input.panel ?? null, caption: input.caption ?? null, tags: input.tags ?? [], cues: input.cues ?? [],
    }, existing);
    return this.save(settings, m, existing);
  }

  async patch(room: string, id: string, patch: MaterialPatch): Promise<Material> {
    const settings = await this.rooms.get(room);
    const existing = await this.storedOne(room, id);
    const m = this.build(settings, id, {
      title: patch.title ?? existing.title, text: patch.text ?? existing.text, voice: patch.voice ?? existing.voice,
      look: patch.look ?? existing.look, panel: patch.panel !== undefined ? patch.panel : existing.panel,
      caption: patch.caption !== undefined ? patch.caption : existing.caption, tags: patch.tags ?? existing.tags,
      cues: patch.cues ?? existing.cues,
    }, existing);
    return this.save(settings, m, existing);
  }

  private build(settings: StoredRoom, id: string, f: Pick<Material, 'title' | 'text' | 'voice' | 'look' | 'panel' | 'caption' | 'tags' | 'cues'>, existing: StoredMaterial | null): StoredMaterial {
    const resolvedVoice: VoiceSelection = {
      ...settings.voice, ...f.voice, prosody: { ...settings.voice.prosody, ...f.voice.prosody },
    };
    const prepareKey = lineKey(f.text, settings.language, resolvedVoice);
    const same = existing && JSON.stringify([existing.prepareKey, existing.title, existing.look, existing.panel, existing.caption, existing.tags, existing.cues, existing.voice])
      === JSON.stringify([prepareKey, f.title, f.look, f.panel, f.caption, f.tags, f.cues, f.voice]);
    return {
      id, room: settings.id, ...f, prepareKey, resolvedVoice,
      version: existing ? existing.version + (same ? 0 : 1) : 1,
      updatedAt: Date.now(),
    };
  }

  private async save(settings: StoredRoom, m: StoredMaterial, existing: StoredMaterial | null): Promise<Material> {
    await this.redis.hset(this.keys(settings.id).materials, m.id, JSON.stringify(m));
    await this.prepare({ room: settings.id, key: m.prepareKey, text: m.text, language: settings.language, voice: m.resolvedVoice });
    const view = await this.get(settings.id, m.id);
    await this.emit(settings.id, { kind: 'material', material: view });
    if (!existing || existing.version !== m.version) await this.changed(settings.id, m.id);
    return view;
  }

  async remove(room: string, id: string): Promise<void> {
    await this.rooms.get(room);
    const removed = await this.redis.hdel(this.keys(room).materials, id);
    if (!removed) throw new ProtocolError('not_found', `no material ${id} in room ${room}`);
    await this.emit(room, { kind: 'material.deleted', materialId: id });
    await this.changed(room, id);
  }

  async exportDocument(room: string): Promise<LibraryDocument> {
    await this.rooms.get(room);
    const all = await this.stored(room);
    return {
      format: 'livehost.library/1',
      materials: all.map((m) => ({ id: m.id, title: m.title, text: m.text, voice: m.voice, look: m.look, panel: m.panel, caption: m.caption, tags: m.tags, cues: m.cues })),
    };
  }

  /** Imports a library document: `merge` keeps materials the document does not name, `replace` removes them. */
  async importDocument(room: string, doc: LibraryDocument, mode: 'merge' | 'replace'): Promise<Material[]> {
    await this.rooms.get(room);
    const ids = doc.materials.map((m) => m.id ?? null);
    if (ids.some((id) => id === null)) throw new ProtocolError('invalid_message', 'every imported material needs an id');
    if (new Set(ids).size !== ids.length) throw new ProtocolError('invalid_message', 'imported material ids must be unique');
    if (mode === 'replace') {
      const keep = new Set(ids as string[]);
      for (const m of await this.stored(room)) if (!keep.has(m.id)) await this.remove(room, m.id);
    }
    const out: Material[] = [];
    for (const m of doc.materials) out.push(await this.put(room, m));
    return out;
  }

  /**
   * Makes sure a line is synthesized ahead: nothing when it is ready or under way (a
   * request older than two minutes is assumed lost and made again), a new tts job otherwise.
   */
  async prepare(req: PrepareRequest): Promise<void> {
    const k = this.keys(req.room);
    const raw = await this.redis.hget(k.prepared, req.key);
    const cur = raw ? JSON.parse(raw) as PreparedStatus : null;
    if (cur && (cur.status === 'ready' || (cur.status === 'synthesizing' && Date.now() - cur.requestedAt < 120_000))) return;
    const status: PreparedStatus = { status: 'synthesizing', durationMs: null, error: null, requestedAt: Date.now() };
    await this.redis.hset(k.prepared, req.key, JSON.stringify(status));
    await this.requestPrepare(req);
  }

  /** A prepared line came back from the tts worker. */
  async prepared(seg: SegmentReady): Promise<void> {
    const key = seg.prepare!.key;
    const payload: SegmentPayload = { text: seg.text, language: seg.language, audio: seg.audio, durationMs: seg.durationMs, timeline: seg.timeline };
    const status: PreparedStatus = { status: 'ready', durationMs: seg.durationMs, error: null, requestedAt: Date.now() };
    const k = this.keys(seg.room);
    await this.redis.multi().hset(k.preparedPayload, key, JSON.stringify(payload)).hset(k.prepared, key, JSON.stringify(status)).exec();
    await this.settled(seg.room, key);
  }

  async prepareFailed(room: string, key: string, reason: string): Promise<void> {
    const status: PreparedStatus = { status: 'failed', durationMs: null, error: reason, requestedAt: Date.now() };
    await this.redis.hset(this.keys(room).prepared, key, JSON.stringify(status));
    await this.settled(room, key);
  }

  private async settled(room: string, key: string): Promise<void> {
    for (const m of await this.stored(room)) {
      if (m.prepareKey !== key) continue;
      await this.emit(room, { kind: 'material', material: await this.get(room, m.id) });
    }
    await this.changed(room);
  }

  /** The audio and timeline of a prepared line, or null when it is not ready. */
  async payload(room: string, key: string): Promise<SegmentPayload | null> {
    const raw = await this.redis.hget(this.keys(room).preparedPayload, key);
    if (!raw) return null;
    const checked = validPayload.check(JSON.parse(raw));
    return checked.ok ? checked.value : null;
  }

  async materialPayload(room: string, id: string): Promise<{ material: Material; payload: SegmentPayload | null }> {
    const m = await this.storedOne(room, id);
    const st = await this.statuses(room, [m.prepareKey]);
    return { material: this.toView(m, st.get(m.prepareKey)), payload: await this.payload(room, m.prepareKey) };
  }

  /** The raw stored materials with their cues and looks, for the director when it sends a line. */
  async storedMaterial(room: string, id: string): Promise<Pick<StoredMaterial, 'look' | 'panel' | 'caption' | 'cues'> | null> {
    const raw = await this.redis.hget(this.keys(room).materials, id);
    return raw ? JSON.parse(raw) as StoredMaterial : null;
  }

  /** A synchronous snapshot for the director: materials and the status of every prepared line. */
  async view(room: string): Promise<LibraryView> {
    const settings = await this.rooms.get(room);
    const materials = await this.stored(room);
    const prepared = new Map<string, PreparedStatus>(
      Object.entries(await this.redis.hgetall(this.keys(room).prepared)).map(([k, v]) => [k, JSON.parse(v) as PreparedStatus]),
    );
    const infos = new Map<string, MaterialInfo>(materials.map((m) => {
      const p = prepared.get(m.prepareKey);
      return [m.id, {
        id: m.id, version: m.version, title: m.title, text: m.text, tags: m.tags, prepareKey: m.prepareKey,
        status: p?.status ?? 'synthesizing', durationMs: p?.status === 'ready' ? p.durationMs : null,
      }];
    }));
    return {
      material: (id) => infos.get(id),
      prepared: (key) => prepared.get(key),
      keyForLine: (text, voice) => lineKey(text, settings.language, { ...settings.voice, ...voice, prosody: { ...settings.voice.prosody, ...voice?.prosody } }),
      fillers: () => [...infos.values()].filter((m) => m.status === 'ready' && m.tags.some((t) => t.toLowerCase() === 'filler')),
    };
  }
}
