/**
 * Run by offline.test.ts in a child process whose network calls all throw: loads the
 * sentence encoder (TF.js, its .wasm and the model's weights from node_modules) and
 * ranks one knowledge base with it, then prints where the model came from.
 */
import { embedEntries, KbRetriever, type KbInput } from './kb-retriever.js';
import { loadSentenceEncoder } from './sentence-encoder.js';

const kb: KbInput = { qa: [{ question: 'How long does shipping take?', answer: 'Three to five days.' }, { question: 'What is the warranty?', answer: 'Two years.' }], facts: [] };

async function main(): Promise<void> {
  const encoder = await loadSentenceEncoder();
  const retriever = new KbRetriever(kb, { language: 'en-US', sentences: await embedEntries(encoder, kb) });
  const question = 'how soon will i get it';
  const [vector] = await encoder.embed([question]);
  const [hit] = retriever.search(question, 1, vector!);
  process.stdout.write(JSON.stringify({ source: encoder.source, backend: encoder.backend, dimensions: vector!.length, answer: hit?.answer ?? null }));
}

void main();
