import { createHash } from 'node:crypto';
import type { KnowledgeBase } from '../../protocol/index.js';
import { createSimilarity, type Similarity } from '../../retrieval/index.js';
import type { RoomStore } from '../rooms/room-store.js';

/**
 * One question-similarity engine per room (retrieval/: the same scoring the knowledge-base
 * answers use), rebuilt when the room's language or knowledge base (synonyms included)
 * changes. Building takes a moment; grouping a question against 200 others, well under 1 ms.
 */
export class RoomSimilarity {
  private readonly cache = new Map<string, { key: string; sim: Similarity }>();

  constructor(private readonly rooms: RoomStore, private readonly max = 500) {}

  async for(room: string, language: string): Promise<Similarity> {
    const raw = await this.rooms.getKbRaw(room);
    const key = createHash('sha1').update(language).update(raw).digest('hex');
    const hit = this.cache.get(room);
    if (hit && hit.key === key) return hit.sim;
    const kb = JSON.parse(raw) as KnowledgeBase;
    const sim = createSimilarity({ language, kb });
    this.cache.delete(room);
    this.cache.set(room, { key, sim });
    if (this.cache.size > this.max) this.cache.delete(this.cache.keys().next().value!);
    return sim;
  }
}
