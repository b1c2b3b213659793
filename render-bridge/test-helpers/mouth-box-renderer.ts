import { VISEME_OPENNESS } from '../../protocol/index.js';
import type { FrameState, Renderer } from '../renderer/frame-state.js';

/** The mouth box: a centred rectangle a quarter of the frame wide and an eighth high. */
export function mouthBox(width: number, height: number) {
  const w = Math.floor(width / 4);
  const h = Math.floor(height / 8);
  return { x: Math.floor((width - w) / 2), y: Math.floor(height * 0.6), w, h };
}

/**
 * A stand-in renderer for tests and benches: grey frame, mouth box filled with a
 * brightness equal to mouth openness, so pixels can be read back as openness.
 */
export function createMouthBoxRenderer(): Renderer {
  return {
    name: 'mouth-box',
    render(state: FrameState): Buffer {
      const { width, height, mouth } = state;
      const buf = Buffer.alloc(width * height * 4, 64);
      const a = VISEME_OPENNESS[mouth.from];
      const open = a + (VISEME_OPENNESS[mouth.to] - a) * mouth.weight;
      const v = Math.round(open * 255);
      const box = mouthBox(width, height);
      for (let y = box.y; y < box.y + box.h; y++) {
        buf.fill(v, (y * width + box.x) * 4, (y * width + box.x + box.w) * 4);
      }
      return buf;
    },
    close() {},
  };
}
