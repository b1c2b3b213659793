import { createHash } from 'node:crypto';
import type { KnowledgeBase } from '../../protocol/index.js';
import { createSimilarity, KbRetriever, type Similarity } from '../../retrieval/index.js';
import type { RoomStore } from '../rooms/room-store.js';

/** A knowledge-base match this sure makes two questions one: they ask for the same entry. */
const ANCHOR_CONFIDENCE = 0.65;

export interface RoomMatcher {
  sim: Similarity;
  /** The knowledge-base entry a question confidently asks for (`qa:3`, `fact:1`), or null. */
  anchorOf(text: string): string | null;
}

/** Resolves after the event loop has turned once: what arrived meanwhile is handled first. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * One question matcher per room, from retrieval/ (the scoring the knowledge-base answers
 * use): the pairwise similarity, and the room's knowledge base as an anchor — two
 * questions that confidently ask for the same entry are one question, however differently
 * put. Rebuilt when the room's language or knowledge base (synonyms included) changes.
 */
export class RoomSimilarity {
  private readonly cache = new Map<string, { raw: string; language: string; matcher: RoomMatcher }>();
  /** Builds under way, by room and KB hash: questions that need the same matcher share one. */
  private readonly building = new Map<string, Promise<RoomMatcher>>();
  /**
   * Builds run one at a time, each step after a turn of the event loop. A build is tens of
   * ms of CPU (the similarity and the KB index; the first of a language also loads its
   * resources); when a server's rooms get their first questions together, building all
   * at once stopped every room for as long as they took (bench:chat: 0.5–1.2 s).
   */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly rooms: RoomStore, private readonly max = 500) {}

  async for(room: string, language: string): Promise<RoomMatcher> {
    const raw = await this.rooms.getKbRaw(room);
    const hit = this.cache.get(room);
    // Compared, not hashed. Keeping the store's string (not the one the entry was built from)
    // makes the next comparison a pointer check and lets the older copy of the text go.
    if (hit && hit.language === language && hit.raw === raw) {
      hit.raw = raw;
      return hit.matcher;
    }
    const key = createHash('sha1').update(language).update(raw).digest('hex');
    const id = `${room}\n${key}`;
    let pending = this.building.get(id);
    if (!pending) {
      pending = this.queue.then(() => this.build(language, raw));
      this.queue = pending.catch(() => undefined);
      this.building.set(id, pending);
      const settled = () => { this.building.delete(id); };
      pending.then(settled, settled);
    }
    const matcher = await pending;
    this.cache.delete(room);
    this.cache.set(room, { raw, language, matcher });
    if (this.cache.size > this.max) this.cache.delete(this.cache.keys().next().value!);
    return matcher;
  }

  private async build(language: string, raw: string): Promise<RoomMatcher> {
    await nextTurn();
    const kb = JSON.parse(raw) as KnowledgeBase;
    const sim = createSimilarity({ language, kb });
    await nextTurn();
    const retriever = kb.qa.length + kb.facts.length > 0 ? new KbRetriever(kb, { language }) : null;
    return {
      sim,
      anchorOf: (text) => {
        const [top] = retriever?.search(text, 1) ?? [];
        return top && top.confidence >= ANCHOR_CONFIDENCE ? `${top.kind}:${top.index}` : null;
      },
    };
  }
}
