import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KbInput } from '../kb-retriever.js';

/** One labelled question: the entry that answers it ("qa:3", "fact:0"), or null when the KB does not. */
export interface EvalQuestion {
  q: string;
  expect: string | null;
  tag: 'direct' | 'paraphrase' | 'typo' | 'slang' | 'acronym' | 'outside';
}

export interface EvalSet {
  name: string;
  kind: string;
  language: string;
  kb: KbInput;
  questions: EvalQuestion[];
}

export interface ParaphraseSet {
  language: string;
  groups: Array<{ id: string; paraphrases: string[] }>;
  unrelated: string[];
  synonyms?: string[][];
}

const here = dirname(fileURLToPath(import.meta.url));

export function loadEvalSets(): EvalSet[] {
  const dir = join(here, 'sets');
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as EvalSet);
}

export function loadParaphrases(): ParaphraseSet[] {
  return (JSON.parse(readFileSync(join(here, 'paraphrases.json'), 'utf8')) as { sets: ParaphraseSet[] }).sets;
}

/**
 * The calibration half: every other question of each set (by position). The confidence
 * model is fitted on it; the other half only measures, so the figures on it are not
 * the model remembering its training questions.
 */
export const isCalibration = (position: number): boolean => position % 2 === 0;

export const hitId = (hit: { kind: 'qa' | 'fact'; index: number } | null | undefined): string | null =>
  hit ? `${hit.kind}:${hit.index}` : null;
