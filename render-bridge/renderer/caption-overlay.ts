import { createCanvas, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import { FONT_FAMILY } from './fonts.js';
import { DESIGN_HEIGHT, captionArea } from './layout.js';

const MAX_LINES = 2;
/** Font sizes tried in turn (720p px) before a caption is cut with an ellipsis. */
const FONT_SIZES = [30, 26, 22];
const CACHE_SIZE = 8;

/** Greedy word wrap; a word longer than a line is split by characters. */
export function wrapText(ctx: SKRSContext2D, text: string, maxWidth: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (ctx.measureText(candidate).width <= maxWidth) {
      line = candidate;
      continue;
    }
    if (line) lines.push(line);
    line = word;
    while (ctx.measureText(line).width > maxWidth && line.length > 1) {
      let cut = line.length - 1;
      while (cut > 1 && ctx.measureText(line.slice(0, cut)).width > maxWidth) cut--;
      lines.push(line.slice(0, cut));
      line = line.slice(cut);
    }
  }
  if (line) lines.push(line);
  return lines;
}

function fitLines(ctx: SKRSContext2D, text: string, maxWidth: number, s: number): { lines: string[]; size: number } {
  let lines: string[] = [];
  let size = 0;
  for (const base of FONT_SIZES) {
    size = Math.round(base * s);
    ctx.font = `${size}px ${FONT_FAMILY}`;
    lines = wrapText(ctx, text, maxWidth);
    if (lines.length <= MAX_LINES) return { lines, size };
  }
  lines = lines.slice(0, MAX_LINES);
  let last = lines[MAX_LINES - 1] ?? '';
  while (last.length > 0 && ctx.measureText(`${last}…`).width > maxWidth) last = last.slice(0, -1).trimEnd();
  lines[MAX_LINES - 1] = `${last}…`;
  return { lines, size };
}

interface CaptionSprite { canvas: Canvas; x: number; y: number }

/** The caption as shown: whitespace collapsed, null when nothing would show. */
export function normalizeCaption(text: string | null | undefined): string | null {
  return text?.replace(/\s+/g, ' ').trim() || null;
}

/**
 * Lower-third captions: a dark box with an accent bar, at most two lines. Each text is
 * laid out and drawn once and then blitted, since a caption stays up for many frames.
 */
export class CaptionOverlay {
  private readonly sprites = new Map<string, CaptionSprite>();

  constructor(private readonly width: number, private readonly height: number) {}

  draw(ctx: SKRSContext2D, text: string | null): void {
    const clean = normalizeCaption(text);
    if (!clean) return;
    let sprite = this.sprites.get(clean);
    if (!sprite) {
      sprite = this.paint(clean);
      if (this.sprites.size >= CACHE_SIZE) {
        const oldest = this.sprites.keys().next().value;
        if (oldest !== undefined) this.sprites.delete(oldest);
      }
      this.sprites.set(clean, sprite);
    }
    ctx.drawImage(sprite.canvas, sprite.x, sprite.y);
  }

  private paint(text: string): CaptionSprite {
    const s = this.height / DESIGN_HEIGHT;
    const area = captionArea(this.width, this.height);
    const pad = Math.round(20 * s);
    const bar = Math.round(8 * s);
    const measure = createCanvas(1, 1).getContext('2d');
    const { lines, size } = fitLines(measure, text, area.width - pad * 2 - bar, s);
    const lineH = Math.round(size * 1.3);
    const boxH = lines.length * lineH + pad * 2 - Math.round(size * 0.3);
    const canvas = createCanvas(area.width, boxH);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = 'rgba(10,14,30,0.82)';
    ctx.beginPath();
    ctx.roundRect(0, 0, area.width, boxH, Math.round(10 * s));
    ctx.fill();
    ctx.fillStyle = '#ff4d6d';
    ctx.beginPath();
    ctx.roundRect(0, 0, bar, boxH, [Math.round(10 * s), 0, 0, Math.round(10 * s)]);
    ctx.fill();
    ctx.fillStyle = '#ffffff';
    ctx.font = `${size}px ${FONT_FAMILY}`;
    ctx.textBaseline = 'top';
    lines.forEach((line, i) => ctx.fillText(line, bar + pad, pad + i * lineH));
    return { canvas, x: area.x, y: area.y + area.height - boxH };
  }
}
