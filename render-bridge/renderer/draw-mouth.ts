import type { SKRSContext2D } from '@napi-rs/canvas';
import type { CharacterStyle } from './characters.js';
import type { MouthShape } from './mouth-shapes.js';
import { MOUTH_INTERIOR, TEETH, TONGUE, rgb } from './palette.js';

/** Largest interior height (viseme "aa"), head units. */
const MAX_OPEN = 30;
const BASE_HALF_WIDTH = 26;

/** Draws lips, mouth interior, teeth and tongue centred on the current origin. */
export function drawMouth(ctx: SKRSContext2D, style: CharacterStyle, m: MouthShape): void {
  const halfW = BASE_HALF_WIDTH * style.mouthScale * m.width * (1 - 0.22 * m.round);
  const openH = MAX_OPEN * m.open;
  const iw = halfW * (0.9 - 0.28 * m.round);
  const top = -openH * 0.3;
  const bottom = openH * 0.7;
  const tU = 6.5 * (1 - 0.35 * m.press) + 2.5 * m.round;
  const tL = 8.5 * (1 - 0.3 * m.press) + 2.5 * m.round;
  // A rounder mouth has its interior curves pulled out towards a circle.
  const c = 0.5 + 0.4 * m.round;

  const outer = (): void => {
    ctx.beginPath();
    ctx.moveTo(-halfW, 0);
    ctx.bezierCurveTo(-halfW * 0.75, top * 0.9 - tU * 0.5, -halfW * 0.5, top - tU, -halfW * 0.28, top - tU - 0.5);
    ctx.quadraticCurveTo(-halfW * 0.1, top - tU, 0, top - tU + 2.5);
    ctx.quadraticCurveTo(halfW * 0.1, top - tU, halfW * 0.28, top - tU - 0.5);
    ctx.bezierCurveTo(halfW * 0.5, top - tU, halfW * 0.75, top * 0.9 - tU * 0.5, halfW, 0);
    ctx.bezierCurveTo(halfW * 0.75, bottom * 0.8 + tL * 0.7, halfW * 0.45, bottom + tL, 0, bottom + tL);
    ctx.bezierCurveTo(-halfW * 0.45, bottom + tL, -halfW * 0.75, bottom * 0.8 + tL * 0.7, -halfW, 0);
    ctx.closePath();
  };
  const inner = (): void => {
    ctx.beginPath();
    ctx.moveTo(-iw, 0);
    ctx.bezierCurveTo(-iw * c, (top * 4) / 3, iw * c, (top * 4) / 3, iw, 0);
    ctx.bezierCurveTo(iw * c, (bottom * 4) / 3, -iw * c, (bottom * 4) / 3, -iw, 0);
    ctx.closePath();
  };

  const lipGrad = ctx.createLinearGradient(0, top - tU, 0, bottom + tL);
  lipGrad.addColorStop(0, style.lipsDark);
  lipGrad.addColorStop(0.45, style.lips);
  lipGrad.addColorStop(1, style.lips);
  outer();
  ctx.fillStyle = lipGrad;
  ctx.fill();

  if (openH > 0.4) {
    inner();
    ctx.fillStyle = rgb(MOUTH_INTERIOR);
    ctx.fill();
    ctx.save();
    inner();
    ctx.clip();
    if (m.tongue > 0.01) {
      ctx.fillStyle = TONGUE;
      ctx.beginPath();
      ctx.ellipse(0, bottom + 1, iw * 0.62, Math.max(3, openH * 0.38) * m.tongue + 0.5, 0, 0, Math.PI * 2);
      ctx.fill();
    }
    ctx.fillStyle = rgb(TEETH);
    if (m.upperTeeth > 0.01) {
      const h = m.upperTeeth * Math.min(8, openH * 0.5 + 2.5);
      ctx.fillRect(-iw * 0.78, top - 3, iw * 1.56, h + 3);
    }
    if (m.lowerTeeth > 0.01) {
      const h = m.lowerTeeth * Math.min(6, openH * 0.35 + 2);
      ctx.fillRect(-iw * 0.7, bottom - h, iw * 1.4, h + 3);
    }
    ctx.restore();
  }

  // The line where the lips meet: visible when closed, pressed darker for p/b/m.
  ctx.beginPath();
  ctx.moveTo(-halfW, 0);
  ctx.bezierCurveTo(-iw * c, (top * 4) / 3, iw * c, (top * 4) / 3, halfW, 0);
  ctx.strokeStyle = style.lipsDark;
  ctx.lineWidth = 1.6 + 1.2 * m.press;
  ctx.lineCap = 'round';
  ctx.stroke();

  // Lower-lip sheen and soft corners.
  ctx.fillStyle = 'rgba(255,255,255,0.18)';
  ctx.beginPath();
  ctx.ellipse(0, bottom + tL * 0.45, halfW * 0.3, tL * 0.22, 0, 0, Math.PI * 2);
  ctx.fill();
  ctx.strokeStyle = 'rgba(0,0,0,0.09)';
  ctx.lineWidth = 1.4;
  for (const sx of [-1, 1]) {
    ctx.beginPath();
    ctx.arc(sx * (halfW + 1), -1, 3, sx > 0 ? -0.6 : Math.PI - 0.6, sx > 0 ? 0.9 : Math.PI + 0.9);
    ctx.stroke();
  }
}
