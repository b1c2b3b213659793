import { Worker } from 'node:worker_threads';
import type { RoomStore } from '../rooms/room-store.js';
import type { BuildReport, Candidate, ThreadReply, ThreadRequest } from './similarity-thread.js';

export type { Candidate } from './similarity-thread.js';

/** What the matchers' thread does, for the server's metrics. */
export interface MatcherObserver {
  /** A room's matcher was built (or failed to), taking `seconds`. */
  built?(report: BuildReport): void;
  /** A thread started (the first question, or after one died). */
  threadStarted?(): void;
}

/**
 * One question matcher per room, from retrieval/ (the scoring the knowledge-base answers
 * use): the pairwise similarity, and the room's knowledge base as an anchor — two
 * questions that confidently ask for the same entry are one question, however differently
 * put. The matchers live on a thread of their own (similarity-thread.ts), so building one
 * for a large KB never stops the server's sockets; a room's is rebuilt there when its
 * language or knowledge base (synonyms included) changes.
 */
export class RoomSimilarity {
  private thread: Worker | null = null;
  private readonly waiting = new Map<number, { room: string; resolve: (r: Extract<ThreadReply, { ok: true }>) => void; reject: (err: Error) => void }>();
  /** What the thread holds per room (the KB string it was sent), oldest use first. */
  private readonly held = new Map<string, { raw: string; language: string }>();
  private ids = 0;

  constructor(private readonly rooms: RoomStore, private readonly observe: MatcherObserver = {}, private readonly max = 500) {}

  /**
   * The waiting question `text` joins (its index in `candidates`), or null; and the KB entry
   * it asks for (`qa:3`, `fact:1`), kept with a new group.
   */
  async match(room: string, language: string, text: string, candidates: Candidate[], threshold?: number): Promise<{ anchor: string | null; match: { index: number; score: number } | null }> {
    const raw = await this.rooms.getKbRaw(room);
    const known = this.held.get(room);
    // Compared, not hashed: mostly the store's cached copy itself (a pointer check); a copy read
    // again after its freshness compares by content, once.
    const fresh = known !== undefined && known.raw === raw && known.language === language;
    this.held.delete(room);
    this.held.set(room, { raw, language });
    if (this.held.size > this.max) {
      const oldest = this.held.keys().next().value!;
      this.held.delete(oldest);
      this.post({ op: 'forget', room: oldest });
    }
    const { anchor, match } = await this.call({ op: 'match', room, language, text, candidates, ...(fresh ? {} : { kb: raw }), ...(threshold !== undefined ? { threshold } : {}) });
    return { anchor, match };
  }

  /**
   * A room's settings or KB changed (announced on the bus): a matcher this instance holds
   * for it is rebuilt now, so its next question does not wait for the build.
   */
  async changed(room: string): Promise<void> {
    if (!this.held.has(room)) return;
    const raw = await this.rooms.getKbRaw(room);
    // Let go meanwhile (evicted, failed), settings only, or a question already sent the new KB.
    const now = this.held.get(room);
    if (!now || now.raw === raw) return;
    this.held.set(room, { raw, language: now.language });
    this.post({ op: 'build', room, language: now.language, kb: raw });
  }

  /**
   * Starts the thread and loads the languages' resources now: started by the first question,
   * the thread's start-up (its modules, then the word vectors) came on top of that question's
   * wait, and every message behind it on its bot's connection waited too.
   */
  warm(languages: string[]): void {
    this.post({ op: 'warm', languages });
  }

  /** Ends the thread (the server closing). */
  async close(): Promise<void> {
    const t = this.thread;
    this.thread = null;
    this.held.clear();
    for (const w of this.waiting.values()) w.reject(new Error('question matcher closed'));
    this.waiting.clear();
    if (t) await t.terminate();
  }

  private call(req: Omit<Extract<ThreadRequest, { op: 'match' }>, 'id'>): Promise<Extract<ThreadReply, { ok: true }>> {
    return new Promise((resolve, reject) => {
      const id = ++this.ids;
      this.waiting.set(id, { room: req.room, resolve, reject });
      this.post({ ...req, id });
    });
  }

  private post(req: ThreadRequest): void {
    this.start().postMessage(req);
  }

  private start(): Worker {
    if (this.thread) return this.thread;
    const t = new Worker(new URL('./similarity-thread-entry.mjs', import.meta.url));
    // The server's lifetime is its sockets', not this thread's.
    t.unref();
    this.observe.threadStarted?.();
    t.on('message', (reply: ThreadReply | BuildReport) => {
      if ('op' in reply) {
        // A failed build leaves the thread without the room: its next question sends the KB again.
        if (!reply.ok) this.held.delete(reply.room);
        return this.observe.built?.(reply);
      }
      const w = this.waiting.get(reply.id);
      if (!w) return;
      this.waiting.delete(reply.id);
      if (reply.ok) return w.resolve(reply);
      // The thread let the room go: its KB goes again with the next question.
      this.held.delete(w.room);
      w.reject(new Error(`question matcher: ${reply.error}`));
    });
    const gone = (err: Error) => {
      if (this.thread !== t) return;
      // A new thread holds nothing: every room's KB goes with its next question.
      this.thread = null;
      this.held.clear();
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    };
    t.on('error', gone);
    t.on('exit', (code) => gone(new Error(`question matcher thread exited (${code})`)));
    this.thread = t;
    return t;
  }
}
