/**
 * The vocabulary of one room's knowledge base: how many entries hold each term (for
 * IDF weights), a surface word per term (for word vectors), and spelling tolerance —
 * the known terms a misspelt or differently inflected term may mean.
 */
export interface Alternative {
  term: string;
  /** How much a match through this alternative counts, 0..1. */
  factor: number;
}

/** A typo (one edit: insert, delete, substitute, swap neighbours) counts this much of a match. */
export const TYPO_FACTOR = 0.8;
/** Same first letters, different ending (deliv-ered / deliv-ery, zurück-geben / zurück-schicken). */
export const PREFIX_FACTOR = 0.6;
const PREFIX_MIN = 5;

/** Words that can carry a typo: Latin letters only, long enough that one edit is not a different word. */
export const fuzzyable = (term: string): boolean => term.length >= 4 && /^[a-z]+$/.test(term);

export interface LexiconOptions {
  /**
   * German: words are compounds (Rahmengröße = Rahmen + Größe) and past participles take
   * ge- (geliefert ↔ liefern); a known term ending in the query term, or one the query
   * term minus ge- shares a stem with, is an alternative too.
   */
  compounds?: boolean;
}

const COMPOUND_MIN = 4;

export class Lexicon {
  private readonly df = new Map<string, number>();
  private readonly surfaces = new Map<string, string>();
  /** Every known term with one letter deleted → the terms it came from (SymSpell, distance 1). */
  private readonly deletes = new Map<string, string[]>();
  private readonly prefixes = new Map<string, string[]>();
  private readonly alternativesCache = new Map<string, Alternative[]>();
  private documents = 0;
  private readonly compounds: boolean;

  constructor(options: LexiconOptions = {}) {
    this.compounds = options.compounds ?? false;
  }

  /** Counts one document's distinct terms; `surfaces` maps a term to a word that produced it. */
  add(terms: Iterable<string>, surfaces: Iterable<[string, string | null]> = []): void {
    this.documents++;
    for (const term of new Set(terms)) {
      const seen = this.df.get(term);
      this.df.set(term, (seen ?? 0) + 1);
      if (seen === undefined) this.index(term);
    }
    for (const [term, surface] of surfaces) if (surface && !this.surfaces.has(term)) this.surfaces.set(term, surface);
    this.alternativesCache.clear();
  }

  get size(): number {
    return this.documents;
  }

  /** Whether words here are compounds (German): termMatch takes the same rule. */
  get compoundWords(): boolean {
    return this.compounds;
  }

  has(term: string): boolean {
    return this.df.has(term);
  }

  /** BM25's IDF; a term no document holds weighs the most (it is what the KB does not cover). */
  idf(term: string): number {
    const df = this.df.get(term) ?? 0;
    return Math.log(1 + (this.documents - df + 0.5) / (df + 0.5));
  }

  surface(term: string): string | undefined {
    return this.surfaces.get(term);
  }

  /**
   * Known terms an unknown query term may stand for; none for a known term. `typos`:
   * false for a common dictionary word, which is not a misspelling of another.
   */
  alternatives(term: string, typos = true): Alternative[] {
    if (this.df.has(term) || !fuzzyable(term)) return [];
    const key = typos ? term : `${term}\u0000`;
    let found = this.alternativesCache.get(key);
    if (found) return found;
    const best = new Map<string, number>();
    const offer = (t: string, factor: number): void => {
      if (t !== term && (best.get(t) ?? 0) < factor) best.set(t, factor);
    };
    for (const variant of typos ? [term, ...deletions(term)] : []) {
      if (this.df.has(variant) && variant !== term) offer(variant, TYPO_FACTOR);
      for (const t of this.deletes.get(variant) ?? []) if (osaWithinOne(term, t)) offer(t, TYPO_FACTOR);
    }
    for (const t of this.prefixes.get(term.slice(0, PREFIX_MIN)) ?? []) if (sharesStem(term, t)) offer(t, PREFIX_FACTOR);
    if (this.compounds) {
      const bare = term.startsWith('ge') && term.length >= 6 ? term.slice(2) : null;
      for (const t of bare ? this.prefixes.get(bare.slice(0, PREFIX_MIN)) ?? [] : []) if (sharesStem(bare!, t)) offer(t, PREFIX_FACTOR);
      if (term.length >= COMPOUND_MIN) for (const t of this.df.keys()) if (t.length > term.length && t.endsWith(term)) offer(t, PREFIX_FACTOR);
    }
    found = [...best].map(([t, factor]) => ({ term: t, factor }));
    this.alternativesCache.set(key, found);
    return found;
  }

  private index(term: string): void {
    if (!fuzzyable(term)) return;
    for (const d of deletions(term)) push(this.deletes, d, term);
    if (term.length >= PREFIX_MIN) push(this.prefixes, term.slice(0, PREFIX_MIN), term);
  }
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (!list) map.set(key, [value]);
  else if (!list.includes(value)) list.push(value);
}

function deletions(term: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < term.length; i++) out.push(term.slice(0, i) + term.slice(i + 1));
  return out;
}

/** Two stems that share their first letters and most of the shorter one. */
export function sharesStem(a: string, b: string): boolean {
  const n = Math.min(a.length, b.length);
  let common = 0;
  while (common < n && a[common] === b[common]) common++;
  return common >= PREFIX_MIN && common >= 0.6 * n;
}

/** Optimal string alignment distance ≤ 1 (one insert, delete, substitution or adjacent swap). */
export function osaWithinOne(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a[i] === b[i]) i++;
  if (la === lb) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true; // substitution
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2); // swap
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/** How a query term matches a target term directly: 1, a typo, a shared stem, or 0. */
export function termMatch(a: string, b: string, compounds = false, typos = true): number {
  if (a === b) return 1;
  if (!fuzzyable(a) || !fuzzyable(b)) return 0;
  if (typos && osaWithinOne(a, b)) return TYPO_FACTOR;
  if (sharesStem(a, b)) return PREFIX_FACTOR;
  if (!compounds) return 0;
  const bare = a.startsWith('ge') && a.length >= 6 ? a.slice(2) : a;
  return sharesStem(bare, b) || (a.length >= COMPOUND_MIN && b.length > a.length && b.endsWith(a)) ? PREFIX_FACTOR : 0;
}
