import type { SKRSContext2D } from '@napi-rs/canvas';
import { blob, fillRectWith, glow, seeded, vGradient, type ScenePainter } from './scene-kit.js';

function cloud(ctx: SKRSContext2D, x: number, y: number, s: number, alpha: number): void {
  ctx.globalAlpha = alpha;
  blob(ctx, [[x, y, 34 * s], [x + 40 * s, y - 16 * s, 42 * s], [x + 86 * s, y, 34 * s], [x + 42 * s, y + 12 * s, 36 * s]], '#ffffff');
  ctx.globalAlpha = 1;
}

function tree(ctx: SKRSContext2D, x: number, ground: number, s: number, seed: number): void {
  const rnd = seeded(seed);
  const trunk = ctx.createLinearGradient(x - 14 * s, 0, x + 14 * s, 0);
  trunk.addColorStop(0, '#5b3d26');
  trunk.addColorStop(1, '#3b2616');
  ctx.fillStyle = trunk;
  ctx.beginPath();
  ctx.moveTo(x - 16 * s, ground);
  ctx.lineTo(x - 9 * s, ground - 210 * s);
  ctx.lineTo(x + 9 * s, ground - 210 * s);
  ctx.lineTo(x + 18 * s, ground);
  ctx.closePath();
  ctx.fill();
  const cy = ground - 260 * s;
  const layers: Array<[string, number, number]> = [['#2f6b33', 0, 1], ['#3f8a3f', -12, 0.82], ['#5aa64d', -26, 0.6]];
  for (const [color, dy, k] of layers) {
    const circles: Array<[number, number, number]> = [];
    for (let i = 0; i < 9; i++) {
      const a = (i / 9) * Math.PI * 2;
      circles.push([x + Math.cos(a) * 78 * s * k - 8 * s * (1 - k), cy + dy * s + Math.sin(a) * 62 * s * k, (44 + rnd() * 22) * s * k]);
    }
    circles.push([x - 6 * s * (1 - k), cy + dy * s, 70 * s * k]);
    blob(ctx, circles, color);
  }
}

export const paintPark: ScenePainter = (ctx, W, H) => {
  const horizon = H * 0.56;
  fillRectWith(ctx, vGradient(ctx, 0, horizon, [[0, '#6fa9e2'], [0.7, '#b8d8f0'], [1, '#e2eef3']]), 0, 0, W, horizon + 2);
  glow(ctx, W * 0.82, H * 0.08, 360, '#fff6d8', 0.55);
  cloud(ctx, W * 0.12, H * 0.12, 1.2, 0.85);
  cloud(ctx, W * 0.55, H * 0.07, 0.9, 0.7);
  cloud(ctx, W * 0.78, H * 0.2, 0.7, 0.6);
  // Far hills fade towards the sky (aerial perspective).
  ctx.fillStyle = '#9cc39a';
  ctx.beginPath();
  ctx.moveTo(0, horizon);
  for (let x = 0; x <= W; x += 40) ctx.lineTo(x, horizon - 40 - 26 * Math.sin(x / 170) - 14 * Math.sin(x / 61));
  ctx.lineTo(W, horizon);
  ctx.closePath();
  ctx.fill();
  const rnd = seeded(7);
  const line: Array<[number, number, number]> = [];
  for (let x = -20; x < W + 40; x += 26) line.push([x, horizon - 12 - rnd() * 18, 24 + rnd() * 18]);
  blob(ctx, line, '#5f9456');
  fillRectWith(ctx, vGradient(ctx, horizon, H, [[0, '#86bf5e'], [1, '#4a8a36']]), 0, horizon, W, H - horizon);
  // A gravel path curving towards the horizon.
  ctx.fillStyle = vGradient(ctx, horizon, H, [[0, '#d8ccb0'], [1, '#c4b08a']]);
  ctx.beginPath();
  ctx.moveTo(W * 0.47, horizon);
  ctx.bezierCurveTo(W * 0.44, H * 0.7, W * 0.3, H * 0.8, W * 0.18, H);
  ctx.lineTo(W * 0.62, H);
  ctx.bezierCurveTo(W * 0.58, H * 0.8, W * 0.52, H * 0.7, W * 0.51, horizon);
  ctx.closePath();
  ctx.fill();
  tree(ctx, W * 0.28, horizon + 20, 0.55, 3);
  tree(ctx, W * 0.68, horizon + 24, 0.6, 4);
  tree(ctx, W * 0.07, H * 0.86, 1.15, 5);
  tree(ctx, W * 0.94, H * 0.9, 1.25, 6);
  // A lamp post and a bench add scale.
  ctx.fillStyle = '#2c2f33';
  ctx.fillRect(W * 0.8, H * 0.34, 6, H * 0.36);
  ctx.beginPath();
  ctx.arc(W * 0.8 + 3, H * 0.34, 11, 0, Math.PI * 2);
  ctx.fill();
  glow(ctx, W * 0.8 + 3, H * 0.34, 30, '#fff1c0', 0.5);
  ctx.fillStyle = '#6b4a2e';
  ctx.fillRect(W * 0.15, H * 0.66, 120, 10);
  ctx.fillRect(W * 0.15, H * 0.64, 120, 6);
  ctx.fillStyle = '#2c2f33';
  ctx.fillRect(W * 0.15 + 8, H * 0.66, 5, 26);
  ctx.fillRect(W * 0.15 + 107, H * 0.66, 5, 26);
  const flowers = seeded(11);
  const colors = ['#ffd45a', '#ff8fa3', '#ffffff', '#c59bff'];
  for (let i = 0; i < 140; i++) {
    const y = horizon + 20 + flowers() * (H - horizon - 20);
    const x = flowers() * W;
    ctx.fillStyle = colors[i % colors.length] ?? '#fff';
    ctx.beginPath();
    ctx.arc(x, y, 1.5 + (y - horizon) / 120, 0, Math.PI * 2);
    ctx.fill();
  }
};

function palm(ctx: SKRSContext2D, x: number, ground: number, s: number): void {
  ctx.strokeStyle = '#7a5a3a';
  ctx.lineCap = 'round';
  ctx.lineWidth = 22 * s;
  ctx.beginPath();
  ctx.moveTo(x, ground);
  ctx.quadraticCurveTo(x + 40 * s, ground - 220 * s, x + 110 * s, ground - 400 * s);
  ctx.stroke();
  ctx.strokeStyle = 'rgba(60,40,20,0.5)';
  ctx.lineWidth = 3 * s;
  for (let i = 1; i < 14; i++) {
    const t = i / 14;
    const px = x + 2 * t * (1 - t) * 40 * s + t * t * 110 * s;
    const py = ground + (2 * t * (1 - t) * -220 * s) + t * t * -400 * s;
    ctx.beginPath();
    ctx.moveTo(px - 10 * s, py);
    ctx.lineTo(px + 10 * s, py - 4 * s);
    ctx.stroke();
  }
  const tx = x + 110 * s;
  const ty = ground - 400 * s;
  for (let i = 0; i < 9; i++) {
    const a = -Math.PI * 0.95 + (i / 8) * Math.PI * 1.1;
    const len = (150 + (i % 3) * 30) * s;
    const ex = tx + Math.cos(a) * len;
    const ey = ty + Math.sin(a) * len * 0.6 + 50 * s;
    ctx.fillStyle = i % 2 ? '#2f7a3c' : '#3d9148';
    ctx.beginPath();
    ctx.moveTo(tx, ty);
    ctx.quadraticCurveTo((tx + ex) / 2 + 10 * s, (ty + ey) / 2 - 50 * s, ex, ey);
    ctx.quadraticCurveTo((tx + ex) / 2, (ty + ey) / 2 - 10 * s, tx, ty);
    ctx.fill();
  }
}

export const paintBeach: ScenePainter = (ctx, W, H) => {
  const horizon = H * 0.5;
  fillRectWith(ctx, vGradient(ctx, 0, horizon, [[0, '#3f8fd6'], [0.6, '#8cc4ea'], [1, '#f4e3c6']]), 0, 0, W, horizon + 1);
  glow(ctx, W * 0.74, H * 0.28, 420, '#fff0c8', 0.65);
  ctx.fillStyle = '#fffbe9';
  ctx.beginPath();
  ctx.arc(W * 0.74, H * 0.28, 34, 0, Math.PI * 2);
  ctx.fill();
  cloud(ctx, W * 0.08, H * 0.16, 0.9, 0.6);
  cloud(ctx, W * 0.42, H * 0.1, 0.7, 0.5);
  ctx.fillStyle = '#4f7f78';
  ctx.beginPath();
  ctx.moveTo(W * 0.03, horizon);
  ctx.quadraticCurveTo(W * 0.12, horizon - 46, W * 0.24, horizon);
  ctx.fill();
  const seaBottom = H * 0.68;
  fillRectWith(ctx, vGradient(ctx, horizon, seaBottom, [[0, '#1f6fa6'], [0.6, '#2f9bb8'], [1, '#5cc6c9']]), 0, horizon, W, seaBottom - horizon);
  // Sun path on the water and scattered glints.
  const sun = ctx.createLinearGradient(W * 0.68, 0, W * 0.8, 0);
  sun.addColorStop(0, 'rgba(255,245,210,0)');
  sun.addColorStop(0.5, 'rgba(255,245,210,0.45)');
  sun.addColorStop(1, 'rgba(255,245,210,0)');
  ctx.fillStyle = sun;
  ctx.fillRect(W * 0.68, horizon, W * 0.12, seaBottom - horizon);
  const rnd = seeded(21);
  ctx.strokeStyle = 'rgba(255,255,255,0.55)';
  ctx.lineCap = 'round';
  for (let i = 0; i < 120; i++) {
    const y = horizon + 4 + rnd() * (seaBottom - horizon - 8);
    const x = rnd() * W;
    const len = 6 + ((y - horizon) / (seaBottom - horizon)) * 26;
    ctx.lineWidth = 1 + (y - horizon) / 60;
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.lineTo(x + len, y);
    ctx.stroke();
  }
  fillRectWith(ctx, vGradient(ctx, seaBottom, H, [[0, '#d9c08f'], [0.12, '#ecd7a8'], [1, '#e5c690']]), 0, seaBottom, W, H - seaBottom);
  ctx.fillStyle = 'rgba(255,255,255,0.8)';
  ctx.beginPath();
  ctx.moveTo(0, seaBottom);
  for (let x = 0; x <= W; x += 20) ctx.lineTo(x, seaBottom + 6 + 5 * Math.sin(x / 37) + 3 * Math.sin(x / 13));
  ctx.lineTo(W, seaBottom - 4);
  ctx.lineTo(0, seaBottom - 4);
  ctx.closePath();
  ctx.fill();
  palm(ctx, W * 0.06, H * 0.98, 1.1);
  // A striped umbrella on the right.
  const ux = W * 0.9;
  const uy = H * 0.6;
  ctx.fillStyle = '#eeeeee';
  ctx.fillRect(ux - 3, uy, 6, H * 0.3);
  for (let i = 0; i < 8; i++) {
    ctx.fillStyle = i % 2 ? '#ffffff' : '#e84a5f';
    ctx.beginPath();
    ctx.moveTo(ux, uy);
    ctx.arc(ux, uy + 10, 110, Math.PI + (i / 8) * Math.PI, Math.PI + ((i + 1) / 8) * Math.PI);
    ctx.closePath();
    ctx.fill();
  }
};
