import type { SKRSContext2D } from '@napi-rs/canvas';
import { fillRectWith, glow, seeded, vGradient, type ScenePainter } from './scene-kit.js';

const SHOPS: Array<{ name: string; sign: string; light: string }> = [
  { name: 'CAFÉ', sign: '#c0392b', light: '#ffd9a0' },
  { name: 'BOOKS', sign: '#1f6f8b', light: '#fff1d6' },
  { name: 'SHOES', sign: '#2d2d2d', light: '#ffe6c7' },
  { name: 'TECH', sign: '#4a3aa8', light: '#dfe9ff' },
  { name: 'FLOWERS', sign: '#2e8b57', light: '#fff6e0' },
];

function shopFront(ctx: SKRSContext2D, x: number, y: number, w: number, h: number, shop: (typeof SHOPS)[number], seed: number): void {
  ctx.fillStyle = '#3a3d44';
  ctx.fillRect(x - 6, y - 6, w + 12, h + 12);
  ctx.fillStyle = shop.sign;
  ctx.fillRect(x, y, w, h * 0.16);
  ctx.fillStyle = '#ffffff';
  ctx.font = `bold ${Math.round(h * 0.09)}px LivehostSans, DejaVu Sans, sans-serif`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(shop.name, x + w / 2, y + h * 0.085);
  const wy = y + h * 0.16;
  const wh = h * 0.84;
  ctx.fillStyle = vGradient(ctx, wy, wy + wh, [[0, shop.light], [1, '#b9a98f']]);
  ctx.fillRect(x, wy, w, wh);
  const rnd = seeded(seed);
  // Goods on shelves: soft coloured blocks that become bokeh once blurred.
  for (let row = 0; row < 3; row++) {
    const sy = wy + wh * (0.3 + row * 0.24);
    ctx.fillStyle = 'rgba(90,70,50,0.55)';
    ctx.fillRect(x + 8, sy, w - 16, 4);
    for (let i = 0; i < 6; i++) {
      const bw = 10 + rnd() * 18;
      const bh = 14 + rnd() * 26;
      ctx.fillStyle = `hsl(${Math.floor(rnd() * 360)},55%,${45 + Math.floor(rnd() * 25)}%)`;
      ctx.fillRect(x + 12 + i * ((w - 24) / 6), sy - bh, bw, bh);
    }
  }
  ctx.fillStyle = 'rgba(255,255,255,0.18)';
  ctx.beginPath();
  ctx.moveTo(x + w * 0.15, wy);
  ctx.lineTo(x + w * 0.4, wy);
  ctx.lineTo(x + w * 0.1, wy + wh);
  ctx.lineTo(x, wy + wh);
  ctx.closePath();
  ctx.fill();
  ctx.strokeStyle = '#2a2c31';
  ctx.lineWidth = 4;
  ctx.beginPath();
  ctx.moveTo(x + w / 2, wy);
  ctx.lineTo(x + w / 2, wy + wh);
  ctx.stroke();
}

export const paintShoppingMall: ScenePainter = (ctx, W, H) => {
  fillRectWith(ctx, vGradient(ctx, 0, H * 0.2, [[0, '#cfc8bd'], [1, '#e9e3d8']]), 0, 0, W, H * 0.2);
  // Upper gallery with a glass balustrade.
  fillRectWith(ctx, '#f2eee7', 0, H * 0.2, W, H * 0.06);
  fillRectWith(ctx, 'rgba(170,200,210,0.35)', 0, H * 0.12, W, H * 0.08);
  ctx.strokeStyle = '#9aa3a8';
  ctx.lineWidth = 3;
  ctx.beginPath();
  ctx.moveTo(0, H * 0.12);
  ctx.lineTo(W, H * 0.12);
  ctx.stroke();
  for (let x = 0; x < W; x += 90) glow(ctx, x + 45, H * 0.04, 60, '#fff3d0', 0.9);
  const y = H * 0.3;
  const h = H * 0.36;
  fillRectWith(ctx, '#ddd6cb', 0, H * 0.26, W, H * 0.44);
  const shopW = (W - 60) / SHOPS.length;
  SHOPS.forEach((shop, i) => shopFront(ctx, 30 + i * shopW + 14, y, shopW - 28, h, shop, 100 + i));
  // Pillars between shop fronts.
  for (let i = 0; i <= SHOPS.length; i++) {
    const px = 30 + i * shopW - 12;
    const g = ctx.createLinearGradient(px, 0, px + 24, 0);
    g.addColorStop(0, '#efeae2');
    g.addColorStop(1, '#bdb5a9');
    ctx.fillStyle = g;
    ctx.fillRect(px, H * 0.26, 24, H * 0.44);
  }
  // Polished floor with light reflections of the shop windows.
  fillRectWith(ctx, vGradient(ctx, H * 0.7, H, [[0, '#cfc6b8'], [1, '#a99e8f']]), 0, H * 0.7, W, H * 0.3);
  SHOPS.forEach((shop, i) => {
    const g = ctx.createLinearGradient(0, H * 0.7, 0, H);
    g.addColorStop(0, shop.light);
    g.addColorStop(1, 'rgba(255,255,255,0)');
    ctx.globalAlpha = 0.35;
    ctx.fillStyle = g;
    ctx.fillRect(30 + i * shopW + 20, H * 0.7, shopW - 40, H * 0.3);
    ctx.globalAlpha = 1;
  });
  // Planters.
  for (const px of [W * 0.12, W * 0.88]) {
    ctx.fillStyle = '#6d6257';
    ctx.fillRect(px - 40, H * 0.78, 80, 90);
    ctx.fillStyle = '#3e7d3a';
    for (const [dx, dy, r] of [[-20, 0, 34], [18, -8, 38], [0, -40, 40], [-30, -34, 28], [30, -40, 26]] as const) {
      ctx.beginPath();
      ctx.arc(px + dx, H * 0.76 + dy, r, 0, Math.PI * 2);
      ctx.fill();
    }
  }
};

export const paintBackgroundScreen: ScenePainter = (ctx, W, H) => {
  fillRectWith(ctx, vGradient(ctx, 0, H, [[0, '#070b1c'], [0.65, '#111836'], [1, '#05070f']]), 0, 0, W, H);
  const sx = W * 0.08;
  const sy = H * 0.07;
  const sw = W * 0.84;
  const sh = H * 0.58;
  // The screen's light spills onto the set around it.
  glow(ctx, W / 2, sy + sh / 2, W * 0.6, '#3d6bff', 0.35);
  ctx.save();
  ctx.shadowColor = 'rgba(80,140,255,0.8)';
  ctx.shadowBlur = 60;
  ctx.fillStyle = '#0c1233';
  ctx.beginPath();
  ctx.roundRect(sx, sy, sw, sh, 14);
  ctx.fill();
  ctx.restore();
  ctx.save();
  ctx.beginPath();
  ctx.roundRect(sx + 8, sy + 8, sw - 16, sh - 16, 8);
  ctx.clip();
  const bg = ctx.createLinearGradient(sx, sy, sx + sw, sy + sh);
  bg.addColorStop(0, '#143a9c');
  bg.addColorStop(0.55, '#3b2a9b');
  bg.addColorStop(1, '#8a2a8f');
  ctx.fillStyle = bg;
  ctx.fillRect(sx, sy, sw, sh);
  for (let k = 0; k < 7; k++) {
    ctx.strokeStyle = `rgba(${120 + k * 18},${200 - k * 10},255,${0.18 + k * 0.04})`;
    ctx.lineWidth = 2 + k;
    ctx.beginPath();
    for (let x = sx; x <= sx + sw; x += 12) {
      const yy = sy + sh * (0.55 + 0.03 * k) + Math.sin(x / 90 + k * 0.6) * 40 + Math.sin(x / 37 + k) * 10;
      if (x === sx) ctx.moveTo(x, yy);
      else ctx.lineTo(x, yy);
    }
    ctx.stroke();
  }
  ctx.fillStyle = 'rgba(255,255,255,0.07)';
  for (let gx = sx + 20; gx < sx + sw; gx += 28) for (let gy = sy + 20; gy < sy + sh; gy += 28) ctx.fillRect(gx, gy, 2, 2);
  ctx.fillStyle = 'rgba(255,255,255,0.16)';
  ctx.font = `bold ${Math.round(sh * 0.2)}px LivehostSans, DejaVu Sans, sans-serif`;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'alphabetic';
  ctx.fillText('LIVE', sx + 40, sy + sh * 0.3);
  ctx.restore();
  // Glossy floor reflecting the screen.
  const floor = H * 0.72;
  fillRectWith(ctx, vGradient(ctx, floor, H, [[0, 'rgba(70,90,200,0.35)'], [1, 'rgba(0,0,0,0)']]), sx, floor, sw, H - floor);
  for (const lx of [W * 0.03, W * 0.97]) {
    ctx.fillStyle = '#7fe6ff';
    ctx.fillRect(lx - 3, H * 0.05, 6, H * 0.8);
    glow(ctx, lx, H * 0.45, 120, '#3fd0ff', 0.35);
  }
};

export const paintPlainWall: ScenePainter = (ctx, W, H) => {
  fillRectWith(ctx, vGradient(ctx, 0, H, [[0, '#cfc6ba'], [1, '#b3a899']]), 0, 0, W, H);
  // Soft key light from the upper left, falling off across the wall.
  const light = ctx.createRadialGradient(W * 0.38, H * 0.2, 10, W * 0.42, H * 0.35, W * 0.6);
  light.addColorStop(0, 'rgba(255,248,236,0.85)');
  light.addColorStop(0.5, 'rgba(255,244,228,0.3)');
  light.addColorStop(1, 'rgba(255,244,228,0)');
  ctx.fillStyle = light;
  ctx.fillRect(0, 0, W, H);
  const rnd = seeded(31);
  // Faint plaster texture.
  for (let i = 0; i < 900; i++) {
    ctx.fillStyle = rnd() > 0.5 ? 'rgba(255,255,255,0.03)' : 'rgba(0,0,0,0.018)';
    ctx.fillRect(rnd() * W, rnd() * H, 2 + rnd() * 3, 2 + rnd() * 3);
  }
  // Wainscot panels on the lower wall.
  const dado = H * 0.66;
  fillRectWith(ctx, vGradient(ctx, dado, H, [[0, '#e7e1d6'], [1, '#c8bfb1']]), 0, dado, W, H - dado);
  fillRectWith(ctx, '#f3efe7', 0, dado - 6, W, 8);
  fillRectWith(ctx, 'rgba(0,0,0,0.12)', 0, dado + 2, W, 3);
  ctx.strokeStyle = 'rgba(0,0,0,0.10)';
  ctx.lineWidth = 3;
  const pw = W / 6;
  for (let i = 0; i < 6; i++) {
    ctx.strokeRect(i * pw + 22, dado + 30, pw - 44, H - dado - 50);
  }
  for (const lx of [W * 0.1, W * 0.9]) glow(ctx, lx, H * 0.3, 160, '#ffe2b0', 0.45);
};
