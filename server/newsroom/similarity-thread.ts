import { parentPort } from 'node:worker_threads';
import type { KnowledgeBase } from '../../protocol/index.js';
import { createSimilarity, KbRetriever, type Similarity } from '../../retrieval/index.js';

/** A knowledge-base match this sure makes two questions one: they ask for the same entry. */
const ANCHOR_CONFIDENCE = 0.65;

/** A waiting question as the thread compares it: its text, and the KB entry it asks for. */
export interface Candidate {
  text: string;
  anchor: string | null;
}

export type ThreadRequest =
  | {
    id: number; op: 'match'; room: string; language: string;
    /** The room's KB JSON when the thread does not hold this version (or language) yet. */
    kb?: string;
    text: string; candidates: Candidate[]; threshold?: number;
  }
  | { op: 'forget'; room: string }
  /** A room's KB changed: its matcher is rebuilt now, before its next question. */
  | { op: 'build'; room: string; language: string; kb: string }
  /** Loads the languages' resources (word vectors, WordNet) before the first question needs them. */
  | { op: 'warm'; languages: string[] };

export type ThreadReply =
  | { id: number; ok: true; anchor: string | null; match: { index: number; score: number } | null }
  | { id: number; ok: false; error: string };

/** Told after each build, for the server's metrics (no reply to a request). */
export interface BuildReport { op: 'built'; room: string; ok: boolean; seconds: number; entries: number }

interface Matcher {
  language: string;
  sim: Similarity;
  retriever: KbRetriever;
}

/** Indexed in slices, so the thread answers other rooms' questions between them; each build is reported. */
async function build(room: string, language: string, raw: string): Promise<Matcher> {
  const started = performance.now();
  const report = (ok: boolean, entries: number) => {
    const r: BuildReport = { op: 'built', room, ok, seconds: (performance.now() - started) / 1000, entries };
    parentPort!.postMessage(r);
  };
  try {
    const kb = JSON.parse(raw) as KnowledgeBase;
    const retriever = await KbRetriever.build(kb, { language });
    report(true, retriever.size);
    return { language, sim: createSimilarity({ language, retriever }), retriever };
  } catch (err) {
    report(false, 0);
    throw err;
  }
}

/**
 * The question a new one joins: a waiting one that asks for the same KB entry, else the
 * closest in meaning past the threshold. (Matching every variant instead chains false
 * matches into one blob; measured.) Returns the new question's anchor too, for a new group.
 */
function match(m: Matcher, text: string, candidates: Candidate[], threshold?: number): Omit<Extract<ThreadReply, { ok: true }>, 'id' | 'ok'> {
  const [top] = m.retriever.search(text, 1);
  const anchor = top && top.confidence >= ANCHOR_CONFIDENCE ? `${top.kind}:${top.index}` : null;
  const byAnchor = anchor ? candidates.findIndex((c) => c.anchor === anchor) : -1;
  if (byAnchor >= 0) return { anchor, match: { index: byAnchor, score: 1 } };
  const hit = candidates.length ? m.sim.nearest(text, candidates.map((c) => c.text), threshold) : null;
  return { anchor, match: hit };
}

/**
 * The newsroom's question matchers, on a thread of their own: building one reads the whole
 * KB (a 5,000-entry KB took seconds of CPU), and on the server's event loop that stopped
 * every socket of the instance for as long. The server keeps the list of rooms held here
 * (it sends a room's KB when it changed and says when to let one go), so nothing here
 * evicts on its own. A room's messages are handled in order (a build before the questions
 * that need it); other rooms' questions are answered between the slices of a build.
 */
const matchers = new Map<string, Promise<Matcher>>();

async function handle(req: Extract<ThreadRequest, { op: 'match' }>): Promise<ThreadReply> {
  let pending = matchers.get(req.room);
  if (req.kb !== undefined) {
    pending = build(req.room, req.language, req.kb);
    matchers.set(req.room, pending);
  }
  try {
    const m = await pending;
    if (!m || m.language !== req.language) throw new Error(`no matcher for room ${req.room} in ${req.language}`);
    return { id: req.id, ok: true, ...match(m, req.text, req.candidates, req.threshold) };
  } catch (err) {
    if (matchers.get(req.room) === pending) matchers.delete(req.room);
    return { id: req.id, ok: false, error: (err as Error).message };
  }
}

parentPort!.on('message', (req: ThreadRequest) => {
  if (req.op === 'forget') {
    matchers.delete(req.room);
    return;
  }
  if (req.op === 'build') {
    const pending = build(req.room, req.language, req.kb);
    matchers.set(req.room, pending);
    pending.catch(() => { if (matchers.get(req.room) === pending) matchers.delete(req.room); });
    return;
  }
  if (req.op === 'warm') {
    for (const language of req.languages) createSimilarity({ language });
    return;
  }
  void handle(req).then((reply) => parentPort!.postMessage(reply));
});
