import { createCanvas, ImageData, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import type { FrameState } from './frame-state.js';
import { FONT_FAMILY } from './fonts.js';
import { DESIGN_HEIGHT, panelRect } from './layout.js';

type Panel = NonNullable<FrameState['panel']>;

/**
 * The product/slide card beside the avatar: a white card with a soft shadow, the title
 * on a band above the image, the image fitted inside (no image: the title in large type fills
 * the body), a product's price on a band at the bottom. Painted once per panel.
 */
export class PanelOverlay {
  private last: { rgba: Uint8Array | null; imageW: number; imageH: number; title: string | null; price: string | null; canvas: Canvas } | null = null;

  constructor(private readonly width: number, private readonly height: number) {}

  /** How far the card's sprite (its shadow) reaches beyond panelRect on each side. */
  static margin(height: number): number {
    return Math.round(24 * (height / DESIGN_HEIGHT));
  }

  draw(ctx: SKRSContext2D, panel: FrameState['panel']): void {
    if (!panel || (!panel.image && !panel.title)) return;
    const rect = panelRect(this.width, this.height);
    const margin = PanelOverlay.margin(this.height);
    // Keyed on the pixel array, not the wrapper object: a bridge may rebuild FrameState
    // (and its panel object) every frame around the same decoded image.
    const img = panel.image;
    const last = this.last;
    let sprite = last?.canvas;
    const price = panel.price ?? null;
    if (!last || !sprite || last.rgba !== (img?.rgba ?? null) || last.imageW !== (img?.width ?? 0) || last.imageH !== (img?.height ?? 0)
      || last.title !== panel.title || last.price !== price) {
      sprite = this.paint(panel);
      this.last = { rgba: img?.rgba ?? null, imageW: img?.width ?? 0, imageH: img?.height ?? 0, title: panel.title, price, canvas: sprite };
    }
    ctx.drawImage(sprite, rect.x - margin, rect.y - margin);
  }

  private paint(panel: Panel): Canvas {
    const s = this.height / DESIGN_HEIGHT;
    const rect = panelRect(this.width, this.height);
    const margin = PanelOverlay.margin(this.height);
    const canvas = createCanvas(rect.width + margin * 2, rect.height + margin * 2);
    const ctx = canvas.getContext('2d');
    const radius = Math.round(14 * s);
    ctx.save();
    ctx.shadowColor = 'rgba(0,0,0,0.35)';
    ctx.shadowBlur = 18 * s;
    ctx.shadowOffsetY = 6 * s;
    ctx.fillStyle = '#ffffff';
    ctx.beginPath();
    ctx.roundRect(margin, margin, rect.width, rect.height, radius);
    ctx.fill();
    ctx.restore();
    ctx.save();
    ctx.beginPath();
    ctx.roundRect(margin, margin, rect.width, rect.height, radius);
    ctx.clip();
    let top = margin;
    const image = panel.image && panel.image.width > 0 && panel.image.height > 0 && panel.image.rgba.length >= panel.image.width * panel.image.height * 4
      ? panel.image : null;
    // Without a picture the card's body would be blank: the title fills it instead of a band.
    if (panel.title && !image) {
      this.bodyTitle(ctx, panel.title, margin, rect.width, margin + rect.height - (panel.price ? Math.round(64 * s) : 0), s);
    } else if (panel.title) {
      const band = Math.round(54 * s);
      ctx.fillStyle = '#14182b';
      ctx.fillRect(margin, margin, rect.width, band);
      ctx.fillStyle = '#ff4d6d';
      ctx.fillRect(margin, margin + band - Math.round(4 * s), rect.width, Math.round(4 * s));
      let size = Math.round(24 * s);
      ctx.font = `bold ${size}px ${FONT_FAMILY}`;
      const maxW = rect.width - 32 * s;
      while (size > 12 * s && ctx.measureText(panel.title).width > maxW) {
        size -= 1;
        ctx.font = `bold ${size}px ${FONT_FAMILY}`;
      }
      let title = panel.title;
      while (title.length > 1 && ctx.measureText(title).width > maxW) title = title.slice(0, -2) + '…';
      ctx.fillStyle = '#ffffff';
      ctx.textBaseline = 'middle';
      ctx.fillText(title, margin + 16 * s, margin + band / 2);
      top += band;
    }
    // A product card's price sits on a band at the bottom, in the card's accent colour.
    let bottom = margin + rect.height;
    if (panel.price) {
      const band = Math.round(64 * s);
      bottom -= band;
      ctx.fillStyle = '#ff4d6d';
      ctx.fillRect(margin, bottom, rect.width, band);
      ctx.font = `bold ${Math.round(34 * s)}px ${FONT_FAMILY}`;
      ctx.fillStyle = '#ffffff';
      ctx.textBaseline = 'middle';
      ctx.textAlign = 'center';
      ctx.fillText(panel.price, margin + rect.width / 2, bottom + band / 2);
      ctx.textAlign = 'start';
    }
    if (image) {
      const img = image;
      const src = createCanvas(img.width, img.height);
      const pixels = new Uint8ClampedArray(img.rgba.buffer, img.rgba.byteOffset, img.width * img.height * 4);
      src.getContext('2d').putImageData(new ImageData(pixels, img.width, img.height), 0, 0);
      const pad = Math.round(14 * s);
      const boxW = rect.width - pad * 2;
      const boxH = bottom - top - pad * 2;
      const k = Math.min(boxW / img.width, boxH / img.height);
      const dw = img.width * k;
      const dh = img.height * k;
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(src, margin + pad + (boxW - dw) / 2, top + pad + (boxH - dh) / 2, dw, dh);
    }
    ctx.restore();
    return canvas;
  }

  /** The title in large dark type, wrapped to at most three lines, centred in the card's body above `bottom`. */
  private bodyTitle(ctx: SKRSContext2D, title: string, left: number, width: number, bottom: number, s: number): void {
    const maxW = width - 40 * s;
    let size = Math.round(40 * s);
    let lines: string[] = [];
    for (; size >= 16 * s; size -= 2) {
      ctx.font = `bold ${size}px ${FONT_FAMILY}`;
      lines = wrap(ctx, title, maxW);
      if (lines.length <= 3) break;
    }
    lines = lines.slice(0, 3);
    const lineH = size * 1.2;
    const top = left; // the card starts at the margin on both axes
    const y0 = top + (bottom - top - lineH * lines.length) / 2 + lineH / 2;
    ctx.fillStyle = '#14182b';
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'center';
    lines.forEach((line, i) => ctx.fillText(line, left + width / 2, y0 + i * lineH));
    ctx.textAlign = 'start';
  }
}

/** Greedy word wrap by measured width; a word wider than the line is cut with an ellipsis. */
function wrap(ctx: SKRSContext2D, text: string, maxW: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : word;
    if (ctx.measureText(next).width <= maxW || !line) line = next;
    else { lines.push(line); line = word; }
  }
  if (line) lines.push(line);
  return lines.map((l) => {
    let cut = l;
    while (cut.length > 1 && ctx.measureText(cut).width > maxW) cut = cut.slice(0, -2) + '…';
    return cut;
  });
}
