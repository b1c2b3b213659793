/**
 * How a grouping of labelled questions compares with the truth. Items are the distinct
 * texts asked (a text's first ask); `group` is where that ask went (the question group id
 * it was acknowledged with), `truth` its paraphrase group, or a label of its own for an
 * unrelated question (which belongs with nothing).
 */
export interface GroupedItem {
  text: string;
  truth: string;
  /** True for a question that belongs to no paraphrase group. */
  unrelated: boolean;
  group: string;
}

export interface GroupingScore {
  items: number;
  /** Of the pairs put in one group, the share that ask the same thing. */
  pairPrecision: number;
  /** Of the pairs that ask the same thing, the share put in one group. */
  pairRecall: number;
  truePairs: number;
  predictedPairs: number;
  rightPairs: number;
  /** Paraphrase groups whose every member ended in one group (with nothing else). */
  wholeGroups: number;
  truthGroups: number;
  /** Per paraphrase group, the largest share of its members found in one group; averaged. */
  meanLargestShare: number;
  /** Unrelated questions that share a group with any other question. */
  unrelatedJoined: number;
  unrelated: number;
}

const pairs = (n: number) => (n * (n - 1)) / 2;

export function scoreGrouping(items: readonly GroupedItem[]): GroupingScore {
  const byGroup = new Map<string, GroupedItem[]>();
  const byTruth = new Map<string, GroupedItem[]>();
  for (const it of items) {
    byGroup.set(it.group, [...(byGroup.get(it.group) ?? []), it]);
    if (!it.unrelated) byTruth.set(it.truth, [...(byTruth.get(it.truth) ?? []), it]);
  }
  let predictedPairs = 0;
  let rightPairs = 0;
  for (const members of byGroup.values()) {
    predictedPairs += pairs(members.length);
    const counts = new Map<string, number>();
    for (const m of members) if (!m.unrelated) counts.set(m.truth, (counts.get(m.truth) ?? 0) + 1);
    for (const c of counts.values()) rightPairs += pairs(c);
  }
  let truePairs = 0;
  let whole = 0;
  let shares = 0;
  for (const members of byTruth.values()) {
    truePairs += pairs(members.length);
    const where = new Map<string, number>();
    for (const m of members) where.set(m.group, (where.get(m.group) ?? 0) + 1);
    const largest = Math.max(...where.values());
    shares += largest / members.length;
    if (where.size === 1 && byGroup.get(members[0]!.group)!.length === members.length) whole++;
  }
  const unrelated = items.filter((i) => i.unrelated);
  return {
    items: items.length,
    pairPrecision: predictedPairs ? rightPairs / predictedPairs : NaN,
    pairRecall: truePairs ? rightPairs / truePairs : NaN,
    truePairs, predictedPairs, rightPairs,
    wholeGroups: whole,
    truthGroups: byTruth.size,
    meanLargestShare: byTruth.size ? shares / byTruth.size : NaN,
    unrelatedJoined: unrelated.filter((u) => byGroup.get(u.group)!.length > 1).length,
    unrelated: unrelated.length,
  };
}

/** Sums scores over rooms (pair counts add; shares are re-weighted by group count). */
export function combineScores(scores: readonly GroupingScore[]): GroupingScore {
  const sum = (f: (s: GroupingScore) => number) => scores.reduce((n, s) => n + f(s), 0);
  const predictedPairs = sum((s) => s.predictedPairs);
  const truePairs = sum((s) => s.truePairs);
  const right = sum((s) => s.rightPairs);
  const truthGroups = sum((s) => s.truthGroups);
  return {
    items: sum((s) => s.items),
    pairPrecision: predictedPairs ? right / predictedPairs : NaN,
    pairRecall: truePairs ? right / truePairs : NaN,
    truePairs, predictedPairs, rightPairs: right,
    wholeGroups: sum((s) => s.wholeGroups),
    truthGroups,
    meanLargestShare: truthGroups ? sum((s) => s.meanLargestShare * s.truthGroups) / truthGroups : NaN,
    unrelatedJoined: sum((s) => s.unrelatedJoined),
    unrelated: sum((s) => s.unrelated),
  };
}
