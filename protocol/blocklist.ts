/**
 * A room's blocklist: regex sources matched case-insensitively against viewer questions
 * (server) and answer lines (workers), so both refuse the same things. A source that is
 * not a valid regex is matched as literal text, never an error.
 */
export function compileBlocklist(sources: readonly string[]): Array<{ source: string; re: RegExp }> {
  return sources.map((source) => {
    // 'u' first so CJK and astral characters match as characters; some older-style
    // sources (a "\\-" escape outside a class) only compile without it.
    for (const flags of ['iu', 'i']) {
      try {
        return { source, re: new RegExp(source, flags) };
      } catch {
        // try the next flags, then fall back to a literal
      }
    }
    return { source, re: new RegExp(source.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'iu') };
  });
}

/** The first blocklist source that matches `text`, or null. */
export function blocklistMatch(sources: readonly string[], text: string): string | null {
  return compileBlocklist(sources).find(({ re }) => re.test(text))?.source ?? null;
}
