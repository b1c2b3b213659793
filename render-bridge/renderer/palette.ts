/**
 * Colours the pixel metrics depend on: the mouth's interior and teeth are drawn in these
 * exact colours so opening can be measured from pixels (see mouth-metrics.ts).
 */
export const MOUTH_INTERIOR = { r: 52, g: 12, b: 20 } as const;
export const TEETH = { r: 244, g: 242, b: 236 } as const;
export const TONGUE = '#c2545f';

export const rgb = (c: { r: number; g: number; b: number }): string => `rgb(${c.r},${c.g},${c.b})`;
