import { RE2JS } from 're2js';
import { spokenText } from './text-hygiene.js';

/**
 * A room's blocklist: regex sources matched case-insensitively against viewer questions
 * (server) and answer lines (workers), so both refuse the same things. Patterns come from
 * operators and run on the server's event loop, so they run on RE2 (re2js, a pure-JS port):
 * matching takes time linear in the text, whatever the pattern — `^(a+)+$` cannot backtrack.
 * RE2 has no backreferences or lookarounds; a pattern that needs them, or does not parse,
 * is refused when a room is saved (`blocklistProblem`).
 *
 * Linear is not the same as cheap: a check costs about (text length × program size), so a
 * pattern and a whole list have a budget of RE2 instructions. A plain phrase costs 10–30;
 * the budgets allow hundreds of them and keep one check of a 4,000-character answer in the
 * tens of milliseconds at worst.
 *
 * What is checked is `spokenText(text)`: what a voice will say, not what was typed, so
 * markup an engine would read (espeak's `[[s'i:kr@t]]`) cannot slip past a pattern.
 */
export const BLOCKLIST_BUDGET = { patternInstructions: 1000, listInstructions: 10_000 } as const;

export interface BlocklistPattern {
  source: string;
  /** True when the source could not be used as a regex and is matched as literal text. */
  literal: boolean;
  /** Whether the pattern occurs in (already spoken-normalized) text. */
  test(text: string): boolean;
}

type Compiled = { ok: true; re: RE2JS } | { ok: false; why: string };

function compileSource(source: string): Compiled {
  let re: RE2JS;
  try {
    re = RE2JS.compile(RE2JS.translateRegExp(source), RE2JS.CASE_INSENSITIVE);
  } catch (err) {
    const detail = (err as Error).message.replace(/^error parsing regexp: /, '');
    return { ok: false, why: `${detail} (blocklist patterns are RE2 syntax: no backreferences or lookarounds)` };
  }
  const size = re.programSize();
  if (size > BLOCKLIST_BUDGET.patternInstructions) {
    return { ok: false, why: `too complex (${size} RE2 instructions, at most ${BLOCKLIST_BUDGET.patternInstructions})` };
  }
  return { ok: true, re };
}

/**
 * Why a blocklist cannot be saved, naming the first pattern at fault, or null when every
 * pattern compiles within budget. Rooms are refused with this message (REST 400).
 */
export function blocklistProblem(sources: readonly string[]): string | null {
  let total = 0;
  for (const source of sources) {
    const compiled = compileSource(source);
    if (!compiled.ok) return `blocklist pattern ${JSON.stringify(source)} is not usable: ${compiled.why}`;
    total += compiled.re.programSize();
    if (total > BLOCKLIST_BUDGET.listInstructions) {
      return `blocklist is too complex from pattern ${JSON.stringify(source)} on (${total} RE2 instructions in all, at most ${BLOCKLIST_BUDGET.listInstructions})`;
    }
  }
  return null;
}

// Every question and answer line is checked against its room's list: compile each list
// once (a few ms for a long one), least recently used out first.
const cache = new Map<string, BlocklistPattern[]>();
const CACHE_MAX = 64;

/**
 * Compiles a blocklist for matching. Never throws: a source that cannot be used (stored
 * before patterns were checked) is matched as literal text, and the list's budget is kept
 * by matching whatever exceeds it literally too — a room saved long ago still refuses
 * what its operator meant, and can never slow a check down.
 */
export function compileBlocklist(sources: readonly string[]): BlocklistPattern[] {
  const key = JSON.stringify(sources);
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  let total = 0;
  const patterns = sources.map((source): BlocklistPattern => {
    const compiled = compileSource(source);
    if (compiled.ok && total + compiled.re.programSize() <= BLOCKLIST_BUDGET.listInstructions) {
      total += compiled.re.programSize();
      const { re } = compiled;
      return { source, literal: false, test: (text) => re.test(text) };
    }
    const needle = source.toLowerCase();
    return { source, literal: true, test: (text) => text.toLowerCase().includes(needle) };
  });
  cache.set(key, patterns);
  if (cache.size > CACHE_MAX) cache.delete(cache.keys().next().value!);
  return patterns;
}

/** The first pattern that matches what would be spoken for `text`, or null. */
export function blocklistHit(patterns: readonly BlocklistPattern[], text: string): BlocklistPattern | null {
  if (patterns.length === 0) return null;
  const spoken = spokenText(text);
  return patterns.find((p) => p.test(spoken)) ?? null;
}

/** The first blocklist source that matches what would be spoken for `text`, or null. */
export function blocklistMatch(sources: readonly string[], text: string): string | null {
  return blocklistHit(compileBlocklist(sources), text)?.source ?? null;
}
