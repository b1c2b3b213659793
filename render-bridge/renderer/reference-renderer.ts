import { createCanvas } from '@napi-rs/canvas';
import { BackgroundCache } from './background-cache.js';
import { CaptionOverlay } from './caption-overlay.js';
import { characterStyle } from './characters.js';
import { drawArms, drawBody, drawUpperArms } from './draw-body.js';
import { drawHairBack, drawHead } from './draw-head.js';
import { RendererError } from './errors.js';
import { ensureFonts } from './fonts.js';
import type { FrameState, Renderer } from './frame-state.js';
import { avatarPlacement } from './layout.js';
import { mouthShapeAt } from './mouth-shapes.js';
import { PanelOverlay } from './panel-overlay.js';
import { computePose } from './pose.js';

export { mouthRegion, eyeRegion, panelRect, captionArea, type Box } from './layout.js';
export { mouthOpenPixels } from './mouth-metrics.js';

export interface ReferenceRendererOptions {
  width: number;
  height: number;
}

/** The head turns around the neck, this far below the head centre (head units). */
const NECK_PIVOT_Y = 110;

/**
 * The built-in renderer: a 2D layered avatar drawn in-process with Skia
 * (@napi-rs/canvas). Backgrounds, captions and panels are painted once and blitted;
 * only the avatar is drawn per frame. `render` returns a fresh RGBA buffer the caller
 * may keep; the frame is fully opaque, so Skia's premultiplied pixels equal straight RGBA.
 *
 * Callers must yield to the event loop between frames (any real-time frame loop does):
 * @napi-rs/canvas frees each frame's native pixel copy in a finalizer that only runs
 * there, so a tight synchronous loop grows RSS by one frame per call.
 */
export function createReferenceRenderer(options: ReferenceRendererOptions): Renderer {
  const { width, height } = options;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 2 || height < 2 || width % 2 || height % 2) {
    throw new RendererError('bad_size', `reference renderer: width and height must be positive even integers, got ${width}x${height}`);
  }
  ensureFonts();
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  const backgrounds = new BackgroundCache(width, height);
  const captions = new CaptionOverlay(width, height);
  const panels = new PanelOverlay(width, height);

  return {
    name: 'reference',
    render(state: FrameState): Buffer {
      if (state.width !== width || state.height !== height) {
        throw new RendererError('size_mismatch', `frame is ${state.width}x${state.height} but the renderer draws ${width}x${height}`);
      }
      const style = characterStyle(state.look.character);
      const place = avatarPlacement(state.look.camera, width, height);
      const pose = computePose(state);
      const mouth = mouthShapeAt(state.mouth);

      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.globalAlpha = 1;
      ctx.drawImage(backgrounds.get(state.look.scene, state.look.camera), 0, 0);

      ctx.save();
      ctx.translate(place.x, place.y);
      ctx.scale(place.unit, place.unit);
      const headTransform = (): void => {
        ctx.translate(pose.headX, pose.headY + NECK_PIVOT_Y);
        ctx.rotate(pose.headRot);
        ctx.translate(0, -NECK_PIVOT_Y);
      };
      ctx.save();
      headTransform();
      drawHairBack(ctx, style);
      ctx.restore();
      drawUpperArms(ctx, style, pose);
      drawBody(ctx, style, pose, place.turn);
      ctx.save();
      headTransform();
      drawHead(ctx, { style, pose, mouth, blink: state.blink, turn: place.turn });
      ctx.restore();
      drawArms(ctx, style, pose);
      ctx.restore();

      panels.draw(ctx, state.panel);
      captions.draw(ctx, state.caption);
      return canvas.data();
    },
    close(): void {
      backgrounds.clear();
    },
  };
}
