import { describe, expect, it } from 'vitest';
import { turnsWhile } from '../../test/helpers/event-loop.js';
import { catalogue } from '../../test/helpers/kb-catalogue.js';
import { KbIndexCache } from './kb-index.js';

describe('the qa worker\'s knowledge-base indexes', () => {
  it('builds a 3,000-entry index in slices, the event loop turning meanwhile, with the same results as in one piece', async () => {
    const kb = catalogue(3000, ['Every order ships within two days.']);
    const cache = new KbIndexCache();
    const { value: [a, b], turns } = await turnsWhile(Promise.all([cache.ready(kb), cache.ready(kb)]));
    // In one piece it was one turn; in ~10 ms slices, a turn between each.
    expect(turns).toBeGreaterThan(20);
    expect(a).toBe(b);
    expect(cache.get(kb)).toBe(a);
    const whole = new KbIndexCache().get(kb);
    for (const q of ['how much is the lamp model 9?', 'what does the tent model 18 weigh', 'when does my order ship?']) {
      expect(a.query(q, 3)).toEqual(whole.query(q, 3));
    }
    expect(a.query('how much is the lamp model 9?', 1)[0]).toMatchObject({ kind: 'qa', index: 9 });
  }, 120_000);
});
