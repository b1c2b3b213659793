/**
 * Run by offline.test.ts in a child process whose network calls all throw: builds the
 * English engine (compiling a small vector set from the npm package, not the cache) and
 * answers one question, then prints where its language resources came from.
 */
import { KbRetriever } from './kb-retriever.js';
import { loadWinkVectors } from './word-vectors.js';
import { englishRelations } from './wordnet.js';

const vectors = loadWinkVectors(Number(process.argv[2] ?? 2000));
const retriever = new KbRetriever({ qa: [{ question: 'What is the warranty?', answer: 'Two years.' }], facts: [] }, { language: 'en-US', vectors });
const [hit] = retriever.search('how long is the guarantee', 1);
process.stdout.write(JSON.stringify({ vectors: vectors.source, words: vectors.size, wordnet: englishRelations().source, answer: hit?.answer ?? null }));
