/**
 * Labels each phone of a connected utterance with the word it belongs to, given each
 * word's phones when spoken alone. Connected speech changes a few phones ("a" is "ey"
 * alone, "ax" in a sentence), so the two sequences are aligned by edit distance rather
 * than matched one to one.
 */
export function assignPhonesToWords(connected: readonly string[], wordPhones: readonly (readonly string[])[]): number[] {
  const ref: { phone: string; word: number }[] = [];
  wordPhones.forEach((phones, word) => phones.forEach((phone) => ref.push({ phone, word })));
  const n = connected.length;
  const m = ref.length;
  if (n === 0) return [];
  if (m === 0) return connected.map(() => 0);

  // cost[i][j]: aligning connected[0..i) with ref[0..j).
  const cost: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = 0; i <= n; i++) cost[i]![0] = i;
  for (let j = 0; j <= m; j++) cost[0]![j] = j;
  for (let i = 1; i <= n; i++) {
    const row = cost[i]!;
    const up = cost[i - 1]!;
    for (let j = 1; j <= m; j++) {
      const sub = up[j - 1]! + (connected[i - 1] === ref[j - 1]!.phone ? 0 : 1);
      row[j] = Math.min(sub, up[j]! + 1, row[j - 1]! + 1);
    }
  }

  const labels = new Array<number>(n).fill(-1);
  let i = n;
  let j = m;
  while (i > 0 && j > 0) {
    const here = cost[i]![j]!;
    const sub = cost[i - 1]![j - 1]! + (connected[i - 1] === ref[j - 1]!.phone ? 0 : 1);
    if (here === sub) {
      labels[i - 1] = ref[j - 1]!.word;
      i--; j--;
    } else if (here === cost[i - 1]![j]! + 1) {
      i--; // an extra phone in connected speech: labelled from its neighbours below
    } else {
      j--;
    }
  }
  // Inserted phones join the previous word (or the next, at the very start).
  for (let k = 0; k < n; k++) if (labels[k] === -1 && k > 0) labels[k] = labels[k - 1]!;
  for (let k = n - 1; k >= 0; k--) if (labels[k] === -1) labels[k] = k + 1 < n ? labels[k + 1]! : 0;
  // Words are spoken in order; alignment noise must not make a label go backwards.
  for (let k = 1; k < n; k++) if (labels[k]! < labels[k - 1]!) labels[k] = labels[k - 1]!;
  return labels;
}
