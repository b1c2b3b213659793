import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { NO_CHANGE } from '../renderer/layout.js';
import { I420Picture } from './i420-picture.js';

const W = 64;
const H = 48;

/** 16×16 blocks of pseudo-random colours, sharp edges included. */
function blocks(seed: number): Buffer {
  const rgba = Buffer.alloc(W * H * 4);
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) & 0x7fffffff) & 255;
  for (let by = 0; by < H; by += 16) {
    for (let bx = 0; bx < W; bx += 16) {
      const [r, g, b] = [next(), next(), next()];
      for (let y = by; y < by + 16; y++) {
        for (let x = bx; x < bx + 16; x++) rgba.set([r, g, b, 255], (y * W + x) * 4);
      }
    }
  }
  return rgba;
}

function swscale(rgba: Buffer): Buffer {
  return execFileSync('ffmpeg', ['-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', `${W}x${H}`, '-i', 'pipe:0',
    // area: swscale's 2×2 box average; its default (bicubic) rings a step or two at sharp edges.
    '-sws_flags', 'area', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1'], { input: rgba });
}

describe('I420 picture', () => {
  it('converts RGBA to the same yuv420p as ffmpeg does, within one code value', () => {
    const rgba = blocks(7);
    const pic = new I420Picture(W, H);
    pic.paint(rgba);
    const ref = swscale(rgba);
    expect(pic.data.length).toBe(ref.length);
    let worst = 0;
    for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(pic.data[i]! - ref[i]!));
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('reads input that is not 4-byte aligned the same', () => {
    const rgba = blocks(5);
    const shifted = Buffer.alloc(rgba.length + 1).subarray(1);
    rgba.copy(shifted);
    const a = new I420Picture(W, H);
    const b = new I420Picture(W, H);
    a.paint(rgba);
    b.paint(shifted);
    expect(b.data.equals(a.data)).toBe(true);
  });

  it('maps white and black to limited-range 235/16 with neutral chroma', () => {
    const pic = new I420Picture(2, 2);
    pic.paint(Buffer.from([255, 255, 255, 255, 255, 255, 255, 255, 0, 0, 0, 255, 0, 0, 0, 255]));
    expect([...pic.data]).toEqual([235, 235, 16, 16, 128, 128]);
  });

  it('paints a patch into its box and leaves every other sample as it was', () => {
    const pic = new I420Picture(W, H);
    pic.paint(blocks(1));
    const start = Buffer.from(pic.data);
    const after = blocks(2);
    const box = { x: 10, y: 4, width: 22, height: 10 };
    const patch = Buffer.alloc(box.width * box.height * 4);
    for (let y = 0; y < box.height; y++) after.copy(patch, y * box.width * 4, ((box.y + y) * W + box.x) * 4, ((box.y + y) * W + box.x + box.width) * 4);
    pic.paint(patch, box);
    const full = new I420Picture(W, H);
    full.paint(after);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const inside = x >= 10 && x < 32 && y >= 4 && y < 14;
        expect(pic.data[y * W + x], `Y ${x},${y}`).toBe(inside ? full.data[y * W + x] : start[y * W + x]);
      }
    }
    const u = W * H;
    for (let y = 0; y < H / 2; y++) {
      for (let x = 0; x < W / 2; x++) {
        const inside = x >= 5 && x < 16 && y >= 2 && y < 7;
        for (const plane of [u, u + (W * H) / 4]) {
          const i = plane + y * (W / 2) + x;
          expect(pic.data[i], `chroma ${x},${y}`).toBe(inside ? full.data[i] : start[i]);
        }
      }
    }
  });

  it('starts black, ignores an empty patch and refuses patches off the chroma grid or of the wrong size', () => {
    const pic = new I420Picture(W, H);
    expect(pic.data[0]).toBe(16);
    expect(pic.data[W * H]).toBe(128);
    pic.paint(blocks(3));
    const start = Buffer.from(pic.data);
    pic.paint(Buffer.alloc(0), NO_CHANGE);
    expect(pic.data.equals(start)).toBe(true);
    expect(() => pic.paint(Buffer.alloc(10))).toThrow(/expected/);
    expect(() => pic.paint(Buffer.alloc(4 * 4 * 4), { x: 1, y: 0, width: 4, height: 4 })).toThrow(/grid/);
    expect(() => pic.paint(Buffer.alloc(4 * 4 * 4), { x: W - 2, y: 0, width: 4, height: 4 })).toThrow(/grid/);
    expect(() => new I420Picture(63, 48)).toThrow(/even/);
  });
});
