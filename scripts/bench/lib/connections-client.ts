// A load-generator child of bench:connections (forked, one of several: a `ws` client
// socket costs memory and CPU too, so the 10,000 are spread). It holds its share of the
// sessions, sends each bot's chat line once a period, checks every session's seqs, and
// measures the fan-out room's latency (its emitter and operators are all in one child, so
// send and receipt are read off one clock).
import WebSocket from 'ws';
import { SeqCheck, type ChildReport, type FromChild, type PlannedSession, type SessionView, type ToChild } from './connections-protocol.js';

const tell = (m: FromChild) => process.send!(m);
/** How long a socket may take from connect to welcome (and an operator's subscribe ack): far above any plausible wait. */
const CONNECT_TIMEOUT_MS = 120_000;

interface Held {
  plan: PlannedSession;
  ws: WebSocket | null;
  sessionId: string | null;
  seq: SeqCheck;
  /** The last seq its client had when the bench dropped its socket. */
  seqAtDrop: number | null;
  resumed: boolean;
  dropped: boolean;
  chatIds: string[];
  ids: number;
}

const held = new Map<string, Held>();
let url = '';
let bare = false;
const chatSentAt = new Map<string, number>();
const chatAcks: Array<[number, number]> = [];
const chatRefused: Record<string, number> = {};
let chatSent = 0;
/** Fan-out events by their text: send time and the receipts so far. */
const fan = new Map<string, { at: number; epoch: number; ms: number[] }>();
let fanSent = 0;
let unexpectedCloses = 0;
const timers: NodeJS.Timeout[] = [];

function onFrame(h: Held, raw: string, resolveOpen: (() => void) | null, subscribeRef: string | null): void {
  const at = performance.now();
  const f = JSON.parse(raw) as { type: string; seq?: number; ref?: string; code?: string; sessionId?: string; event?: { kind: string; message?: { messageId: string; text: string } } };
  if (typeof f.seq === 'number') h.seq.see(f.seq);
  switch (f.type) {
    case 'welcome':
      h.sessionId = f.sessionId!;
      if (h.plan.role === 'bot' && resolveOpen) resolveOpen();
      else if (h.plan.role === 'operator' && h.resumed && resolveOpen) resolveOpen();
      return;
    case 'ack':
    case 'error': {
      if (f.ref && f.ref === subscribeRef && resolveOpen) return resolveOpen();
      const key = `${h.plan.key}/${f.ref}`;
      const sent = chatSentAt.get(key);
      if (sent === undefined) return;
      chatSentAt.delete(key);
      if (f.type === 'ack') chatAcks.push([performance.timeOrigin + sent, at - sent]);
      else chatRefused[f.code ?? '?'] = (chatRefused[f.code ?? '?'] ?? 0) + 1;
      return;
    }
    case 'room.event': {
      const m = f.event?.kind === 'chat' ? f.event.message : undefined;
      if (!m) return;
      h.chatIds.push(m.messageId);
      if (h.plan.fan) {
        const e = fan.get(m.text);
        if (e) e.ms.push(at - e.at);
      }
      return;
    }
  }
}

/** Opens one session (or resumes it with its session id and last seq); resolves at its welcome (operators: their subscribe's ack). */
function open(h: Held, resume: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const path = h.plan.role === 'bot' ? '/ws/bot' : '/ws/operator';
    const query = resume ? `?session=${encodeURIComponent(h.sessionId!)}&lastSeq=${h.seq.last}` : '';
    const target = bare ? `${url}/?room=${h.plan.room}` : `${url}${path}${query}`;
    const ws = new WebSocket(target, { headers: bare ? {} : { authorization: `Bearer ${h.plan.token}` }, perMessageDeflate: false });
    h.ws = ws;
    if (resume) h.resumed = true;
    const timer = setTimeout(() => fail(new Error('no welcome in time')), CONNECT_TIMEOUT_MS);
    let done = false;
    const ok = () => { if (!done) { done = true; clearTimeout(timer); resolve(); } };
    const fail = (err: Error) => { if (!done) { done = true; clearTimeout(timer); ws.terminate(); reject(err); } };
    const subscribeRef = h.plan.role === 'operator' && !resume ? 'sub' : null;
    ws.once('unexpected-response', (_req, res) => fail(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', fail);
    ws.on('open', () => {
      if (bare) return ok();
      if (subscribeRef) ws.send(JSON.stringify({ type: 'room.subscribe', id: subscribeRef, room: h.plan.room }));
    });
    ws.on('message', (data) => {
      if (!bare) onFrame(h, data.toString(), done ? null : ok, subscribeRef);
    });
    ws.on('close', () => {
      if (h.ws === ws && !h.dropped && !closing) unexpectedCloses++;
      fail(new Error('closed before its welcome'));
    });
  });
}

/** Runs `work` over `items` with at most `n` in flight. */
async function pool<T>(items: T[], n: number, work: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

let closing = false;

async function connect(m: Extract<ToChild, { cmd: 'connect' }>): Promise<void> {
  url = m.url;
  bare = m.bare;
  const failed: string[] = [];
  const connectMs: number[] = [];
  let firstAt = Infinity;
  let lastAt = 0;
  for (const s of m.sessions) held.set(s.key, { plan: s, ws: null, sessionId: null, seq: new SeqCheck(), seqAtDrop: null, resumed: false, dropped: false, chatIds: [], ids: 0 });
  await pool([...held.values()], m.concurrency, async (h) => {
    const t0 = Date.now();
    const p0 = performance.now();
    firstAt = Math.min(firstAt, t0);
    try {
      await open(h, false);
      connectMs.push(performance.now() - p0);
      lastAt = Math.max(lastAt, Date.now());
    } catch (err) {
      if (failed.length < 20) failed.push(`${h.plan.key}: ${(err as Error).message}`);
      else failed.push('…');
    }
  });
  tell({ ev: 'connected', opened: connectMs.length, failed, firstAt, lastAt, connectMs });
}

function start(m: Extract<ToChild, { cmd: 'start' }>): void {
  const delay = (at: number) => Math.max(0, at - Date.now());
  for (const h of held.values()) {
    if (h.plan.role !== 'bot' || h.plan.emitter || h.plan.botIndex === undefined) continue;
    // Bot i starts at i/bots of the period: the whole set's lines are spread evenly.
    const first = m.atEpochMs + (h.plan.botIndex / m.bots) * m.periodMs;
    timers.push(setTimeout(() => {
      sendChat(h);
      timers.push(setInterval(() => sendChat(h), m.periodMs));
    }, delay(first)));
  }
  const emitter = [...held.values()].find((h) => h.plan.emitter);
  if (emitter) {
    timers.push(setTimeout(() => {
      const t = setInterval(() => {
        const text = `fan ${fanSent++}`;
        fan.set(text, { at: performance.now(), epoch: Date.now(), ms: [] });
        // Ten viewers take turns: one viewer a second would brush against the per-viewer interval (a line a second).
        sendChat(emitter, text, `viewer-fan-${fanSent % 10}`);
      }, m.fanEveryMs);
      timers.push(t);
    }, delay(m.atEpochMs)));
  }
}

function sendChat(h: Held, text?: string, viewer = `viewer-${h.plan.key}`): void {
  if (!h.ws || h.ws.readyState !== WebSocket.OPEN) return;
  const id = `c${++h.ids}`;
  chatSentAt.set(`${h.plan.key}/${id}`, performance.now());
  chatSent++;
  // One viewer per bot: the per-viewer interval (a line a second) never refuses a line sent every 10 s.
  h.ws.send(JSON.stringify({ type: 'chat', id, user: { id: viewer, name: viewer }, text: text ?? `hello from ${h.plan.key}, line ${h.ids}` }));
}

function drop(keys: string[]): number {
  let n = 0;
  for (const k of keys) {
    const h = held.get(k);
    if (!h?.ws) continue;
    h.dropped = true;
    h.seqAtDrop = h.seq.last;
    // No close frame, no goodbye: the TCP connection just goes, as a phone losing its network would.
    h.ws.terminate();
    h.ws = null;
    n++;
  }
  return n;
}

async function resume(keys: string[]): Promise<void> {
  const failed: string[] = [];
  const resumeMs: number[] = [];
  await pool(keys, 20, async (k) => {
    const h = held.get(k)!;
    h.dropped = false;
    const p0 = performance.now();
    try {
      await open(h, true);
      resumeMs.push(performance.now() - p0);
    } catch (err) {
      failed.push(`${k}: ${(err as Error).message}`);
    }
  });
  tell({ ev: 'resumed', resumed: resumeMs.length, failed, resumeMs });
}

function report(watchRooms: string[]): ChildReport {
  const watch = new Set(watchRooms);
  let gapSessions = 0;
  let gaps = 0;
  let duplicates = 0;
  const watched: SessionView[] = [];
  for (const h of held.values()) {
    if (h.seq.gaps + h.seq.duplicates > 0) gapSessions++;
    gaps += h.seq.gaps;
    duplicates += h.seq.duplicates;
    if (watch.has(h.plan.room)) {
      watched.push({ key: h.plan.key, room: h.plan.room, role: h.plan.role, gaps: h.seq.gaps, duplicates: h.seq.duplicates, lastSeq: h.seq.last, seqAtDrop: h.seqAtDrop, resumed: h.resumed, chatIds: h.chatIds });
    }
  }
  return {
    ev: 'report', chatAcks, chatRefused, chatSent, chatUnanswered: chatSentAt.size,
    fanOut: [...fan.values()].map((e) => ({ at: e.epoch, ms: e.ms })), fanSent, gapSessions, gaps, duplicates, unexpectedCloses, watched,
  };
}

process.on('message', (m: ToChild) => {
  void (async () => {
    try {
      switch (m.cmd) {
        case 'connect': return await connect(m);
        case 'start': start(m); return tell({ ev: 'ready' });
        case 'stop': for (const t of timers) clearInterval(t); return tell({ ev: 'stopped' });
        case 'drop': return tell({ ev: 'dropped', dropped: drop(m.keys) });
        case 'resume': return await resume(m.keys);
        case 'report': return tell(report(m.watchRooms));
        case 'close':
          closing = true;
          for (const h of held.values()) h.ws?.terminate();
          setTimeout(() => process.exit(0), 200);
          return;
      }
    } catch (err) {
      tell({ ev: 'error', message: (err as Error).stack ?? String(err) });
    }
  })();
});
process.on('disconnect', () => process.exit(0));
tell({ ev: 'ready' });
