import { existsSync } from 'node:fs';
import { GlobalFonts } from '@napi-rs/canvas';

/** The family every overlay names; falls back to installed sans fonts when unregistered. */
export const FONT_FAMILY = 'LivehostSans, "DejaVu Sans", sans-serif';

const FONT_FILES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
];

let registered = false;

/**
 * Registers DejaVu Sans under one alias so text draws the same glyphs on every host
 * (the portable text renderer only guarantees that for registered fonts).
 */
export function ensureFonts(): void {
  if (registered) return;
  registered = true;
  for (const file of FONT_FILES) if (existsSync(file)) GlobalFonts.registerFromPath(file, 'LivehostSans');
}
