import type { Box } from './layout.js';

/**
 * The part of a frame that differs from the frame before it: `rgba` holds the pixels of
 * `box`, rows of box.width·4 bytes. Boxes lie on even coordinates, the encoder's 2×2
 * chroma grid, so a patch converts to I420 on its own. An empty box: nothing changed.
 */
export interface FramePatch {
  box: Box;
  rgba: Buffer;
}

/** `box` widened to even coordinates and clipped to a width×height frame (both even). */
export function evenBox(box: Box, width: number, height: number): Box {
  const x = Math.max(0, Math.floor(box.x) & ~1);
  const y = Math.max(0, Math.floor(box.y) & ~1);
  const right = Math.min(width, (Math.ceil(box.x + box.width) + 1) & ~1);
  const bottom = Math.min(height, (Math.ceil(box.y + box.height) + 1) & ~1);
  return right > x && bottom > y ? { x, y, width: right - x, height: bottom - y } : { x: 0, y: 0, width: 0, height: 0 };
}

/** Copies a patch into a full RGBA frame of the given width. */
export function applyPatch(frame: Uint8Array, width: number, patch: FramePatch): void {
  const { box, rgba } = patch;
  const row = box.width * 4;
  for (let y = 0; y < box.height; y++) frame.set(rgba.subarray(y * row, (y + 1) * row), ((box.y + y) * width + box.x) * 4);
}
