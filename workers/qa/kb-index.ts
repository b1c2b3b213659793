import type { KnowledgeBase } from '../../protocol/index.js';
import { embedEntries, KbRetriever, type RetrievalHit, type SentenceEncoder } from '../../retrieval/index.js';

/** One retrieved knowledge-base item, with its calibrated confidence (see retrieval/). */
export type KbHit = RetrievalHit;

/**
 * How long a question waits for the sentence encoder (loaded at the worker's start, ~1 s)
 * and its room's entry vectors (a new KB's, ~10 ms of CPU per entry text) before it is
 * answered by the two-ranker hybrid instead: far above a normal start, well under the
 * takeover time of a stuck answer.
 */
export const SENTENCE_WAIT_MS = 10_000;

/**
 * One room's knowledge base, indexed for the room's language by the shared retrieval
 * engine. English rooms with an encoder also get sentence vectors, computed right away
 * (asynchronously; the encoder caches each text's vector by its hash, so a KB edit embeds
 * only the entries it changed).
 */
export class KbIndex {
  private readonly retriever: KbRetriever;
  /** Resolves to the encoder once the entries have their vectors; null where none is used. */
  private readonly sentences: Promise<SentenceEncoder | null>;

  constructor(kb: KnowledgeBase, language = 'en-US', encoder: Promise<SentenceEncoder> | null = null) {
    this.retriever = new KbRetriever(kb, { language });
    const english = language.toLowerCase().startsWith('en');
    this.sentences = english && encoder
      ? encoder.then(async (e) => {
        this.retriever.setSentences(await embedEntries(e, kb));
        return e;
      }).catch(() => null)
      : Promise.resolve(null);
  }

  get size(): number {
    return this.retriever.size;
  }

  /** The best matches by the two-ranker hybrid (lexical and word vectors), now. */
  query(question: string, limit = 3): KbHit[] {
    return this.retriever.search(question, limit);
  }

  /**
   * The best matches with the sentence encoder's ranking too (English rooms), waiting up
   * to `waitMs` for the encoder and the entries' vectors; the two-ranker hybrid where the
   * room has none or they are not there in time.
   */
  async search(question: string, limit = 3, waitMs = SENTENCE_WAIT_MS): Promise<KbHit[]> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => { timer = setTimeout(() => resolve(null), waitMs); });
    const encoder = await Promise.race([this.sentences, timeout]).finally(() => clearTimeout(timer));
    if (!encoder) return this.query(question, limit);
    const [vector] = await encoder.embed([question]);
    return this.retriever.search(question, limit, vector ?? null);
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

  /** `encoder`: the sentence encoder for English rooms (KbProvider starts loading it); null: none. */
  constructor(private readonly encoder: Promise<SentenceEncoder> | null = null) {}

  get(kb: KnowledgeBase, language = 'en-US'): KbIndex {
    let byLanguage = this.indexes.get(kb);
    if (!byLanguage) this.indexes.set(kb, (byLanguage = new Map()));
    let index = byLanguage.get(language);
    if (!index) byLanguage.set(language, (index = new KbIndex(kb, language, this.encoder)));
    return index;
  }
}
