import type { FramePatch } from './frame-patch.js';
import type { Action, AvatarLookState, Viseme } from './types.js';

/**
 * Everything a renderer needs to draw one frame. The bridge computes it from the media
 * clock and the playing segment's timeline; the renderer is a pure function of it, so
 * the same state always draws the same picture (and tests can assert on pixels).
 */
export interface FrameState {
  width: number;
  height: number;
  /** Media time of this frame, ms since the room's stream started. */
  timeMs: number;
  look: AvatarLookState;
  action: Action;
  /**
   * Mouth pose: the two visemes around this instant and the blend between them, so the
   * mouth is interpolated, not stepped. `weight` 0 → `from`, 1 → `to`.
   */
  mouth: { from: Viseme; to: Viseme; weight: number };
  /** 0 open eyes … 1 closed. */
  blink: number;
  /** True while a segment is playing (drives talking gestures). */
  speaking: boolean;
  /** Lower-third caption, or null. */
  caption: string | null;
  /** Product/slide panel: a decoded image (RGBA) or null. */
  panel: { title: string | null; image: { width: number; height: number; rgba: Uint8Array } | null; price?: string | null } | null;
}

/** A renderer turns a FrameState into raw RGBA pixels (width*height*4 bytes). */
export interface Renderer {
  readonly name: string;
  /** The whole frame. */
  render(state: FrameState): Buffer;
  /**
   * Draws the frame and returns only what differs from the one drawn before it (by
   * either method), so the encoder converts and copies no more than that. Renderers
   * that cannot tell leave it out and are handed on whole.
   */
  renderPatch?(state: FrameState): FramePatch;
  close(): void;
}
