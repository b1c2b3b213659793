import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { deletePrefix, redisUrl, testPrefix } from '../test/helpers/redis.js';
import { StuckWorkerWatchdog } from './stuck-worker-watchdog.js';

describe('the stuck-worker watchdog (real Redis, real BullMQ)', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  });

  function setup() {
    const prefix = testPrefix('stuck');
    const connection = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    const queue = new Queue('q', { connection, prefix });
    let t = Date.now();
    const warnings: Array<{ obj: object; msg: string }> = [];
    const watchdog = new StuckWorkerWatchdog<Worker>(queue, {
      log: { warn: (obj, msg) => warnings.push({ obj, msg }) }, name: 'q', stuckMs: 30_000, now: () => t,
    });
    cleanups.push(() => deletePrefix(prefix), () => connection.quit(), () => queue.close(), () => watchdog.close());
    return { prefix, connection, queue, watchdog, warnings, advance: (ms: number) => { t += ms; } };
  }

  it('replaces a worker that stopped taking jobs; the job that waited runs on the new one', async () => {
    const { prefix, connection, queue, watchdog, warnings, advance } = setup();
    const done: string[] = [];
    let made = 0;
    // The first worker never fetches: it stands for one whose blocking read never returns.
    watchdog.start(() => new Worker('q', (job: Job) => watchdog.busy(async () => { done.push(job.id!); }), { connection, prefix, autorun: made++ > 0 }));
    const stuck = watchdog.current;
    await queue.add('question', {}, { jobId: 'j1', priority: 5 });
    expect(await watchdog.check()).toBe(false);
    advance(29_000);
    expect(await watchdog.check()).toBe(false);
    advance(2_000);
    expect(await watchdog.check()).toBe(true);
    expect(watchdog.current).not.toBe(stuck);
    expect(warnings).toMatchObject([{ obj: { worker: 'q', waiting: 1 }, msg: 'worker stopped taking jobs; replacing it' }]);
    await vi.waitFor(() => expect(done).toEqual(['j1']), { timeout: 10_000 });
    await vi.waitFor(() => expect(stuck.closing).not.toBeUndefined(), { timeout: 5000 });
  });

  it('leaves a worker alone while it runs a job, however long the next one waits, and when nothing waits', async () => {
    const { prefix, connection, queue, watchdog, advance } = setup();
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    const started: string[] = [];
    watchdog.start(() => new Worker('q', (job: Job) => watchdog.busy(async () => { started.push(job.id!); await held; }), { connection, prefix, concurrency: 1 }));
    const worker = watchdog.current;
    expect(await (advance(60_000), watchdog.check())).toBe(false);
    await queue.add('long', {}, { jobId: 'a' });
    await vi.waitFor(() => expect(started).toEqual(['a']), { timeout: 10_000 });
    await queue.add('next', {}, { jobId: 'b' });
    advance(120_000);
    expect(await watchdog.check()).toBe(false);
    expect(watchdog.current).toBe(worker);
    release();
    await vi.waitFor(() => expect(started).toEqual(['a', 'b']), { timeout: 10_000 });
  });
});
