import type { ClientContext, Redis, Result } from 'ioredis';

// Records sent frames of many sessions of one bucket (one hash tag, one Cluster slot) in
// one call. For each session in the batch: its frames are appended only if the session's
// epoch is still the one they were numbered under (a replaced holder can no longer write),
// the seq moves to the last of them, the outbox is kept to its bound.
//
// KEYS: sess1, out1, sess2, out2, …
// ARGV: maxLen, ttl, then per session: epoch, frame count n, last seq, n frames.
const RECORD = `
local maxLen = tonumber(ARGV[1])
local a = 3
local written = 0
for i = 1, #KEYS, 2 do
  local n = tonumber(ARGV[a + 1])
  if redis.call('HGET', KEYS[i], 'epoch') == ARGV[a] then
    local len = redis.call('RPUSH', KEYS[i + 1], unpack(ARGV, a + 3, a + 2 + n))
    if len > maxLen then redis.call('LTRIM', KEYS[i + 1], -maxLen, -1) end
    if len == n then redis.call('EXPIRE', KEYS[i + 1], ARGV[2]) end
    redis.call('HSET', KEYS[i], 'seq', ARGV[a + 2])
    written = written + n
  end
  a = a + 3 + n
end
return written
`;

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    livehostRecordFrames(numKeys: number, ...args: Array<string | number>): Result<number, Context>;
  }
}

/** Frames of one session under one epoch, in order. */
interface Run { sessionId: string; epoch: string; lastSeq: number; frames: string[] }

interface Bucket {
  /** Runs waiting for the next call, in arrival order. */
  pending: Run[];
  /** The session each pending run belongs to, to append to its last run. */
  open: Map<string, Run>;
  inFlight: Promise<void> | null;
  /** The next call is scheduled. */
  timer: NodeJS.Timeout | null;
  /** The next call goes out no sooner than this (performance.now()). */
  notBefore: number;
  /** Settles when the next call (the one holding `pending`) is done. */
  next: { promise: Promise<void>; resolve: () => void } | null;
}

/** At most this many frames in one call (Lua's unpack and the reply stay small). */
const MAX_FRAMES_PER_CALL = 512;
/**
 * A bucket's calls start at least this far apart: a frame waits up to this long for company
 * before its call goes out. Frames are recorded after they are sent, so this adds no
 * latency; it is how much a crashed instance can have sent without recording. Under load it
 * sets the number of writes to Redis — each a syscall whose loopback delivery the sender
 * pays for — to a few hundred a second, however many frames they carry.
 */
export const GATHER_MS = 10;

export interface FrameRecorderOptions {
  keys(sessionId: string): { sess: string; out: string };
  tag(sessionId: string): string;
  outboxMax: number;
  ttlS: number;
  onError(err: Error): void;
}

/**
 * Writes sent frames to their sessions' outboxes, batched: one call per bucket in flight at
 * a time, GATHER_MS apart at least, and everything that arrives meanwhile goes in the next
 * one — one script per GATHER_MS instead of one per frame (or per round trip), and order
 * within a session is kept because a bucket's calls never overlap.
 */
export class FrameRecorder {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly redis: Redis, private readonly o: FrameRecorderOptions) {
    if (typeof (redis as { livehostRecordFrames?: unknown }).livehostRecordFrames !== 'function') {
      redis.defineCommand('livehostRecordFrames', { lua: RECORD });
    }
  }

  record(sessionId: string, epoch: string, seq: number, raw: string): void {
    const tag = this.o.tag(sessionId);
    let b = this.buckets.get(tag);
    if (!b) this.buckets.set(tag, (b = { pending: [], open: new Map(), inFlight: null, next: null, timer: null, notBefore: performance.now() + GATHER_MS }));
    const run = b.open.get(sessionId);
    if (run && run.epoch === epoch) {
      run.frames.push(raw);
      run.lastSeq = seq;
    } else {
      const fresh: Run = { sessionId, epoch, lastSeq: seq, frames: [raw] };
      b.pending.push(fresh);
      b.open.set(sessionId, fresh);
    }
    if (!b.inFlight) this.schedule(tag, b);
  }

  /** Resolves once what was recorded for the session so far has been written (or failed). */
  whenRecorded(sessionId: string): Promise<void> {
    const b = this.buckets.get(this.o.tag(sessionId));
    if (!b) return Promise.resolve();
    if (b.open.has(sessionId)) return this.nextCall(b);
    return b.inFlight ?? Promise.resolve();
  }

  private nextCall(b: Bucket): Promise<void> {
    if (!b.next) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      b.next = { promise, resolve };
    }
    return b.next.promise;
  }

  private schedule(tag: string, b: Bucket): void {
    if (b.timer) return;
    b.timer = setTimeout(() => {
      b.timer = null;
      this.flush(tag);
    }, Math.max(0, Math.ceil(b.notBefore - performance.now())));
  }

  private flush(tag: string): void {
    const b = this.buckets.get(tag);
    if (!b || b.inFlight) return;
    if (b.pending.length === 0) {
      this.buckets.delete(tag);
      return;
    }
    // Take whole runs up to the frame budget; a run larger than the budget goes alone.
    const runs: Run[] = [];
    let frames = 0;
    while (b.pending.length && (runs.length === 0 || frames + b.pending[0]!.frames.length <= MAX_FRAMES_PER_CALL)) {
      const run = b.pending.shift()!;
      if (b.open.get(run.sessionId) === run) b.open.delete(run.sessionId);
      runs.push(run);
      frames += run.frames.length;
    }
    const done = b.pending.length === 0 ? b.next : null;
    if (done) b.next = null;
    const keys: string[] = [];
    const args: Array<string | number> = [this.o.outboxMax, this.o.ttlS];
    for (const run of runs) {
      const k = this.o.keys(run.sessionId);
      keys.push(k.sess, k.out);
      args.push(run.epoch, run.frames.length, run.lastSeq, ...run.frames);
    }
    b.notBefore = performance.now() + GATHER_MS;
    b.inFlight = this.redis.livehostRecordFrames(keys.length, ...keys, ...args).then(
      () => undefined,
      (err: Error) => this.o.onError(err),
    ).finally(() => {
      b.inFlight = null;
      done?.resolve();
      if (b.pending.length) this.schedule(tag, b);
      else this.buckets.delete(tag);
    });
  }
}
