/**
 * What the bench itself saw of every room — when the server said it exists, which host was
 * told to render it and when, which hosts died — so the server's waiting-rooms metric can
 * be checked against a count the server did not compute. Times are performance.now() of
 * the bench process.
 *
 * A room exists from its create's 201 (or from its host being told, if that came first:
 * the assign goes out before the reply). It is placed while a live host holds it. A killed
 * host still holds its rooms for the resume grace (the server keeps them for it: a host
 * may come back on its session), unless `strict`, where they are unplaced the moment it dies.
 */
interface Hold { hostId: string; from: number; to: number | null }
interface RoomRecord { sentAt: number; existsFrom: number | null; deletedAt: number | null; deleting?: boolean; holds: Hold[] }

export interface MetricSample { t0: number; t1: number; waiting: number; placed: number; phase: string }

export interface Mismatch { sample: MetricSample; waitingRange: [number, number]; placedRange: [number, number] }

export class FleetLedger {
  private readonly rooms = new Map<string, RoomRecord>();
  private readonly kills = new Map<string, number>();
  private readonly changes: number[] = [];

  constructor(private readonly graceMs: number) {}

  sent(room: string, at: number): void {
    this.rooms.set(room, { sentAt: at, existsFrom: null, deletedAt: null, holds: [] });
  }

  created(room: string, at: number): void {
    const r = this.must(room);
    r.existsFrom = Math.min(r.existsFrom ?? at, at);
    this.changes.push(at);
  }

  /**
   * A delete was sent: the room is gone once the server lets it go — its host told to
   * release it, or the delete answered, whichever the bench sees first.
   */
  deleting(room: string): void {
    this.must(room).deleting = true;
  }

  deleted(room: string, at: number): void {
    const r = this.must(room);
    r.deletedAt = Math.min(r.deletedAt ?? at, at);
    this.changes.push(at);
  }

  assigned(room: string, hostId: string, at: number): void {
    const r = this.must(room);
    const open = r.holds.at(-1);
    if (open && open.to === null) open.to = at;
    r.holds.push({ hostId, from: at, to: null });
    r.existsFrom = Math.min(r.existsFrom ?? at, at);
    this.changes.push(at);
  }

  released(room: string, hostId: string, at: number): void {
    const r = this.must(room);
    const open = r.holds.at(-1);
    if (open && open.to === null && open.hostId === hostId) open.to = at;
    if (r.deleting) this.deleted(room, at);
    this.changes.push(at);
  }

  killed(hostId: string, at: number): void {
    this.kills.set(hostId, at);
    this.changes.push(at, at + this.graceMs);
  }

  private must(room: string): RoomRecord {
    const r = this.rooms.get(room);
    if (!r) throw new Error(`the ledger never saw room ${room} sent`);
    return r;
  }

  private holdEnd(h: Hold, strict: boolean): number {
    const killed = this.kills.get(h.hostId);
    const dies = killed === undefined ? Infinity : killed + (strict ? 0 : this.graceMs);
    return Math.min(h.to ?? Infinity, dies);
  }

  /** Rooms that exist at `t`, and how many of them no (live or in-grace) host holds. */
  countsAt(t: number, strict = false): { exist: number; unplaced: number } {
    let exist = 0;
    let unplaced = 0;
    for (const r of this.rooms.values()) {
      if (r.existsFrom === null || r.existsFrom > t || (r.deletedAt !== null && r.deletedAt <= t)) continue;
      exist++;
      if (!r.holds.some((h) => h.from <= t && t < this.holdEnd(h, strict))) unplaced++;
    }
    return { exist, unplaced };
  }

  /**
   * Each sample against the truth over its scrape, widened by `slackMs` either side: the
   * bench cannot see the instant Redis answered, nor the gap between a room's placement in
   * Redis and its host hearing of it. The counts are step functions, so looking at the
   * window's ends and every change inside it finds their whole range.
   */
  mismatches(samples: readonly MetricSample[], slackMs: number, strict = false): Mismatch[] {
    const changes = [...new Set(this.changes)].sort((a, b) => a - b);
    const out: Mismatch[] = [];
    for (const s of samples) {
      const a = s.t0 - slackMs;
      const b = s.t1 + slackMs;
      const times = [a, b, ...changes.filter((c) => c > a && c < b)];
      const counts = times.map((t) => this.countsAt(t, strict));
      const waiting = counts.map((c) => c.unplaced);
      const placed = counts.map((c) => c.exist - c.unplaced);
      const waitingRange: [number, number] = [Math.min(...waiting), Math.max(...waiting)];
      const placedRange: [number, number] = [Math.min(...placed), Math.max(...placed)];
      const outside = (x: number, [lo, hi]: [number, number]) => x < lo || x > hi;
      if (outside(s.waiting, waitingRange) || outside(s.placed, placedRange)) out.push({ sample: s, waitingRange, placedRange });
    }
    return out;
  }

  /** ms from each room's create request to its first host being told (rooms never told are left out). */
  placementMs(rooms: readonly string[]): number[] {
    return rooms.flatMap((room) => {
      const r = this.must(room);
      const first = r.holds[0];
      return first ? [first.from - r.sentAt] : [];
    });
  }

  /** Rooms a host held when it died, each with the ms until another host was told (null: never). */
  replaced(hostId: string): Array<{ room: string; ms: number | null; to: string | null }> {
    const killed = this.kills.get(hostId);
    if (killed === undefined) throw new Error(`${hostId} was not killed`);
    const out: Array<{ room: string; ms: number | null; to: string | null }> = [];
    for (const [room, r] of this.rooms) {
      const held = r.holds.find((h) => h.hostId === hostId && h.from <= killed && (h.to === null || h.to > killed));
      if (!held) continue;
      const next = r.holds.find((h) => h.from > killed && h.hostId !== hostId);
      out.push({ room, ms: next ? next.from - killed : null, to: next?.hostId ?? null });
    }
    return out;
  }
}
