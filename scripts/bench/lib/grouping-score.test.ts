import { describe, expect, it } from 'vitest';
import { combineScores, scoreGrouping, type GroupedItem } from './grouping-score.js';

const item = (text: string, truth: string, group: string): GroupedItem => ({ text, truth, unrelated: truth.startsWith('unrelated:'), group });

describe('grouping score (bench:chat)', () => {
  it('a grouping equal to the truth scores full precision and recall, every group whole, no unrelated joined', () => {
    const s = scoreGrouping([
      item('a1', 'a', 'g1'), item('a2', 'a', 'g1'), item('a3', 'a', 'g1'),
      item('b1', 'b', 'g2'), item('b2', 'b', 'g2'),
      item('u1', 'unrelated:0', 'g3'), item('u2', 'unrelated:1', 'g4'),
    ]);
    expect(s).toMatchObject({ items: 7, pairPrecision: 1, pairRecall: 1, truePairs: 4, predictedPairs: 4, wholeGroups: 2, truthGroups: 2, meanLargestShare: 1, unrelatedJoined: 0, unrelated: 2 });
  });

  it('a split group loses recall, a wrong join loses precision, and an unrelated question in a group is counted', () => {
    const s = scoreGrouping([
      item('a1', 'a', 'g1'), item('a2', 'a', 'g1'), item('a3', 'a', 'g2'),
      item('b1', 'b', 'g2'),
      item('u1', 'unrelated:0', 'g1'),
    ]);
    // Groups: g1 = {a1, a2, u1} (3 pairs, 1 right), g2 = {a3, b1} (1 pair, 0 right).
    expect(s.predictedPairs).toBe(4);
    expect(s.rightPairs).toBe(1);
    expect(s.pairPrecision).toBeCloseTo(0.25);
    // True pairs: a1-a2, a1-a3, a2-a3 (b alone has none); one of three found.
    expect(s.truePairs).toBe(3);
    expect(s.pairRecall).toBeCloseTo(1 / 3);
    // Neither is whole: a is split over g1 and g2, and b's group g2 holds a3 as well.
    expect(s.wholeGroups).toBe(0);
    expect(s.unrelatedJoined).toBe(1);
    expect(s.meanLargestShare).toBeCloseTo((2 / 3 + 1) / 2);
  });

  it('scores combine over rooms by their pair counts, not by averaging percentages', () => {
    const one = scoreGrouping([item('a1', 'a', 'g1'), item('a2', 'a', 'g1')]);
    const two = scoreGrouping([item('a1', 'a', 'g1'), item('a2', 'a', 'g2'), item('a3', 'a', 'g2'), item('a4', 'a', 'g3')]);
    const both = combineScores([one, two]);
    expect(both.truePairs).toBe(1 + 6);
    expect(both.rightPairs).toBe(1 + 1);
    expect(both.pairRecall).toBeCloseTo(2 / 7);
    expect(both.pairPrecision).toBe(1);
    expect(both.items).toBe(6);
  });
});
