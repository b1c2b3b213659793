import type { SKRSContext2D } from '@napi-rs/canvas';
import type { CharacterStyle } from './characters.js';
import { drawMouth } from './draw-mouth.js';
import { drawHairBack, drawHairFront } from './draw-hair.js';
import { EYE_SPACING, EYE_Y, FEATURE_SHIFT, MOUTH_Y } from './layout.js';
import type { MouthShape } from './mouth-shapes.js';
import type { Pose } from './pose.js';

export interface HeadInput {
  style: CharacterStyle;
  pose: Pose;
  mouth: MouthShape;
  blink: number;
  /** 0 front … 1 three-quarter. */
  turn: number;
}

export const HEAD_TOP = -108;

/** The face outline; the jaw drops a little as the mouth opens. */
export function facePath(ctx: SKRSContext2D, style: CharacterStyle, jawDrop: number, turn = 0): void {
  // Turned three-quarter, the far cheek (+x) narrows towards the features and the chin
  // follows them, while the near side shows more of the head.
  const hwR = style.faceHalfWidth * (1 - 0.05 * turn);
  const hwL = style.faceHalfWidth * (1 + 0.04 * turn);
  const jwR = style.jawHalfWidth * (1 - 0.08 * turn) + 8 * turn;
  const jwL = style.jawHalfWidth * (1 - 0.1 * turn);
  const chinX = 12 * turn;
  const cw = style.chinHalfWidth;
  const chin = style.chinY + jawDrop;
  ctx.beginPath();
  ctx.moveTo(0, HEAD_TOP);
  ctx.bezierCurveTo(hwR * 0.6, HEAD_TOP, hwR, -84, hwR, -34);
  ctx.bezierCurveTo(hwR, 12, jwR + 14, 48 + jawDrop * 0.3, jwR, 70 + jawDrop * 0.5);
  ctx.bezierCurveTo(jwR - 14, 90 + jawDrop * 0.8, chinX + cw + 14, chin, chinX + cw, chin);
  ctx.lineTo(chinX - cw, chin);
  ctx.bezierCurveTo(chinX - cw - 14, chin, -jwL + 14, 90 + jawDrop * 0.8, -jwL, 70 + jawDrop * 0.5);
  ctx.bezierCurveTo(-jwL - 14, 48 + jawDrop * 0.3, -hwL, 12, -hwL, -34);
  ctx.bezierCurveTo(-hwL, -84, -hwL * 0.6, HEAD_TOP, 0, HEAD_TOP);
  ctx.closePath();
}

function drawEar(ctx: SKRSContext2D, style: CharacterStyle, x: number, side: number): void {
  ctx.fillStyle = style.skin;
  ctx.strokeStyle = style.skinShadow;
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.ellipse(x, 4, 12, 21, side * 0.12, 0, Math.PI * 2);
  ctx.fill();
  ctx.stroke();
  ctx.beginPath();
  ctx.ellipse(x + side * 2, 4, 6, 13, side * 0.12, 0, Math.PI * 2);
  ctx.stroke();
}

function drawEye(ctx: SKRSContext2D, style: CharacterStyle, x: number, side: number, sx: number, blink: number, lookX: number): void {
  ctx.save();
  ctx.translate(x, EYE_Y);
  ctx.scale(sx * 1.1, 1.1);
  const shape = (): void => {
    ctx.beginPath();
    ctx.moveTo(-15, 0);
    ctx.quadraticCurveTo(0, -14, 15, 0);
    ctx.quadraticCurveTo(0, 11, -15, 0);
    ctx.closePath();
  };
  // Socket shadow and lid crease give the eye depth.
  ctx.fillStyle = 'rgba(90,40,30,0.10)';
  ctx.beginPath();
  ctx.ellipse(0, -4, 21, 13, 0, 0, Math.PI * 2);
  ctx.fill();
  shape();
  ctx.fillStyle = '#f6f2ee';
  ctx.fill();
  ctx.save();
  shape();
  ctx.clip();
  const ix = lookX * 4.5;
  const iris = ctx.createRadialGradient(ix, -0.5, 1, ix, -0.5, 8.5);
  iris.addColorStop(0, style.iris);
  iris.addColorStop(1, '#1c120c');
  ctx.fillStyle = iris;
  ctx.beginPath();
  ctx.arc(ix, -0.5, 8.2, 0, Math.PI * 2);
  ctx.fill();
  ctx.fillStyle = '#0b0706';
  ctx.beginPath();
  ctx.arc(ix, -0.5, 3.8, 0, Math.PI * 2);
  ctx.fill();
  ctx.fillStyle = 'rgba(255,255,255,0.9)';
  ctx.beginPath();
  ctx.arc(ix - 2.6, -3.4, 1.9, 0, Math.PI * 2);
  ctx.fill();
  // The upper lid slides down over the eye as blink goes 0 → 1.
  const lid = -14 + 25 * blink;
  ctx.fillStyle = style.skin;
  ctx.beginPath();
  ctx.moveTo(-17, -16);
  ctx.lineTo(17, -16);
  ctx.lineTo(15, 0);
  ctx.quadraticCurveTo(0, lid, -15, 0);
  ctx.closePath();
  ctx.fill();
  ctx.restore();
  ctx.strokeStyle = '#24150f';
  ctx.lineWidth = 2.6;
  ctx.lineCap = 'round';
  ctx.beginPath();
  ctx.moveTo(-15.5, 0.5);
  ctx.quadraticCurveTo(0, lid, 15.5, 0.5);
  ctx.stroke();
  if (style.lashes) {
    // A few lashes flicking out at the outer corner.
    ctx.lineWidth = 1.8;
    for (const k of [0, 1, 2]) {
      const ex = side * (15 - k * 4);
      const ey = 0.5 + ((lid - 0.5) * (1 - Math.pow(ex / 15.5, 2))) / 2;
      ctx.beginPath();
      ctx.moveTo(ex, ey);
      ctx.lineTo(ex + side * (5 - k), ey - 4 + k * 0.5 + 3 * blink);
      ctx.stroke();
    }
  }
  ctx.strokeStyle = 'rgba(60,30,20,0.35)';
  ctx.lineWidth = 1.4;
  ctx.beginPath();
  ctx.moveTo(-14, -5);
  ctx.quadraticCurveTo(0, -19 + 6 * blink, 14, -5);
  ctx.stroke();
  ctx.restore();
}

function drawBrow(ctx: SKRSContext2D, style: CharacterStyle, x: number, side: number, sx: number, lift: number): void {
  ctx.save();
  ctx.translate(x, EYE_Y - 25 - lift);
  ctx.scale(sx * side, 1);
  ctx.strokeStyle = style.hairDark;
  ctx.lineCap = 'round';
  ctx.lineWidth = 5;
  ctx.beginPath();
  ctx.moveTo(-19, 3);
  ctx.quadraticCurveTo(2, -6, 19, 1);
  ctx.stroke();
  ctx.restore();
}

function drawNose(ctx: SKRSContext2D, style: CharacterStyle, nx: number, turn: number): void {
  ctx.strokeStyle = style.skinShadow;
  ctx.lineCap = 'round';
  ctx.lineWidth = 2.2;
  ctx.beginPath();
  ctx.moveTo(nx - 11, 23);
  ctx.quadraticCurveTo(nx - 4, 31, nx + 1, 28);
  ctx.quadraticCurveTo(nx + 5, 31, nx + 11, 23);
  ctx.stroke();
  ctx.fillStyle = 'rgba(60,25,20,0.35)';
  for (const s of [-1, 1]) {
    ctx.beginPath();
    ctx.ellipse(nx + s * 6, 25, 3.2, 1.8, s * 0.3, 0, Math.PI * 2);
    ctx.fill();
  }
  if (turn > 0) {
    // Three-quarter: the bridge shows as a profile line on the far side.
    ctx.strokeStyle = 'rgba(80,40,30,0.22)';
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(nx + 3, 0);
    ctx.quadraticCurveTo(nx + 9, 12, nx + 13, 21);
    ctx.stroke();
  } else {
    // Front: a soft shadow down one side of the bridge.
    const g = ctx.createLinearGradient(nx - 10, 0, nx, 0);
    g.addColorStop(0, 'rgba(90,45,30,0)');
    g.addColorStop(1, 'rgba(90,45,30,0.12)');
    ctx.fillStyle = g;
    ctx.beginPath();
    ctx.ellipse(nx - 5, 8, 5, 16, 0, 0, Math.PI * 2);
    ctx.fill();
  }
  ctx.fillStyle = 'rgba(255,255,255,0.16)';
  ctx.beginPath();
  ctx.ellipse(nx + 1, 16, 4, 6, 0, 0, Math.PI * 2);
  ctx.fill();
}

function drawGlasses(ctx: SKRSContext2D, left: number, right: number, farScale: number): void {
  ctx.strokeStyle = '#1d1f26';
  ctx.lineWidth = 3.2;
  ctx.fillStyle = 'rgba(210,230,255,0.08)';
  for (const [x, s] of [[left, 1], [right, farScale]] as const) {
    ctx.beginPath();
    ctx.roundRect(x - 23 * s, EYE_Y - 14, 46 * s, 28, 9);
    ctx.fill();
    ctx.stroke();
  }
  ctx.beginPath();
  ctx.moveTo(left + 23, EYE_Y - 4);
  ctx.quadraticCurveTo((left + right) / 2, EYE_Y - 10, right - 23 * farScale, EYE_Y - 4);
  ctx.stroke();
  ctx.beginPath();
  ctx.moveTo(left - 23, EYE_Y - 6);
  ctx.lineTo(left - 40, EYE_Y - 8);
  ctx.stroke();
}

/** How far the chin drops with the mouth fully open, head units. */
export const JAW_DROP = 7;

/** Where the two eyes sit for a turn, head units. */
function eyeCentres(turn: number): { left: number; right: number; farScale: number } {
  const fx = FEATURE_SHIFT * turn;
  return { left: -EYE_SPACING * (1 - 0.05 * turn) + fx, right: EYE_SPACING * (1 - 0.15 * turn) + fx, farScale: 1 - 0.2 * turn };
}

/**
 * The head's base layer at the current origin (head centre), head units: ears, face
 * with its shading, nose. Everything here moves rigidly with the head except the jaw,
 * so it can be painted once per jaw opening and blitted.
 */
export function drawFaceBase(ctx: SKRSContext2D, style: CharacterStyle, jawDrop: number, turn: number): void {
  const fx = FEATURE_SHIFT * turn;
  const hw = style.faceHalfWidth;

  if (turn === 0) drawEar(ctx, style, hw - 1, 1);
  drawEar(ctx, style, -(hw - 1) + 8 * turn, -1);

  facePath(ctx, style, jawDrop, turn);
  const skin = ctx.createRadialGradient(-18 + 14 * turn, -34, 10, 0, 0, 150);
  skin.addColorStop(0, style.skinLight);
  skin.addColorStop(0.5, style.skin);
  skin.addColorStop(1, style.skinShadow);
  ctx.fillStyle = skin;
  ctx.fill();

  ctx.save();
  facePath(ctx, style, jawDrop, turn);
  ctx.clip();
  // Jaw and chin shading, plus the turned-away cheek falling into shadow.
  const jaw = ctx.createLinearGradient(0, 40, 0, style.chinY + jawDrop);
  jaw.addColorStop(0, 'rgba(0,0,0,0)');
  jaw.addColorStop(1, 'rgba(70,30,20,0.08)');
  ctx.fillStyle = jaw;
  ctx.fillRect(-hw - 10, 40, hw * 2 + 20, 90);
  if (turn > 0) {
    const side = ctx.createLinearGradient(hw * 0.35, 0, hw, 0);
    side.addColorStop(0, 'rgba(60,25,15,0)');
    side.addColorStop(1, 'rgba(60,25,15,0.32)');
    ctx.fillStyle = side;
    ctx.fillRect(0, -120, hw + 10, 240);
  }
  for (const s of [-1, 1]) {
    const bx = s * 46 + fx;
    const blush = ctx.createRadialGradient(bx, 34, 2, bx, 34, 24);
    blush.addColorStop(0, 'rgba(225,95,95,0.20)');
    blush.addColorStop(1, 'rgba(225,95,95,0)');
    ctx.fillStyle = blush;
    ctx.fillRect(bx - 26, 8, 52, 52);
  }
  ctx.restore();
  drawNose(ctx, style, fx * 1.25, turn);
}

/** What changes every frame on the face: eyes (blink, gaze), brows, mouth. */
export function drawFaceFeatures(ctx: SKRSContext2D, h: HeadInput): void {
  const { style, pose, mouth, turn } = h;
  const eyes = eyeCentres(turn);
  const blink = Math.min(1, Math.max(0, h.blink));
  drawEye(ctx, style, eyes.left, -1, 1, blink, pose.lookX);
  drawEye(ctx, style, eyes.right, 1, eyes.farScale, blink, pose.lookX);
  drawBrow(ctx, style, eyes.left, -1, 1, pose.browLift);
  drawBrow(ctx, style, eyes.right, 1, eyes.farScale, pose.browLift);

  ctx.save();
  ctx.translate(FEATURE_SHIFT * turn, MOUTH_Y + JAW_DROP * mouth.open * 0.25);
  ctx.scale(1 - 0.1 * turn, 1);
  drawMouth(ctx, style, mouth);
  ctx.restore();
}

/** The layer over the features, fixed to the head: front hair, glasses, earrings. */
export function drawFaceTop(ctx: SKRSContext2D, style: CharacterStyle, turn: number): void {
  const hw = style.faceHalfWidth;
  drawHairFront(ctx, style);
  const eyes = eyeCentres(turn);
  if (style.glasses) drawGlasses(ctx, eyes.left, eyes.right, eyes.farScale);
  if (style.earrings) {
    ctx.fillStyle = '#e6c15a';
    ctx.beginPath();
    ctx.arc(-(hw - 1) + 8 * turn, 30, 4.5, 0, Math.PI * 2);
    if (turn === 0) {
      ctx.moveTo(hw + 3.5, 30);
      ctx.arc(hw - 1, 30, 4.5, 0, Math.PI * 2);
    }
    ctx.fill();
  }
}

/** Draws the whole head at the current origin (head centre) in head units. */
export function drawHead(ctx: SKRSContext2D, h: HeadInput): void {
  drawFaceBase(ctx, h.style, JAW_DROP * h.mouth.open, h.turn);
  drawFaceFeatures(ctx, h);
  drawFaceTop(ctx, h.style, h.turn);
}

export { drawHairBack };
