import { createCanvas, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import type { CharacterStyle } from './characters.js';
import { drawBody } from './draw-body.js';
import { JAW_DROP, drawFaceBase } from './draw-head.js';
import type { Pose } from './pose.js';

/** A part of the avatar painted once into a bitmap at the frame's pixel scale. */
interface Sprite {
  canvas: Canvas;
  /** Where the bitmap sits in head units (the part's own origin at 0,0). */
  left: number;
  top: number;
  width: number;
  height: number;
}

/** A part's extent in head units, measured over every character and both turns, plus a margin. */
interface Extent { left: number; top: number; right: number; bottom: number }

const FACE_BASE: Extent = { left: -112, top: -116, right: 112, bottom: 126 };
/** Down to below the frame's bottom edge for both cameras (the torso runs on out of shot). */
const BODY: Extent = { left: -192, top: 40, right: 192, bottom: 520 };

/** Jaw openings are painted in steps this fine (head units; 720p: half a pixel). */
const JAW_STEP = 0.5;

const REST: Pose = { breath: 0, headX: 0, headY: 0, headRot: 0, lookX: 0, browLift: 0, arms: [] };

function paint(unit: number, e: Extent, draw: (ctx: SKRSContext2D) => void): Sprite {
  const w = Math.ceil((e.right - e.left) * unit);
  const h = Math.ceil((e.bottom - e.top) * unit);
  const canvas = createCanvas(w, h);
  const ctx = canvas.getContext('2d');
  ctx.scale(unit, unit);
  ctx.translate(-e.left, -e.top);
  draw(ctx);
  return { canvas, left: e.left, top: e.top, width: w / unit, height: h / unit };
}

/**
 * The avatar's costly rigid layers for one character and camera — the body at rest and
 * the face (one per jaw step), each many gradients and clips — painted once as vector
 * art at the frame's scale and then blitted with each frame's breathing and head
 * transform. What changes shape (eyes, brows, mouth, raised arms) stays vector, and so
 * do the hair layers: one gradient fill each, cheaper to draw than to blit (measured).
 */
export class AvatarSprites {
  readonly body: Sprite;
  private readonly faces = new Map<number, Sprite>();

  constructor(private readonly style: CharacterStyle, private readonly turn: number, private readonly unit: number) {
    this.body = paint(unit, BODY, (ctx) => drawBody(ctx, style, REST, turn));
  }

  /** The face with the jaw dropped for a mouth opening of `open` (0 … 1). */
  face(open: number): Sprite {
    const step = Math.round((JAW_DROP * Math.min(1, Math.max(0, open))) / JAW_STEP);
    let sprite = this.faces.get(step);
    if (!sprite) {
      sprite = paint(this.unit, FACE_BASE, (ctx) => drawFaceBase(ctx, this.style, step * JAW_STEP, this.turn));
      this.faces.set(step, sprite);
    }
    return sprite;
  }
}

/** Blits a sprite at the current transform (head units). */
export function drawSprite(ctx: SKRSContext2D, s: Sprite): void {
  ctx.drawImage(s.canvas, s.left, s.top, s.width, s.height);
}
