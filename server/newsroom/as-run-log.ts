import type { Redis } from 'ioredis';
import { redisKeys, type AsRunEntry } from '../../protocol/index.js';
import type { AirReport } from '../show/air-observer.js';

export interface AsRunQuery {
  from?: number;
  to?: number;
  source?: AsRunEntry['source']['kind'];
  text?: string;
  showId?: string;
  /** Stream id of the last entry of the previous page. */
  after?: string;
  limit?: number;
}

export interface AsRunLookups {
  /** Who approved an answer, and how many viewers asked it. */
  question(room: string, questionId: string): Promise<{ approvedBy: string | null; askers: number } | null>;
  /** Retention of the room's log, days. */
  retentionDays(room: string): Promise<number>;
}

/**
 * The as-run log: every line the render host reported on air, once per airing, in order,
 * in a Redis stream per room — when it started and ended (server wall clock and the host's
 * media time), what it said, where it came from, who approved it, and where it is in the
 * show's recording. What the host reports is the truth of what aired.
 */
export class AsRunLog {
  private readonly keys;

  constructor(private readonly redis: Redis, private readonly prefix: string, private readonly lookups: AsRunLookups) {
    this.keys = redisKeys(prefix);
  }

  private streamKey(room: string) { return `${this.prefix}:room:${room}:asrun`; }
  private pendingKey(room: string) { return `${this.prefix}:room:${room}:asrun:on-air`; }

  async lineStarted(r: AirReport): Promise<void> {
    const k = this.pendingKey(r.room);
    await this.redis.multi().hset(k, r.airId, JSON.stringify(r)).expire(k, 24 * 3600).exec();
  }

  async lineEnded(r: AirReport & { interrupted: boolean }): Promise<void> {
    const k = this.pendingKey(r.room);
    const raw = await this.redis.hget(k, r.airId);
    const start = raw ? JSON.parse(raw) as AirReport : r;
    const q = r.questionId ? await this.lookups.question(r.room, r.questionId) : null;
    const approvedBy = q?.approvedBy ?? (r.source.kind === 'say' ? r.source.by : null);
    const recording = await this.recordingAt(r.room, start);
    const entry: Omit<AsRunEntry, 'id'> = {
      room: r.room, showId: start.showId, lineId: r.lineId, text: r.text, priority: r.priority, source: r.source, questionId: r.questionId,
      approvedBy, askers: q?.askers ?? 0, hostId: r.hostId, startedAt: start.at, endedAt: r.at,
      // -1: the host died with the line on air and never said where it stopped; estimated from the wall clock.
      mediaStartMs: start.mediaTimeMs, mediaEndMs: r.mediaTimeMs >= 0 ? r.mediaTimeMs : start.mediaTimeMs + (r.at - start.at), interrupted: r.interrupted,
      recordingId: recording?.id ?? null, recordingOffsetMs: recording?.offsetMs ?? null,
    };
    const days = await this.lookups.retentionDays(r.room);
    const minId = `${Date.now() - days * 86_400_000}-0`;
    // The stream and the on-air hash are two Cluster slots: logged first, then forgotten.
    await this.redis.xadd(this.streamKey(r.room), 'MINID', '~', minId, '*', 'e', JSON.stringify(entry));
    await this.redis.hdel(k, r.airId);
  }

  /**
   * The recording the gateway was making when a line started, and where in it the line is.
   * Exactly, from the stream: the host's timestamp of the line's first frame, the program's
   * offset to it, and the program timestamp the recording starts at (a loaded host's media
   * clock runs slower than the wall, so wall clocks drift apart over a show). Without those,
   * from the wall clock.
   */
  private async recordingAt(room: string, start: AirReport): Promise<{ id: string; offsetMs: number } | null> {
    // Two hashes in two Cluster slots: two reads at once, not a transaction.
    const [recRaw, progRaw] = await Promise.all([this.redis.hget(this.keys.recordingsLive, room), this.redis.hget(this.keys.programLive, room)]);
    if (!recRaw) return null;
    const rec = JSON.parse(recRaw) as { id: string; startedAt: number; firstTs?: number };
    const prog = progRaw ? JSON.parse(progRaw) as { offset: number } : null;
    if (start.streamTimeMs !== undefined && prog && rec.firstTs !== undefined) {
      return { id: rec.id, offsetMs: start.streamTimeMs + prog.offset - rec.firstTs };
    }
    return start.at >= rec.startedAt ? { id: rec.id, offsetMs: start.at - rec.startedAt } : null;
  }

  async query(room: string, q: AsRunQuery = {}): Promise<{ entries: AsRunEntry[]; next: string | null }> {
    const limit = Math.min(Math.max(q.limit ?? 100, 1), 1000);
    const start = q.after ? `(${q.after}` : q.from !== undefined ? `${q.from}-0` : '-';
    const end = q.to !== undefined ? `${q.to}-18446744073709551615` : '+';
    const needle = q.text?.toLowerCase();
    const out: AsRunEntry[] = [];
    let cursor = start;
    // Filters run over pages of the stream until a page of results is full.
    for (let scanned = 0; out.length < limit && scanned < 100_000;) {
      const batch = await this.redis.xrange(this.streamKey(room), cursor, end, 'COUNT', 500);
      if (batch.length === 0) break;
      for (const [id, fields] of batch) {
        cursor = `(${id}`;
        scanned++;
        const e = { id, ...JSON.parse(fields[1] ?? '{}') } as AsRunEntry;
        if (q.source && e.source.kind !== q.source) continue;
        if (q.showId && e.showId !== q.showId) continue;
        if (needle && !e.text.toLowerCase().includes(needle)) continue;
        out.push(e);
        if (out.length === limit) break;
      }
      if (batch.length < 500) break;
    }
    const more = out.length === limit ? out[out.length - 1]!.id : null;
    return { entries: out, next: more };
  }

  /** Every entry of one show run (or the whole log), for export. */
  async all(room: string, showId?: string): Promise<AsRunEntry[]> {
    const all: AsRunEntry[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.query(room, { ...(showId ? { showId } : {}), ...(after ? { after } : {}), limit: 1000 });
      all.push(...page.entries);
      if (!page.next) return all;
      after = page.next;
    }
  }
}

const CSV_COLUMNS = [
  'startedAt', 'endedAt', 'recordingOffsetMs', 'priority', 'source', 'text', 'questionId', 'askers', 'approvedBy', 'interrupted',
  'hostId', 'mediaStartMs', 'mediaEndMs', 'lineId', 'showId', 'recordingId',
] as const;

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  // RFC 4180 quoting; a leading = + - @ is neutralized so a spreadsheet never runs it as a formula.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function asRunCsv(entries: AsRunEntry[]): string {
  const rows = entries.map((e) => CSV_COLUMNS.map((c) => {
    if (c === 'startedAt' || c === 'endedAt') return csvCell(new Date(e[c]).toISOString());
    if (c === 'source') return csvCell(e.source.kind === 'rundown' ? `rundown:${e.source.segmentId}` : e.source.kind === 'filler' ? `filler:${e.source.materialId}` : e.source.kind);
    return csvCell(e[c]);
  }).join(','));
  return `${CSV_COLUMNS.join(',')}\r\n${rows.map((r) => `${r}\r\n`).join('')}`;
}
