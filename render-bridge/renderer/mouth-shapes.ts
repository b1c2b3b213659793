import type { Viseme } from './types.js';

/**
 * A mouth pose as shape parameters, so two visemes blend smoothly: every field is
 * interpolated linearly between the `from` and `to` viseme by the frame's weight.
 */
export interface MouthShape {
  /** Jaw/lip opening, 0 closed … 1 wide open ("aa"). */
  open: number;
  /** Lip spread, 1 neutral; > 1 wide (E, SS), < 1 narrow (ou). */
  width: number;
  /** Lip rounding / protrusion, 0 … 1 (ou, oh). */
  round: number;
  upperTeeth: number;
  lowerTeeth: number;
  tongue: number;
  /** Lips pressed together (PP: p, b, m). */
  press: number;
}

/** One pose per OVR viseme; values follow the usual OVR/Ready Player Me reference art. */
export const VISEME_MOUTH_SHAPES: Readonly<Record<Viseme, MouthShape>> = {
  sil: { open: 0, width: 1, round: 0, upperTeeth: 0, lowerTeeth: 0, tongue: 0, press: 0 },
  PP: { open: 0, width: 0.94, round: 0.1, upperTeeth: 0, lowerTeeth: 0, tongue: 0, press: 1 },
  FF: { open: 0.14, width: 1.02, round: 0, upperTeeth: 1, lowerTeeth: 0, tongue: 0, press: 0.3 },
  TH: { open: 0.24, width: 1, round: 0, upperTeeth: 0.8, lowerTeeth: 0.3, tongue: 1, press: 0 },
  DD: { open: 0.3, width: 1.05, round: 0, upperTeeth: 0.7, lowerTeeth: 0.5, tongue: 0.4, press: 0 },
  kk: { open: 0.36, width: 1.02, round: 0, upperTeeth: 0.6, lowerTeeth: 0.4, tongue: 0.25, press: 0 },
  CH: { open: 0.28, width: 0.84, round: 0.5, upperTeeth: 0.9, lowerTeeth: 0.8, tongue: 0, press: 0 },
  SS: { open: 0.18, width: 1.13, round: 0, upperTeeth: 1, lowerTeeth: 1, tongue: 0, press: 0 },
  nn: { open: 0.25, width: 1.02, round: 0, upperTeeth: 0.5, lowerTeeth: 0.3, tongue: 0.55, press: 0 },
  RR: { open: 0.32, width: 0.86, round: 0.45, upperTeeth: 0.5, lowerTeeth: 0.2, tongue: 0.2, press: 0 },
  aa: { open: 1, width: 1.05, round: 0, upperTeeth: 0.6, lowerTeeth: 0.25, tongue: 0.4, press: 0 },
  E: { open: 0.62, width: 1.15, round: 0, upperTeeth: 0.85, lowerTeeth: 0.45, tongue: 0.25, press: 0 },
  ih: { open: 0.45, width: 1.12, round: 0, upperTeeth: 0.8, lowerTeeth: 0.5, tongue: 0.1, press: 0 },
  oh: { open: 0.75, width: 0.76, round: 0.8, upperTeeth: 0.3, lowerTeeth: 0, tongue: 0.25, press: 0 },
  ou: { open: 0.42, width: 0.64, round: 1, upperTeeth: 0, lowerTeeth: 0, tongue: 0, press: 0 },
};

const clamp01 = (x: number): number => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);

/** The mouth between two visemes: weight 0 is `from`, 1 is `to`. */
export function mouthShapeAt(mouth: { from: Viseme; to: Viseme; weight: number }): MouthShape {
  const a = VISEME_MOUTH_SHAPES[mouth.from];
  const b = VISEME_MOUTH_SHAPES[mouth.to];
  const w = clamp01(mouth.weight);
  const mix = (x: number, y: number): number => x + (y - x) * w;
  return {
    open: mix(a.open, b.open),
    width: mix(a.width, b.width),
    round: mix(a.round, b.round),
    upperTeeth: mix(a.upperTeeth, b.upperTeeth),
    lowerTeeth: mix(a.lowerTeeth, b.lowerTeeth),
    tongue: mix(a.tongue, b.tongue),
    press: mix(a.press, b.press),
  };
}
