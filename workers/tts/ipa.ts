import { IPA_TO_VISEME, type Language, type Viseme } from '../../protocol/index.js';

const KEYS_BY_LENGTH = Object.keys(IPA_TO_VISEME).sort((a, b) => b.length - a.length);
const MAX_KEY = KEYS_BY_LENGTH[0]?.length ?? 1;
// Stress, length, tone letters and digits, syllable dots, espeak's liaison hyphen, ties,
// and combining diacritics (nasal tilde, voiceless ring…) change no mouth shape.
const MARKS = /[ˈˌːˑ˥˦˧˨˩0-9.\-‿ʰʲʷˠˤ]|[\u0300-\u036f]/gu;
const VOWEL_VISEMES: ReadonlySet<Viseme> = new Set(['aa', 'E', 'ih', 'oh', 'ou']);

export interface PhoneUnit {
  viseme: Viseme;
  /** Relative length: vowels hold about twice as long as consonants. */
  weight: number;
}

/**
 * One espeak-ng IPA word → visemes, longest symbol first ("tʃ" before "t").
 * Mandarin output from espeak-ng marks tone 3 with "ɜ" and aspiration with a plain "h"
 * after the stop ("th", "tɕh"); neither is a mouth shape there, so both are dropped.
 */
export function ipaToUnits(ipaWord: string, language: Language): PhoneUnit[] {
  let s = ipaWord.normalize('NFD').replace(MARKS, '');
  if (language === 'zh-CN') s = s.replace(/ɜ/gu, '').replace(/([ptkɕʂsʈ])h/gu, '$1');
  const chars = Array.from(s);
  const units: PhoneUnit[] = [];
  for (let i = 0; i < chars.length;) {
    let matched = false;
    for (let len = Math.min(MAX_KEY, chars.length - i); len >= 1; len--) {
      const viseme = IPA_TO_VISEME[chars.slice(i, i + len).join('')];
      if (viseme) {
        units.push({ viseme, weight: VOWEL_VISEMES.has(viseme) ? 2 : 1 });
        i += len;
        matched = true;
        break;
      }
    }
    if (!matched) i++; // an unknown symbol moves no lips
  }
  return units;
}
