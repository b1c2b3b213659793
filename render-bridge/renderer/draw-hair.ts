import type { SKRSContext2D } from '@napi-rs/canvas';
import type { CharacterStyle } from './characters.js';

function hairFill(ctx: SKRSContext2D, style: CharacterStyle, top: number, bottom: number): void {
  const g = ctx.createLinearGradient(-60, top, 60, bottom);
  g.addColorStop(0, style.hairLight);
  g.addColorStop(0.35, style.hair);
  g.addColorStop(1, style.hairDark);
  ctx.fillStyle = g;
  ctx.fill();
}

/** Curl centres for the curly style, fixed so every frame draws the same hair. */
function curlRing(cx: number, cy: number, rx: number, ry: number, from: number, to: number, n: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i <= n; i++) {
    const a = from + ((to - from) * i) / n;
    out.push([cx + rx * Math.cos(a), cy + ry * Math.sin(a)]);
  }
  return out;
}

/** Hair behind the head (and, for long hair, behind the shoulders). */
export function drawHairBack(ctx: SKRSContext2D, style: CharacterStyle): void {
  const hw = style.faceHalfWidth;
  ctx.beginPath();
  switch (style.hairStyle) {
    case 'long-wavy':
      ctx.moveTo(-hw - 16, -30);
      ctx.bezierCurveTo(-hw - 26, -120, -40, -142, 0, -140);
      ctx.bezierCurveTo(40, -142, hw + 26, -120, hw + 16, -30);
      ctx.bezierCurveTo(hw + 34, 60, hw + 18, 150, hw + 46, 250);
      ctx.quadraticCurveTo(hw + 20, 262, hw - 2, 250);
      ctx.lineTo(-hw + 2, 250);
      ctx.quadraticCurveTo(-hw - 20, 262, -hw - 46, 250);
      ctx.bezierCurveTo(-hw - 18, 150, -hw - 34, 60, -hw - 16, -30);
      ctx.closePath();
      hairFill(ctx, style, -140, 250);
      break;
    case 'curly': {
      ctx.ellipse(0, -42, hw + 48, 118, 0, 0, Math.PI * 2);
      hairFill(ctx, style, -160, 80);
      const curls = curlRing(0, -42, hw + 48, 118, Math.PI * 0.85, Math.PI * 2.15, 16);
      ctx.fillStyle = style.hair;
      for (const [x, y] of curls) {
        ctx.beginPath();
        ctx.arc(x, y, 26, 0, Math.PI * 2);
        ctx.fill();
      }
      ctx.strokeStyle = style.hairLight;
      ctx.lineWidth = 2.5;
      for (const [x, y] of curls) {
        ctx.beginPath();
        ctx.arc(x - 4, y - 4, 13, Math.PI * 1.1, Math.PI * 1.7);
        ctx.stroke();
      }
      break;
    }
    case 'short-quiff':
    case 'side-part':
      ctx.moveTo(-hw - 5, -10);
      ctx.bezierCurveTo(-hw - 9, -110, -40, -136, 4, -136);
      ctx.bezierCurveTo(50, -136, hw + 9, -110, hw + 5, -10);
      ctx.closePath();
      hairFill(ctx, style, -136, 0);
      break;
  }
}

/** Hair over the forehead and temples, drawn after the face. */
export function drawHairFront(ctx: SKRSContext2D, style: CharacterStyle): void {
  const hw = style.faceHalfWidth;
  ctx.beginPath();
  switch (style.hairStyle) {
    case 'long-wavy':
      // Side part on the left, a fringe sweeping across to the right temple.
      ctx.moveTo(-24, -120);
      ctx.bezierCurveTo(30, -124, hw + 16, -102, hw + 12, -6);
      ctx.bezierCurveTo(hw + 2, -40, hw - 8, -60, hw - 28, -70);
      ctx.bezierCurveTo(22, -82, -8, -88, -24, -82);
      ctx.bezierCurveTo(-42, -78, -hw + 8, -60, -hw - 2, -6);
      ctx.bezierCurveTo(-hw - 14, -90, -62, -120, -24, -120);
      ctx.closePath();
      hairFill(ctx, style, -124, -10);
      ctx.save();
      ctx.clip();
      ctx.strokeStyle = style.hairLight;
      ctx.globalAlpha = 0.5;
      ctx.lineWidth = 2.2;
      for (const k of [0, 1, 2]) {
        ctx.beginPath();
        ctx.moveTo(-16 + k * 8, -114);
        ctx.bezierCurveTo(20 + k * 10, -112, hw - 6 - k * 6, -96 + k * 4, hw - 2 - k * 4, -52 + k * 8);
        ctx.stroke();
      }
      ctx.globalAlpha = 1;
      ctx.restore();
      break;
    case 'curly': {
      const curls = curlRing(0, -40, hw + 6, 66, Math.PI * 1.08, Math.PI * 1.92, 9);
      ctx.fillStyle = style.hair;
      for (const [x, y] of curls) {
        ctx.moveTo(x + 17, y);
        ctx.arc(x, y, 17, 0, Math.PI * 2);
      }
      ctx.fill();
      ctx.strokeStyle = style.hairLight;
      ctx.lineWidth = 2;
      for (const [x, y] of curls) {
        ctx.beginPath();
        ctx.arc(x - 2, y - 2, 9, Math.PI * 1.0, Math.PI * 1.8);
        ctx.stroke();
      }
      break;
    }
    case 'short-quiff':
      ctx.moveTo(-hw - 3, -10);
      ctx.bezierCurveTo(-hw - 6, -100, -50, -142, 0, -144);
      ctx.bezierCurveTo(34, -150, 66, -140, hw - 4, -112);
      ctx.bezierCurveTo(hw + 8, -92, hw + 6, -50, hw + 3, -10);
      // Sideburns, then an M-shaped hairline: temples set back, a low centre.
      ctx.lineTo(hw - 5, -14);
      ctx.lineTo(hw - 7, -44);
      ctx.bezierCurveTo(hw - 10, -60, hw - 18, -70, hw - 26, -70);
      ctx.bezierCurveTo(hw - 36, -74, 20, -78, 0, -74);
      ctx.bezierCurveTo(-20, -78, -hw + 36, -74, -hw + 26, -70);
      ctx.bezierCurveTo(-hw + 18, -70, -hw + 10, -60, -hw + 7, -44);
      ctx.lineTo(-hw + 5, -14);
      ctx.closePath();
      hairFill(ctx, style, -144, -20);
      ctx.save();
      ctx.clip();
      ctx.strokeStyle = style.hairLight;
      ctx.lineWidth = 2.4;
      ctx.globalAlpha = 0.6;
      for (const k of [0, 1, 2, 3]) {
        ctx.beginPath();
        ctx.moveTo(-40 + k * 22, -88);
        ctx.quadraticCurveTo(-30 + k * 24, -128, 4 + k * 20, -136 + k * 4);
        ctx.stroke();
      }
      ctx.globalAlpha = 1;
      ctx.restore();
      break;
    case 'side-part':
      ctx.moveTo(-hw - 4, -22);
      ctx.bezierCurveTo(-hw - 6, -100, -50, -136, -6, -136);
      ctx.bezierCurveTo(50, -136, hw + 7, -108, hw + 3, -24);
      ctx.lineTo(hw - 3, -42);
      ctx.bezierCurveTo(hw - 6, -70, hw - 22, -86, 20, -88);
      ctx.bezierCurveTo(-8, -92, -34, -90, -46, -84);
      ctx.bezierCurveTo(-hw + 14, -78, -hw + 6, -60, -hw + 4, -40);
      ctx.closePath();
      hairFill(ctx, style, -136, -24);
      ctx.save();
      ctx.clip();
      ctx.strokeStyle = style.hairLight;
      ctx.lineWidth = 2.2;
      ctx.globalAlpha = 0.55;
      for (const k of [0, 1, 2, 3]) {
        ctx.beginPath();
        ctx.moveTo(-34 + k * 4, -128 + k * 2);
        ctx.bezierCurveTo(0 + k * 10, -132 + k * 6, hw - 10, -110 + k * 8, hw - 4 - k * 4, -60 + k * 6);
        ctx.stroke();
      }
      ctx.globalAlpha = 1;
      ctx.strokeStyle = style.hairDark;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(-36, -130);
      ctx.quadraticCurveTo(-42, -110, -46, -88);
      ctx.stroke();
      ctx.restore();
      break;
  }
}
