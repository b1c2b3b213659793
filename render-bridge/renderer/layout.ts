import type { Action, AvatarLookState } from './types.js';

/** A pixel rectangle inside the frame. */
export interface Box { x: number; y: number; width: number; height: number }

/** A box of no pixels: nothing changed. */
export const NO_CHANGE: Box = Object.freeze({ x: 0, y: 0, width: 0, height: 0 });

/** The smallest box holding both (an empty box adds nothing). */
export function unionBox(a: Box, b: Box): Box {
  if (a.width <= 0 || a.height <= 0) return b;
  if (b.width <= 0 || b.height <= 0) return a;
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}

/**
 * Where the avatar sits for a camera: the head centre in pixels, pixels per head unit
 * (the head is about 216 units from crown to chin) and how far it is turned (0 front,
 * 1 three-quarter towards the panel side).
 */
export interface AvatarPlacement { x: number; y: number; unit: number; turn: number }

/** Design height: all sizes are authored for 720p and scaled by height/720. */
export const DESIGN_HEIGHT = 720;

/** Mouth centre in head units before the three-quarter shift. */
export const MOUTH_Y = 56;
export const EYE_Y = -6;
export const EYE_SPACING = 34;
/** How far facial features slide sideways at a full three-quarter turn, head units. */
export const FEATURE_SHIFT = 22;

/** The most the head moves from idle sway, nods and breathing, head units; boxes add it. */
const MOTION_MARGIN_X = 8;
const MOTION_MARGIN_Y = 10;

export function avatarPlacement(camera: AvatarLookState['camera'], width: number, height: number): AvatarPlacement {
  const s = height / DESIGN_HEIGHT;
  // Front: centred medium shot. Side: three-quarter, offset left (facing the panel)
  // and pushed in, as a second camera on the same set would be.
  return camera === 'front'
    ? { x: width * 0.5, y: height * 0.31, unit: s, turn: 0 }
    : { x: width * 0.37, y: height * 0.32, unit: s * 1.08, turn: 1 };
}

function localBox(look: AvatarLookState, width: number, height: number, x0: number, y0: number, x1: number, y1: number): Box {
  const p = avatarPlacement(look.camera, width, height);
  const left = Math.max(0, Math.floor(p.x + x0 * p.unit));
  const top = Math.max(0, Math.floor(p.y + y0 * p.unit));
  const right = Math.min(width, Math.ceil(p.x + x1 * p.unit));
  const bottom = Math.min(height, Math.ceil(p.y + y1 * p.unit));
  return { x: left, y: top, width: Math.max(0, right - left), height: Math.max(0, bottom - top) };
}

/**
 * The pixel box that holds the mouth for a look at a frame size, whatever the idle
 * motion: the A/V sync benchmark and tests measure mouth opening inside it.
 */
export function mouthRegion(look: AvatarLookState, width: number, height: number): Box {
  const p = avatarPlacement(look.camera, width, height);
  const cx = FEATURE_SHIFT * p.turn;
  return localBox(look, width, height, cx - 40 - MOTION_MARGIN_X, MOUTH_Y - 18 - MOTION_MARGIN_Y,
    cx + 40 + MOTION_MARGIN_X, MOUTH_Y + 36 + MOTION_MARGIN_Y);
}

/**
 * How far the avatar reaches for each action, in head units around the head centre,
 * over every character, both turns and the whole motion cycle (measured by drawing
 * them all), plus a margin for anti-aliasing. It always reaches the bottom of the frame.
 */
const AVATAR_REACH: Readonly<Record<Action, { left: number; right: number; top: number }>> = {
  Idle: { left: -188, right: 189, top: -196 },
  Talk1: { left: -188, right: 255, top: -196 },
  Talk2: { left: -188, right: 384, top: -196 },
  Talk3: { left: -250, right: 189, top: -196 },
  Talk4: { left: -265, right: 264, top: -196 },
};

/** The pixel box the avatar can touch while doing `action`: what is redrawn each frame. */
export function avatarRegion(look: AvatarLookState, action: Action, width: number, height: number): Box {
  const r = AVATAR_REACH[action];
  return localBox(look, width, height, r.left, r.top, r.right, Number.POSITIVE_INFINITY);
}

/** The pixel box around both eyes (with motion margin). */
export function eyeRegion(look: AvatarLookState, width: number, height: number): Box {
  const p = avatarPlacement(look.camera, width, height);
  const cx = FEATURE_SHIFT * p.turn;
  return localBox(look, width, height, cx - EYE_SPACING - 24 - MOTION_MARGIN_X, EYE_Y - 16 - MOTION_MARGIN_Y,
    cx + EYE_SPACING + 24 + MOTION_MARGIN_X, EYE_Y + 16 + MOTION_MARGIN_Y);
}

/** The product/slide card, right of the avatar for both cameras. */
export function panelRect(width: number, height: number): Box {
  return { x: Math.round(width * 0.685), y: Math.round(height * 0.1), width: Math.round(width * 0.28), height: Math.round(height * 0.6) };
}

/** The band the lower-third caption may occupy (its box is sized to the text inside it). */
export function captionArea(width: number, height: number): Box {
  return { x: Math.round(width * 0.08), y: Math.round(height * 0.76), width: Math.round(width * 0.84), height: Math.round(height * 0.2) };
}
