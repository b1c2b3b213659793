import { tokenize, type StemLanguage, type Token } from './tokenizer.js';

/** A synonym group found in a text: tokens [start, end) say one of the group's phrases. */
export interface SynonymSpan {
  start: number;
  end: number;
  group: number;
}

/** The index term a group adds wherever one of its phrases occurs (no real word looks like it). */
export const groupTerm = (group: number): string => `\u0001syn${group}`;

/**
 * A room's synonym list (`[["shipping", "delivery"], ["ANC", "active noise
 * cancellation"]]`) compiled to stemmed phrases. Matching works on stems, so
 * "delivered" finds the group of "deliver", and the longest phrase wins.
 */
export class SynonymMatcher {
  /** Phrases by their first term, longest first. */
  private readonly byFirst = new Map<string, Array<{ terms: string[]; group: number }>>();
  readonly groups: ReadonlyArray<readonly string[]>;

  constructor(groups: ReadonlyArray<readonly string[]>, language: StemLanguage) {
    this.groups = groups;
    groups.forEach((members, group) => {
      for (const member of members) {
        const terms = tokenize(member, language).map((t) => t.term);
        if (terms.length === 0) continue;
        const list = this.byFirst.get(terms[0]!) ?? [];
        list.push({ terms, group });
        list.sort((a, b) => b.terms.length - a.terms.length);
        this.byFirst.set(terms[0]!, list);
      }
    });
  }

  get size(): number {
    return this.groups.length;
  }

  find(tokens: readonly Token[]): SynonymSpan[] {
    const spans: SynonymSpan[] = [];
    if (this.byFirst.size === 0) return spans;
    for (let i = 0; i < tokens.length;) {
      const phrase = this.byFirst.get(tokens[i]!.term)?.find((p) => p.terms.every((t, k) => tokens[i + k]?.term === t));
      if (phrase) {
        spans.push({ start: i, end: i + phrase.terms.length, group: phrase.group });
        i += phrase.terms.length;
      } else i++;
    }
    return spans;
  }
}
