/**
 * The canonical viseme set: the 15 Oculus/OVR visemes, the set Unreal, Unity,
 * Ready Player Me and TalkingHead consume. Every voice provider maps its own
 * phoneme or viseme symbols onto this set so renderers only ever see these.
 */
export const VISEMES = ['sil', 'PP', 'FF', 'TH', 'DD', 'kk', 'CH', 'SS', 'nn', 'RR', 'aa', 'E', 'ih', 'oh', 'ou'] as const;
export type Viseme = (typeof VISEMES)[number];

export function isViseme(value: string): value is Viseme {
  return (VISEMES as readonly string[]).includes(value);
}

/** ARPAbet (CMU dict, flite's `us_english` phone set), stress digits stripped, lowercase. */
export const ARPABET_TO_VISEME: Readonly<Record<string, Viseme>> = {
  pau: 'sil', sil: 'sil', h$: 'sil',
  p: 'PP', b: 'PP', m: 'PP',
  f: 'FF', v: 'FF',
  th: 'TH', dh: 'TH',
  t: 'DD', d: 'DD', dx: 'DD',
  k: 'kk', g: 'kk', ng: 'kk', hh: 'kk',
  ch: 'CH', jh: 'CH', sh: 'CH', zh: 'CH',
  s: 'SS', z: 'SS',
  n: 'nn', l: 'nn', el: 'nn', en: 'nn', em: 'PP',
  r: 'RR', er: 'RR', axr: 'RR',
  aa: 'aa', ae: 'aa', ah: 'aa', ay: 'aa', aw: 'aa',
  eh: 'E', ey: 'E',
  ih: 'ih', iy: 'ih', ix: 'ih', y: 'ih', ax: 'aa',
  ao: 'oh', ow: 'oh', oy: 'oh',
  uh: 'ou', uw: 'ou', w: 'ou',
};

/**
 * Amazon Polly viseme symbols (docs: "Viseme Tables for Supported Languages").
 * Polly's set is a superset-ish of OVR with different names.
 */
export const POLLY_TO_VISEME: Readonly<Record<string, Viseme>> = {
  sil: 'sil', p: 'PP', t: 'DD', S: 'CH', T: 'TH', f: 'FF', k: 'kk', i: 'ih',
  r: 'RR', s: 'SS', u: 'ou', '@': 'aa', a: 'aa', e: 'E', E: 'E', o: 'oh', O: 'oh',
};

/**
 * IPA segments as espeak-ng prints them with `--ipa`, longest symbols first when
 * matching. Length marks, stress and tone marks are stripped before lookup.
 */
export const IPA_TO_VISEME: Readonly<Record<string, Viseme>> = {
  p: 'PP', b: 'PP', m: 'PP', ɸ: 'PP', β: 'FF',
  f: 'FF', v: 'FF', ʋ: 'FF',
  θ: 'TH', ð: 'TH',
  t: 'DD', d: 'DD', ɾ: 'DD', ʈ: 'DD', ɖ: 'DD',
  k: 'kk', g: 'kk', ɡ: 'kk', ŋ: 'kk', x: 'kk', ɣ: 'kk', h: 'kk', q: 'kk', χ: 'kk', ʁ: 'RR',
  tʃ: 'CH', dʒ: 'CH', ʃ: 'CH', ʒ: 'CH', tɕ: 'CH', dʑ: 'CH', ɕ: 'CH', ʑ: 'CH', ʂ: 'CH', ʐ: 'CH', tʂ: 'CH', ts: 'SS', dz: 'SS', c: 'kk', ç: 'CH', j: 'ih',
  s: 'SS', z: 'SS',
  n: 'nn', l: 'nn', ɲ: 'nn', ɳ: 'nn', ɭ: 'nn', ʎ: 'nn',
  r: 'RR', ɹ: 'RR', ɻ: 'RR', ʀ: 'RR', ɚ: 'RR', ɝ: 'RR',
  a: 'aa', ɑ: 'aa', æ: 'aa', ɐ: 'aa', ʌ: 'aa', ə: 'aa', ɜ: 'E', ɛ: 'E', e: 'E', ɤ: 'E',
  i: 'ih', ɪ: 'ih', y: 'ou', ʏ: 'ih', ɨ: 'ih', ʉ: 'ou',
  o: 'oh', ɔ: 'oh', ɒ: 'oh', ø: 'oh', œ: 'oh',
  u: 'ou', ʊ: 'ou', ɯ: 'ou', w: 'ou', ɥ: 'ou',
};

/** Renderers use this to open the mouth: 0 closed, 1 fully open. */
export const VISEME_OPENNESS: Readonly<Record<Viseme, number>> = {
  sil: 0, PP: 0, FF: 0.15, TH: 0.25, DD: 0.3, kk: 0.35, CH: 0.3, SS: 0.2,
  nn: 0.25, RR: 0.35, aa: 1, E: 0.7, ih: 0.5, oh: 0.8, ou: 0.45,
};
