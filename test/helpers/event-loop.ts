/** Resolves with how many times the event loop turned before `p` settled: work on another thread, or in slices, lets it turn. */
export async function turnsWhile<T>(p: Promise<T>): Promise<{ value: T; turns: number }> {
  let turns = 0;
  let done = false;
  const spin = (): void => { if (!done) { turns++; setImmediate(spin); } };
  setImmediate(spin);
  try {
    return { value: await p, turns };
  } finally {
    done = true;
  }
}
