import { describe, expect, it } from 'vitest';
import { VISEMES } from '../../protocol/index.js';
import { VISEME_MOUTH_SHAPES, mouthShapeAt } from './mouth-shapes.js';

describe('mouth shapes', () => {
  it('has a shape for each of the 15 OVR visemes', () => {
    for (const v of VISEMES) expect(VISEME_MOUTH_SHAPES[v]).toBeDefined();
  });

  it('interpolates linearly between two visemes instead of stepping', () => {
    const at = (weight: number) => mouthShapeAt({ from: 'sil', to: 'aa', weight });
    expect(at(0)).toEqual(VISEME_MOUTH_SHAPES.sil);
    expect(at(1)).toEqual(VISEME_MOUTH_SHAPES.aa);
    expect(at(0.25).open).toBeCloseTo(0.25);
    expect(at(0.5).width).toBeCloseTo((VISEME_MOUTH_SHAPES.sil.width + VISEME_MOUTH_SHAPES.aa.width) / 2);
  });

  it('clamps weights outside 0..1 and treats NaN as 0', () => {
    expect(mouthShapeAt({ from: 'sil', to: 'ou', weight: 7 })).toEqual(VISEME_MOUTH_SHAPES.ou);
    expect(mouthShapeAt({ from: 'sil', to: 'ou', weight: Number.NaN })).toEqual(VISEME_MOUTH_SHAPES.sil);
  });
});
