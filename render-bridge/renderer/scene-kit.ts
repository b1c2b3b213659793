import type { SKRSContext2D } from '@napi-rs/canvas';

/** Paints one scene's static background in design units (height 720, width W). */
export type ScenePainter = (ctx: SKRSContext2D, W: number, H: number) => void;

/** A small seeded PRNG (mulberry32): scenery scatter is random-looking but identical every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function vGradient(ctx: SKRSContext2D, y0: number, y1: number, stops: Array<[number, string]>): CanvasGradient {
  const g = ctx.createLinearGradient(0, y0, 0, y1);
  for (const [at, color] of stops) g.addColorStop(at, color);
  return g;
}

export function fillRectWith(ctx: SKRSContext2D, style: string | CanvasGradient, x: number, y: number, w: number, h: number): void {
  ctx.fillStyle = style;
  ctx.fillRect(x, y, w, h);
}

export function glow(ctx: SKRSContext2D, x: number, y: number, r: number, color: string, alpha: number): void {
  const g = ctx.createRadialGradient(x, y, 0, x, y, r);
  g.addColorStop(0, withAlpha(color, alpha));
  g.addColorStop(1, withAlpha(color, 0));
  ctx.fillStyle = g;
  ctx.fillRect(x - r, y - r, r * 2, r * 2);
}

/** '#rrggbb' plus alpha → 'rgba(...)'. */
export function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}

export function blob(ctx: SKRSContext2D, circles: Array<[number, number, number]>, color: string | CanvasGradient): void {
  ctx.beginPath();
  for (const [x, y, r] of circles) {
    ctx.moveTo(x + r, y);
    ctx.arc(x, y, r, 0, Math.PI * 2);
  }
  ctx.fillStyle = color;
  ctx.fill();
}
