import type { KnowledgeBase } from '../../protocol/index.js';
import { KbRetriever, type RetrievalHit } from '../../retrieval/index.js';

/** One retrieved knowledge-base item, with its calibrated confidence (see retrieval/). */
export type KbHit = RetrievalHit;

/** One room's knowledge base, indexed for the room's language by the shared retrieval engine. */
export class KbIndex {
  constructor(private readonly retriever: KbRetriever) {}

  get size(): number {
    return this.retriever.size;
  }

  /** The best matches for a question, best first. */
  query(question: string, limit = 3): KbHit[] {
    return this.retriever.search(question, limit);
  }
}

/**
 * Indexes by knowledge-base object and language. The KB store hands out the same object
 * for as long as the room's JSON is unchanged, so an edit (an entry, a synonym) builds a
 * new index for the next question, and an unchanged KB is indexed once, however many
 * questions arrive.
 */
export class KbIndexCache {
  private readonly indexes = new WeakMap<KnowledgeBase, Map<string, KbIndex | Promise<KbIndex>>>();

  /**
   * The index, built in slices when it is not there yet (the worker's other jobs — other
   * rooms' answers and voices — go on meanwhile); questions that need the same one share
   * its build.
   */
  async ready(kb: KnowledgeBase, language = 'en-US'): Promise<KbIndex> {
    const byLanguage = this.of(kb);
    const known = byLanguage.get(language);
    if (known) return known;
    const building = KbRetriever.build(kb, { language }).then((retriever) => {
      const index = new KbIndex(retriever);
      byLanguage.set(language, index);
      return index;
    });
    byLanguage.set(language, building);
    building.catch(() => byLanguage.delete(language));
    return building;
  }

  /** The index now: built in one piece if `ready` has not built it (the evaluation, tests). */
  get(kb: KnowledgeBase, language = 'en-US'): KbIndex {
    const byLanguage = this.of(kb);
    const known = byLanguage.get(language);
    if (known instanceof KbIndex) return known;
    const index = new KbIndex(new KbRetriever(kb, { language }));
    byLanguage.set(language, index);
    return index;
  }

  private of(kb: KnowledgeBase): Map<string, KbIndex | Promise<KbIndex>> {
    let byLanguage = this.indexes.get(kb);
    if (!byLanguage) this.indexes.set(kb, (byLanguage = new Map()));
    return byLanguage;
  }
}
