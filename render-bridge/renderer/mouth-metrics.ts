import type { Box } from './layout.js';
import { MOUTH_INTERIOR, TEETH } from './palette.js';

/** Per-channel distance (sum of absolute differences) that still counts as a match. */
const TOLERANCE = 48;

/**
 * How open the mouth is in a rendered RGBA frame: the number of pixels inside `box`
 * that show the mouth's interior or teeth. It is 0 for a closed mouth and grows with
 * the opening, so an A/V benchmark can find mouth movement from pixels alone.
 */
export function mouthOpenPixels(frame: Uint8Array, width: number, box: Box): number {
  let count = 0;
  for (let y = box.y; y < box.y + box.height; y++) {
    let i = (y * width + box.x) * 4;
    for (let x = 0; x < box.width; x++, i += 4) {
      const r = frame[i] ?? 0;
      const g = frame[i + 1] ?? 0;
      const b = frame[i + 2] ?? 0;
      const dInterior = Math.abs(r - MOUTH_INTERIOR.r) + Math.abs(g - MOUTH_INTERIOR.g) + Math.abs(b - MOUTH_INTERIOR.b);
      const dTeeth = Math.abs(r - TEETH.r) + Math.abs(g - TEETH.g) + Math.abs(b - TEETH.b);
      if (dInterior <= TOLERANCE || dTeeth <= TOLERANCE) count++;
    }
  }
  return count;
}
