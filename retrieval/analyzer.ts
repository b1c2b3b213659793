import type { Lexicon } from './lexicon.js';
import { groupTerm, SynonymMatcher } from './synonyms.js';
import { stemLanguage, tokenize, type StemLanguage, type Token } from './tokenizer.js';
import { englishVectors, type WordVectors } from './word-vectors.js';
import { englishRelations, type WordRelations } from './wordnet.js';

/** One thing a text asks about: a word, or a synonym phrase that any member of its group matches. */
export interface Concept {
  terms: string[];
  /** Per term, the stems of related words (WordNet synonyms, derived forms, antonyms): matches at RELATED_FACTOR. */
  related: string[][];
  /**
   * Per term, whether its word is a common dictionary word: "fast" is not a typo of
   * "last". Typo matching is for the others (English rooms; elsewhere all are false).
   */
  common: boolean[];
  /** The group's index term when the concept is a synonym phrase. */
  group: string | null;
}

/** A text made ready for matching, once: its concepts, its index terms and its sentence vector. */
export interface PreparedText {
  concepts: Concept[];
  /** Index terms with repeats (term frequency), synonym group terms included. */
  terms: string[];
  /** Unit sentence vector, or null where the language has no word vectors or no known word. */
  vector: Float32Array | null;
  /** term → the word it came from, where the word has a vector (for word-level similarity). */
  words: Map<string, string>;
}

export interface AnalyzerOptions {
  /** The room's language (BCP 47: en-US, zh-CN, fr-FR, de-DE …). */
  language: string;
  /** Groups of equivalent terms or phrases, from the room's knowledge base. */
  synonyms?: ReadonlyArray<readonly string[]>;
  /** Word vectors; default: the English vectors for English rooms, none for others. */
  vectors?: WordVectors | null;
  /** Word relations; default: WordNet for English rooms, none for others. */
  relations?: WordRelations | null;
}

/**
 * Loads the language resources an analyzer for `language` uses (English: word vectors and
 * WordNet; ~0.1–0.4 s once per process from the cache, a few seconds on a machine's very
 * first start). Call it at startup so that no question waits for it.
 */
export function warmLanguageResources(language: string): void {
  if (!language.toLowerCase().startsWith('en')) return;
  englishVectors();
  englishRelations();
}

/** A match through a related word (WordNet) counts this much. */
export const RELATED_FACTOR = 0.7;

/**
 * Turns text into what the scorer compares: tokens for the room's language, synonym
 * groups, and (English) a smooth-inverse-frequency average of word vectors — the SIF
 * sentence embedding of Arora et al., a strong baseline for short texts.
 */
export class Analyzer {
  readonly language: string;
  readonly stemmer: StemLanguage;
  readonly synonyms: SynonymMatcher;
  readonly vectors: WordVectors | null;
  readonly relations: WordRelations | null;
  private readonly groupVectors: Array<Float32Array | null>;

  constructor(options: AnalyzerOptions) {
    this.language = options.language;
    this.stemmer = stemLanguage(options.language);
    this.synonyms = new SynonymMatcher(options.synonyms ?? [], this.stemmer);
    const english = options.language.toLowerCase().startsWith('en');
    this.vectors = options.vectors !== undefined ? options.vectors : english ? englishVectors() : null;
    this.relations = options.relations !== undefined ? options.relations : english ? englishRelations() : null;
    // A group's vector is the mean of its phrases' vectors: "ANC" then also means what
    // "active noise cancellation" means, whatever the corpus thought "anc" was.
    this.groupVectors = this.synonyms.groups.map((members) => {
      if (!this.vectors) return null;
      const sum = new Float32Array(this.vectors.dimensions);
      let any = false;
      for (const member of members) {
        const v = this.embed(tokenize(member, this.stemmer), undefined);
        if (v) {
          for (let d = 0; d < sum.length; d++) sum[d]! += v[d]!;
          any = true;
        }
      }
      return any ? normalize(sum) : null;
    });
  }

  private readonly relatedCache = new Map<string, string[]>();

  /** Stems of the words related to a token's word (cached: a KB repeats its words). */
  private relatedTerms(t: Token): string[] {
    if (!this.relations || !t.surface) return [];
    let terms = this.relatedCache.get(t.surface);
    if (!terms) {
      const stems = new Set(this.relations.related(t.surface).flatMap((w) => this.tokens(w).map((k) => k.term)));
      stems.delete(t.term);
      terms = [...stems];
      if (this.relatedCache.size >= 50_000) this.relatedCache.clear();
      this.relatedCache.set(t.surface, terms);
    }
    return terms;
  }

  tokens(text: string): Token[] {
    return tokenize(text, this.stemmer);
  }

  /**
   * `lexicon`: the vocabulary the text will be matched against; a misspelt word then
   * borrows the vector of the known word it most likely means.
   */
  prepare(text: string, lexicon?: Lexicon): PreparedText {
    const tokens = this.tokens(text);
    const spans = this.synonyms.find(tokens);
    const concepts: Concept[] = [];
    const terms = tokens.map((t) => t.term);
    const seen = new Set<string>();
    const related = (t: Token): string[] => this.relatedTerms(t);
    const common = (t: Token): boolean => Boolean(t.surface && this.vectors?.isCommon(t.surface));
    const addConcept = (c: Concept): void => {
      const key = c.group ?? c.terms[0]!;
      if (seen.has(key)) return;
      seen.add(key);
      concepts.push(c);
    };
    let next = 0;
    for (const span of spans) {
      for (; next < span.start; next++) addConcept({ terms: [tokens[next]!.term], related: [related(tokens[next]!)], common: [common(tokens[next]!)], group: null });
      const group = groupTerm(span.group);
      const phrase = tokens.slice(span.start, span.end);
      addConcept({ terms: phrase.map((t) => t.term), related: phrase.map(related), common: phrase.map(common), group });
      terms.push(group);
      next = span.end;
    }
    for (; next < tokens.length; next++) addConcept({ terms: [tokens[next]!.term], related: [related(tokens[next]!)], common: [common(tokens[next]!)], group: null });
    const words = new Map<string, string>();
    for (const t of tokens) if (t.surface && !words.has(t.term) && this.vectors?.has(t.surface)) words.set(t.term, t.surface);
    return { concepts, terms, vector: this.embed(tokens, lexicon, spans.map((s) => s.group)), words };
  }

  private embed(tokens: readonly Token[], lexicon: Lexicon | undefined, groups: readonly number[] = []): Float32Array | null {
    const vectors = this.vectors;
    if (!vectors) return null;
    const sum = new Float32Array(vectors.dimensions);
    let any = false;
    for (const token of tokens) {
      if (!token.surface) continue;
      if (vectors.addTo(token.surface, vectors.weight(token.surface), sum)) {
        any = true;
        continue;
      }
      const alternative = lexicon?.alternatives(token.term, !vectors.isCommon(token.surface))[0];
      const surface = alternative && lexicon?.surface(alternative.term);
      if (surface && vectors.addTo(surface, vectors.weight(surface) * alternative.factor, sum)) any = true;
    }
    for (const g of groups) {
      const v = this.groupVectors[g];
      if (!v) continue;
      for (let d = 0; d < sum.length; d++) sum[d]! += v[d]!;
      any = true;
    }
    if (!any) return null;
    // SIF's common-component removal: what is left is what this text says.
    const c = vectors.common;
    let shared = 0;
    for (let d = 0; d < sum.length; d++) shared += sum[d]! * c[d]!;
    for (let d = 0; d < sum.length; d++) sum[d]! -= shared * c[d]!;
    return normalize(sum);
  }
}

function normalize(v: Float32Array): Float32Array | null {
  let n = 0;
  for (let d = 0; d < v.length; d++) n += v[d]! * v[d]!;
  if (n === 0) return null;
  const inv = 1 / Math.sqrt(n);
  for (let d = 0; d < v.length; d++) v[d]! *= inv;
  return v;
}

export function cosine(a: Float32Array | null, b: Float32Array | null): number {
  if (!a || !b) return 0;
  let dot = 0;
  for (let d = 0; d < a.length; d++) dot += a[d]! * b[d]!;
  return dot;
}
