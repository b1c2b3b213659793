import type { MaterialInfo } from './library-view.js';

/**
 * Picks a filler for a gap: the longest one that fits (a 40 s gap never gets a 60 s
 * filler), not aired within the repeat window; among equals, the one aired longest ago.
 */
export function chooseFiller(
  fillers: readonly MaterialInfo[], gapMs: number, lastAired: Readonly<Record<string, number>>, now: number, repeatWindowMs: number,
): MaterialInfo | null {
  let best: MaterialInfo | null = null;
  for (const f of fillers) {
    if (f.durationMs === null || f.durationMs > gapMs) continue;
    const aired = lastAired[f.id];
    if (aired !== undefined && now - aired < repeatWindowMs) continue;
    if (!best || f.durationMs > best.durationMs! || (f.durationMs === best.durationMs && (lastAired[f.id] ?? 0) < (lastAired[best.id] ?? 0))) best = f;
  }
  return best;
}
