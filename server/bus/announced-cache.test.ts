import { describe, expect, it } from 'vitest';
import { AnnouncedCache } from './announced-cache.js';

function setup() {
  let t = 0;
  let value = 1;
  const pending: Array<() => void> = [];
  let hold = false;
  let reads = 0;
  const cache = new AnnouncedCache<string, number>(async () => {
    reads++;
    const v = value;
    if (hold) await new Promise<void>((resolve) => pending.push(resolve));
    return v;
  }, { freshMs: 100, staleMs: 200, now: () => t });
  return {
    cache, reads: () => reads,
    at: (ms: number) => { t = ms; }, set: (v: number) => { value = v; },
    hold: (on: boolean) => { hold = on; }, release: () => pending.splice(0).forEach((r) => r()),
  };
}

describe('a cache whose changes are announced', () => {
  it('serves its copy without a promise while fresh, and reads again past it', async () => {
    const s = setup();
    expect(await s.cache.get('k')).toBe(1);
    s.set(2);
    s.at(99);
    expect(s.cache.get('k')).toBe(1);
    expect(s.reads()).toBe(1);
    s.at(250);
    expect(await s.cache.get('k')).toBe(2);
    expect(s.reads()).toBe(2);
  });

  it('a stale copy serves while one read replaces it', async () => {
    const s = setup();
    await s.cache.get('k');
    s.set(2);
    s.hold(true);
    s.at(150);
    expect(s.cache.get('k')).toBe(1);
    expect(s.cache.get('k')).toBe(1);
    expect(s.reads()).toBe(2);
    s.release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(s.cache.get('k')).toBe(2);
  });

  it('a forgotten key is read again, and a read under way when it was forgotten is not kept', async () => {
    const s = setup();
    s.hold(true);
    const first = s.cache.get('k');
    s.set(2);
    s.cache.forget('k');
    s.release();
    expect(await first).toBe(1);
    s.hold(false);
    expect(await s.cache.get('k')).toBe(2);
    expect(s.reads()).toBe(2);
  });

  it('a failed read is not kept', async () => {
    let fail = true;
    const cache = new AnnouncedCache<string, number>(async () => { if (fail) throw new Error('down'); return 7; }, { freshMs: 100, staleMs: 200 });
    await expect(cache.get('k')).rejects.toThrow('down');
    fail = false;
    expect(await cache.get('k')).toBe(7);
  });

  it('lets go of copies too old to serve, keeping those used lately', async () => {
    const s = setup();
    for (const k of ['a', 'b', 'c']) await s.cache.get(k);
    expect(s.cache.size).toBe(3);
    s.at(300);
    await s.cache.get('a'); // past the stale window: read again, and the sweep runs
    expect(s.cache.size).toBe(1);
    s.at(350);
    expect(s.cache.get('a')).toBe(1);
    expect(s.reads()).toBe(4);
    await s.cache.get('b');
    expect(s.reads()).toBe(5);
  });

  it('refuses a stale window shorter than the fresh one, naming both', () => {
    expect(() => new AnnouncedCache(async () => 1, { freshMs: 100, staleMs: 50 })).toThrow('staleMs (50) must be at least freshMs (100)');
  });
});
