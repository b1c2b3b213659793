/**
 * The retrieval engine, shared by the qa workers (knowledge-base answers) and the
 * server's newsroom (grouping viewer questions): pure functions and classes over text,
 * no I/O besides reading the language resources that npm packages ship.
 */
export { Analyzer, cosine, RELATED_FACTOR, warmLanguageResources, type AnalyzerOptions, type Concept, type PreparedText } from './analyzer.js';
export { KbRetriever, type Fusion, type KbInput, type KbRetrieverOptions, type RetrievalHit } from './kb-retriever.js';
export { Lexicon } from './lexicon.js';
export {
  ANSWER_MODEL, answerConfidence, DEFAULT_MIN_CONFIDENCE, LEXICAL_MODEL, matchFeatures, matchProbability, SEMANTIC_MODEL,
  type AnswerModel, type ConfidenceModel, type MatchFeatures,
} from './scoring.js';
export { createSimilarity, DEFAULT_SIMILARITY_THRESHOLD, type Similarity, type SimilarityOptions } from './similarity.js';
export { stemLanguage, tokenize, type Token } from './tokenizer.js';
export { englishVectors, type WordVectors } from './word-vectors.js';
export { englishRelations, type WordRelations } from './wordnet.js';
