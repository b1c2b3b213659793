import type { KnowledgeBase } from '../../protocol/index.js';
import { KbRetriever, type RetrievalHit } from '../../retrieval/index.js';

/** One retrieved knowledge-base item, with its calibrated confidence (see retrieval/). */
export type KbHit = RetrievalHit;

/** One room's knowledge base, indexed for the room's language by the shared retrieval engine. */
export class KbIndex {
  private readonly retriever: KbRetriever;

  constructor(kb: KnowledgeBase, language = 'en-US') {
    this.retriever = new KbRetriever(kb, { language });
  }

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
  private readonly indexes = new WeakMap<KnowledgeBase, Map<string, KbIndex>>();

  get(kb: KnowledgeBase, language = 'en-US'): KbIndex {
    let byLanguage = this.indexes.get(kb);
    if (!byLanguage) this.indexes.set(kb, (byLanguage = new Map()));
    let index = byLanguage.get(language);
    if (!index) byLanguage.set(language, (index = new KbIndex(kb, language)));
    return index;
  }
}
