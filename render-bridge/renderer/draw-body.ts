import type { SKRSContext2D } from '@napi-rs/canvas';
import type { CharacterStyle } from './characters.js';
import type { ArmPose, Pose } from './pose.js';

const SHOULDER_HALF_WIDTH = 168;
const BOTTOM = 900;
/** A full breath lifts the shoulders this far (head units) and widens them by this fraction. */
const BREATH_RISE = 1.8;
const BREATH_WIDEN = 0.012;

function shoulderHalfWidth(pose: Pose): number {
  return SHOULDER_HALF_WIDTH * (1 + BREATH_WIDEN * pose.breath);
}

/**
 * Moves a body drawn at rest (breath 0) to where `breath` puts it: up by the rise and
 * wider by the widening. The same as redrawing it but for sub-pixel differences in the
 * outfit's details, so the body can be painted once and blitted.
 */
export function breathTransform(ctx: SKRSContext2D, breath: number): void {
  ctx.translate(0, -BREATH_RISE * breath);
  ctx.scale(1 + BREATH_WIDEN * breath, 1);
}

function drawNeck(ctx: SKRSContext2D, style: CharacterStyle, shoulderY: number): void {
  const halfW = style.neckHalfWidth;
  ctx.beginPath();
  ctx.moveTo(-halfW, 50);
  ctx.lineTo(-halfW - 3, shoulderY - 20);
  ctx.quadraticCurveTo(0, shoulderY + 4, halfW + 3, shoulderY - 20);
  ctx.lineTo(halfW, 50);
  ctx.closePath();
  const g = ctx.createLinearGradient(0, 60, 0, shoulderY);
  g.addColorStop(0, style.skinShadow);
  g.addColorStop(0.45, style.skin);
  g.addColorStop(1, style.skin);
  ctx.fillStyle = g;
  ctx.fill();
}

function clothingGradient(ctx: SKRSContext2D, style: CharacterStyle, shoulderY: number): CanvasGradient {
  const g = ctx.createLinearGradient(0, shoulderY - 30, 0, 480);
  g.addColorStop(0, style.clothing);
  g.addColorStop(1, style.clothingDark);
  return g;
}

function torsoPath(ctx: SKRSContext2D, sw: number, y: number): void {
  ctx.beginPath();
  ctx.moveTo(-36, y - 30);
  ctx.bezierCurveTo(-72, y - 18, -sw + 40, y - 12, -sw + 18, y + 6);
  ctx.bezierCurveTo(-sw + 2, y + 16, -sw - 6, y + 38, -sw - 6, y + 70);
  ctx.lineTo(-sw - 16, BOTTOM);
  ctx.lineTo(sw + 16, BOTTOM);
  ctx.lineTo(sw + 6, y + 70);
  ctx.bezierCurveTo(sw + 6, y + 38, sw - 2, y + 16, sw - 18, y + 6);
  ctx.bezierCurveTo(sw - 40, y - 12, 72, y - 18, 36, y - 30);
  ctx.closePath();
}

function fillPath(ctx: SKRSContext2D, color: string, points: Array<[number, number]>): void {
  ctx.beginPath();
  points.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y)));
  ctx.closePath();
  ctx.fillStyle = color;
  ctx.fill();
}

function drawOutfit(ctx: SKRSContext2D, style: CharacterStyle, y: number): void {
  const top = y - 30;
  switch (style.outfit) {
    case 'blouse':
      fillPath(ctx, style.skin, [[-38, top], [0, y + 70], [38, top]]);
      ctx.strokeStyle = style.clothingDark;
      ctx.lineWidth = 4;
      ctx.beginPath();
      ctx.moveTo(-40, top);
      ctx.lineTo(0, y + 72);
      ctx.lineTo(40, top);
      ctx.stroke();
      ctx.strokeStyle = style.accent;
      ctx.lineWidth = 2.2;
      ctx.beginPath();
      ctx.moveTo(-33, top + 2);
      ctx.quadraticCurveTo(0, y + 40, 33, top + 2);
      ctx.stroke();
      ctx.fillStyle = style.accent;
      ctx.beginPath();
      ctx.arc(0, y + 27, 4.5, 0, Math.PI * 2);
      ctx.fill();
      break;
    case 'sweater': {
      ctx.beginPath();
      ctx.moveTo(-46, top - 2);
      ctx.quadraticCurveTo(0, y + 30, 46, top - 2);
      ctx.lineTo(38, top - 8);
      ctx.quadraticCurveTo(0, y + 14, -38, top - 8);
      ctx.closePath();
      ctx.fillStyle = style.clothingDark;
      ctx.fill();
      ctx.strokeStyle = 'rgba(0,0,0,0.12)';
      ctx.lineWidth = 1.5;
      for (let x = -36; x <= 36; x += 6) {
        ctx.beginPath();
        ctx.moveTo(x, top - 4 + Math.abs(x) * -0.1 + 18 - (x * x) / 90);
        ctx.lineTo(x * 1.15, top + 6 + 18 - (x * x) / 80);
        ctx.stroke();
      }
      break;
    }
    case 'blazer-tie':
    case 'blazer-open': {
      const open = style.outfit === 'blazer-open';
      fillPath(ctx, style.accent, [[-46, top], [0, y + 170], [46, top]]);
      if (open) {
        fillPath(ctx, style.skin, [[-24, top], [0, y + 30], [24, top]]);
      } else {
        fillPath(ctx, style.accent2, [[-11, y + 8], [11, y + 8], [8, y - 10], [-8, y - 10]]);
        fillPath(ctx, style.accent2, [[-9, y + 8], [9, y + 8], [15, y + 150], [0, y + 168], [-15, y + 150]]);
        ctx.strokeStyle = 'rgba(0,0,0,0.18)';
        ctx.lineWidth = 3;
        ctx.beginPath();
        ctx.moveTo(-10, y + 40);
        ctx.lineTo(12, y + 56);
        ctx.moveTo(-12, y + 90);
        ctx.lineTo(13, y + 106);
        ctx.stroke();
      }
      // Shirt collar points.
      for (const s of [-1, 1]) {
        fillPath(ctx, style.accent, [[s * 8, y + (open ? 30 : 10)], [s * 38, top - 6], [s * 52, y + 20]]);
        ctx.strokeStyle = 'rgba(0,0,0,0.18)';
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        ctx.moveTo(s * 8, y + (open ? 30 : 10));
        ctx.lineTo(s * 52, y + 20);
        ctx.stroke();
      }
      // Lapels.
      for (const s of [-1, 1]) {
        fillPath(ctx, style.clothing, [[s * 50, top + 2], [s * 4, y + 175], [s * 58, y + 110], [s * 88, y + 52], [s * 68, y + 20]]);
        ctx.strokeStyle = style.clothingDark;
        ctx.lineWidth = 3;
        ctx.beginPath();
        ctx.moveTo(s * 50, top + 2);
        ctx.lineTo(s * 4, y + 175);
        ctx.moveTo(s * 58, y + 110);
        ctx.lineTo(s * 88, y + 52);
        ctx.lineTo(s * 68, y + 20);
        ctx.stroke();
      }
      break;
    }
  }
}

/** Neck, shoulders and torso with the character's outfit, in head units. */
export function drawBody(ctx: SKRSContext2D, style: CharacterStyle, pose: Pose, turn: number): void {
  const y = 186 - BREATH_RISE * pose.breath;
  const sw = shoulderHalfWidth(pose);
  drawNeck(ctx, style, y - 4);
  ctx.save();
  // A turned body shows its near shoulder wider and its neckline off-centre.
  ctx.translate(10 * turn, 0);
  ctx.scale(1 - 0.05 * turn, 1);
  torsoPath(ctx, sw, y);
  ctx.fillStyle = clothingGradient(ctx, style, y);
  ctx.fill();
  ctx.save();
  torsoPath(ctx, sw, y);
  ctx.clip();
  const side = ctx.createLinearGradient(-sw, 0, sw, 0);
  side.addColorStop(0, 'rgba(255,255,255,0.08)');
  side.addColorStop(0.5, 'rgba(255,255,255,0)');
  side.addColorStop(1, 'rgba(0,0,0,0.18)');
  ctx.fillStyle = side;
  ctx.fillRect(-sw - 20, y - 40, sw * 2 + 40, BOTTOM);
  // Where the hanging arms meet the chest.
  ctx.strokeStyle = 'rgba(0,0,0,0.22)';
  ctx.lineWidth = 3;
  for (const s of [-1, 1]) {
    ctx.beginPath();
    ctx.moveTo(s * (sw - 44), y + 64);
    ctx.quadraticCurveTo(s * (sw - 50), y + 200, s * (sw - 46), BOTTOM);
    ctx.stroke();
  }
  ctx.restore();
  drawOutfit(ctx, style, y);
  ctx.restore();
}

function capsule(ctx: SKRSContext2D, x0: number, y0: number, x1: number, y1: number, width: number): void {
  ctx.lineWidth = width;
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.lineTo(x1, y1);
  ctx.stroke();
}

/** Finger segments in hand space (wrist at origin, fingers up): [x0, y0, x1, y1, width]. */
function handSegments(hand: ArmPose['hand']): Array<[number, number, number, number, number]> {
  switch (hand) {
    case 'open':
      return [
        [-13, -40, -19, -72, 9.5], [-4.5, -42, -6, -80, 10], [4.5, -42, 6, -77, 10], [13, -40, 19, -66, 9],
        [-17, -14, -36, -34, 11],
      ];
    case 'relaxed':
      return [
        [-12, -40, -12, -66, 9.5], [-4, -42, -3, -72, 10], [4, -42, 5, -70, 10], [12, -40, 14, -62, 9],
        [-17, -14, -28, -38, 11],
      ];
    case 'point':
      return [
        [-11, -40, -11, -84, 10],
        [-3, -42, 8, -38, 12], [5, -36, 14, -30, 12], [12, -28, 17, -20, 11],
        [-17, -12, 2, -26, 11],
      ];
  }
}

function drawHand(ctx: SKRSContext2D, style: CharacterStyle, arm: ArmPose): void {
  ctx.save();
  ctx.translate(arm.wrist.x, arm.wrist.y);
  ctx.rotate(arm.angle);
  ctx.scale(1.15, 1.15);
  // Thumb towards the body's centre.
  ctx.scale(arm.side, 1);
  const segments = handSegments(arm.hand);
  ctx.lineCap = 'round';
  for (const pass of [0, 1] as const) {
    ctx.strokeStyle = pass === 0 ? style.skinShadow : style.skin;
    ctx.fillStyle = ctx.strokeStyle;
    const grow = pass === 0 ? 3 : 0;
    ctx.beginPath();
    ctx.roundRect(-19 - grow / 2, -46 - grow / 2, 38 + grow, 48 + grow, 13);
    ctx.fill();
    for (const [x0, y0, x1, y1, w] of segments) capsule(ctx, x0, y0, x1, y1, w + grow);
  }
  ctx.fillStyle = 'rgba(255,255,255,0.12)';
  ctx.beginPath();
  ctx.ellipse(-3, -24, 10, 14, 0, 0, Math.PI * 2);
  ctx.fill();
  ctx.restore();
}

/**
 * Upper arms of raised arms, drawn before the torso so only the part that swings out
 * past the body's outline shows (a pointing elbow), with no seam at the shoulder.
 */
export function drawUpperArms(ctx: SKRSContext2D, style: CharacterStyle, pose: Pose): void {
  const sw = shoulderHalfWidth(pose);
  ctx.lineCap = 'round';
  for (const arm of pose.arms) {
    ctx.strokeStyle = style.clothingDark;
    capsule(ctx, arm.side * (sw - 30), 240, arm.elbow.x, arm.elbow.y, 62);
    ctx.strokeStyle = style.clothing;
    capsule(ctx, arm.side * (sw - 30), 240, arm.elbow.x, arm.elbow.y, 56);
  }
}

/** Raised forearms and hands, drawn over the torso and head. */
export function drawArms(ctx: SKRSContext2D, style: CharacterStyle, pose: Pose): void {
  for (const arm of pose.arms) {
    ctx.lineCap = 'round';
    ctx.strokeStyle = style.clothingDark;
    capsule(ctx, arm.elbow.x, arm.elbow.y, arm.wrist.x, arm.wrist.y, 54);
    ctx.strokeStyle = style.clothing;
    capsule(ctx, arm.elbow.x, arm.elbow.y, arm.wrist.x, arm.wrist.y, 48);
    // Cuff: shirt for jackets, a darker band otherwise.
    const dx = arm.wrist.x - arm.elbow.x;
    const dy = arm.wrist.y - arm.elbow.y;
    const len = Math.hypot(dx, dy) || 1;
    const cx = arm.wrist.x - (dx / len) * 6;
    const cy = arm.wrist.y - (dy / len) * 6;
    ctx.strokeStyle = style.outfit.startsWith('blazer') ? style.accent : style.clothingDark;
    ctx.lineCap = 'butt';
    capsule(ctx, cx - (dx / len) * 8, cy - (dy / len) * 8, cx, cy, 44);
    drawHand(ctx, style, arm);
  }
}
