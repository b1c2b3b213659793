import type { Box } from '../renderer/layout.js';

/** Where R, G and B sit in a pixel read as one 32-bit word (RGBA bytes in memory). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const R = LITTLE_ENDIAN ? 0 : 24;
const G = LITTLE_ENDIAN ? 8 : 16;
const B = LITTLE_ENDIAN ? 16 : 8;

/**
 * The picture the encoder is fed, kept in I420 (planar Y, then U and V at half size:
 * ffmpeg's yuv420p, what x264 encodes natively). Only the part of a frame that changed
 * is converted, and 1.5 bytes per pixel cross the pipe instead of RGBA's 4, so neither
 * swscale nor a 3.7 MB pipe copy is paid for the static background of every frame.
 *
 * Colours use BT.601 limited range, swscale's default from RGB, so the stream looks as it
 * did when ffmpeg converted; chroma is the mean of each 2×2 block (swscale's `area`; its
 * default bicubic differs by a step or two at sharp colour edges only).
 */
export class I420Picture {
  /** Y plane, then U, then V. */
  readonly data: Buffer;
  private readonly uOffset: number;
  private readonly vOffset: number;

  constructor(readonly width: number, readonly height: number) {
    if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0 && width % 2 === 0 && height % 2 === 0)) {
      throw new RangeError(`I420 needs positive even dimensions, got ${width}x${height}`);
    }
    this.uOffset = width * height;
    this.vOffset = this.uOffset + (width * height) / 4;
    // Black until the first frame is painted.
    this.data = Buffer.alloc((width * height * 3) / 2, 128);
    this.data.fill(16, 0, this.uOffset);
  }

  /**
   * Converts RGBA pixels into the planes (alpha ignored: the renderer's frames are
   * opaque): a whole frame, or the pixels of `box` (rows of box.width·4 bytes), whose
   * corners must lie on the 2×2 chroma grid so no block is half known.
   */
  paint(rgba: Uint8Array, box?: Box): void {
    const w = this.width;
    const b = box ?? { x: 0, y: 0, width: w, height: this.height };
    if (b.width <= 0 || b.height <= 0) return;
    if (b.x % 2 || b.y % 2 || b.width % 2 || b.height % 2 || b.x < 0 || b.y < 0 || b.x + b.width > w || b.y + b.height > this.height) {
      throw new RangeError(`box ${b.x},${b.y} ${b.width}x${b.height} is not on the 2x2 grid inside ${w}x${this.height}`);
    }
    if (rgba.length !== b.width * b.height * 4) throw new RangeError(`frame is ${rgba.length} bytes, expected ${b.width * b.height * 4}`);
    // One 32-bit load per pixel (a quarter faster than four byte loads); an unaligned
    // view would throw, so such input is copied first.
    const aligned = rgba.byteOffset % 4 === 0 ? rgba : Uint8Array.from(rgba);
    const src = new Uint32Array(aligned.buffer, aligned.byteOffset, aligned.length / 4);
    const dst = this.data;
    const { uOffset, vOffset } = this;
    const cw = w / 2;
    for (let y = b.y; y < b.y + b.height; y += 2) {
      let s0 = (y - b.y) * b.width;
      let s1 = s0 + b.width;
      let d0 = y * w + b.x;
      let d1 = d0 + w;
      let c = (y >> 1) * cw + (b.x >> 1);
      const end = d0 + b.width;
      while (d0 < end) {
        const p0 = src[s0]!, p1 = src[s0 + 1]!, p2 = src[s1]!, p3 = src[s1 + 1]!;
        const r0 = (p0 >>> R) & 255, g0 = (p0 >>> G) & 255, b0 = (p0 >>> B) & 255;
        const r1 = (p1 >>> R) & 255, g1 = (p1 >>> G) & 255, b1 = (p1 >>> B) & 255;
        const r2 = (p2 >>> R) & 255, g2 = (p2 >>> G) & 255, b2 = (p2 >>> B) & 255;
        const r3 = (p3 >>> R) & 255, g3 = (p3 >>> G) & 255, b3 = (p3 >>> B) & 255;
        // Y = 16 + (66R + 129G + 25B) / 256, rounded (16.5 · 256 = 4224).
        dst[d0] = (66 * r0 + 129 * g0 + 25 * b0 + 4224) >> 8;
        dst[d0 + 1] = (66 * r1 + 129 * g1 + 25 * b1 + 4224) >> 8;
        dst[d1] = (66 * r2 + 129 * g2 + 25 * b2 + 4224) >> 8;
        dst[d1 + 1] = (66 * r3 + 129 * g3 + 25 * b3 + 4224) >> 8;
        // U, V = 128 + (coefficients · mean of the four) / 256, rounded: sums of four
        // pixels, so /1024 with (128 + 0.5) · 1024 = 131584 added.
        const r = r0 + r1 + r2 + r3;
        const g = g0 + g1 + g2 + g3;
        const bl = b0 + b1 + b2 + b3;
        dst[uOffset + c] = (-38 * r - 74 * g + 112 * bl + 131584) >> 10;
        dst[vOffset + c] = (112 * r - 94 * g - 18 * bl + 131584) >> 10;
        s0 += 2;
        s1 += 2;
        d0 += 2;
        d1 += 2;
        c++;
      }
    }
  }
}
