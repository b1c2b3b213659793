import { createCanvas } from '@napi-rs/canvas';
import { BackgroundCache } from './background-cache.js';
import { CaptionOverlay, normalizeCaption } from './caption-overlay.js';
import { characterStyle } from './characters.js';
import { AvatarSprites, drawSprite } from './avatar-sprites.js';
import { breathTransform, drawArms, drawUpperArms } from './draw-body.js';
import { drawFaceFeatures, drawFaceTop, drawHairBack } from './draw-head.js';
import { RendererError } from './errors.js';
import { ensureFonts } from './fonts.js';
import { evenBox, type FramePatch } from './frame-patch.js';
import type { FrameState, Renderer } from './frame-state.js';
import { avatarPlacement, avatarRegion, captionArea, panelRect, unionBox, type Box } from './layout.js';
import { mouthShapeAt } from './mouth-shapes.js';
import { PanelOverlay } from './panel-overlay.js';
import { computePose } from './pose.js';

export { mouthRegion, eyeRegion, avatarRegion, panelRect, captionArea, type Box } from './layout.js';
export { mouthOpenPixels } from './mouth-metrics.js';

export interface ReferenceRendererOptions {
  width: number;
  height: number;
}

/** The head turns around the neck, this far below the head centre (head units). */
const NECK_PIVOT_Y = 110;

/** What a frame showed, to tell which part of the next one must be redrawn. */
interface Shown {
  scene: string;
  camera: string;
  character: string;
  action: FrameState['action'];
  caption: string | null;
  panelTitle: string | null;
  panelPixels: Uint8Array | null;
  panelPrice: string | null;
}

function shown(state: FrameState): Shown {
  const { look, panel } = state;
  const visible = panel && (panel.image || panel.title) ? panel : null;
  return {
    scene: look.scene, camera: look.camera, character: look.character, action: state.action,
    caption: normalizeCaption(state.caption),
    panelTitle: visible?.title ?? null, panelPixels: visible?.image?.rgba ?? null, panelPrice: visible?.price ?? null,
  };
}

/**
 * The built-in renderer: a 2D layered avatar drawn in-process with Skia
 * (@napi-rs/canvas). Backgrounds, captions and panels are painted once and blitted.
 * Each frame redraws only the region the avatar can reach for its action (plus the
 * caption band or panel card when they change) over the cached background, under a
 * clip, so the rest of the canvas keeps the previous frame's pixels, and `renderPatch`
 * reads back only that box. A new scene, camera or character, or a failed frame,
 * redraws everything. `render` returns a fresh RGBA buffer of the whole frame the
 * caller may keep; frames are fully opaque, so Skia's premultiplied pixels equal
 * straight RGBA.
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
  const whole: Box = { x: 0, y: 0, width, height };
  const card = panelRect(width, height);
  const cardMargin = PanelOverlay.margin(height);
  const cardBox: Box = { x: card.x - cardMargin, y: card.y - cardMargin, width: card.width + 2 * cardMargin, height: card.height + 2 * cardMargin };
  const captionBand = captionArea(width, height);
  let last: Shown | null = null;
  let sprites: { key: string; parts: AvatarSprites } | null = null;

  function spritesFor(look: FrameState['look']): AvatarSprites {
    const key = `${look.character}|${look.camera}`;
    if (sprites?.key !== key) {
      const place = avatarPlacement(look.camera, width, height);
      sprites = { key, parts: new AvatarSprites(characterStyle(look.character), place.turn, place.unit) };
    }
    return sprites.parts;
  }

  /** The part of the canvas that differs between what `prev` showed and what `next` shows. */
  function toRedraw(prev: Shown | null, next: Shown, look: FrameState['look']): Box {
    if (!prev || prev.scene !== next.scene || prev.camera !== next.camera || prev.character !== next.character) return whole;
    let box = unionBox(avatarRegion(look, prev.action, width, height), avatarRegion(look, next.action, width, height));
    if (prev.caption !== next.caption) box = unionBox(box, captionBand);
    if (prev.panelTitle !== next.panelTitle || prev.panelPixels !== next.panelPixels || prev.panelPrice !== next.panelPrice) box = unionBox(box, cardBox);
    return evenBox(box, width, height);
  }

  function draw(state: FrameState, box: Box): void {
    const style = characterStyle(state.look.character);
    const place = avatarPlacement(state.look.camera, width, height);
    const pose = computePose(state);
    const mouth = mouthShapeAt(state.mouth);
    const parts = spritesFor(state.look);

    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.globalAlpha = 1;
    ctx.save();
    ctx.beginPath();
    ctx.rect(box.x, box.y, box.width, box.height);
    ctx.clip();
    ctx.drawImage(backgrounds.get(state.look.scene, state.look.camera), box.x, box.y, box.width, box.height, box.x, box.y, box.width, box.height);

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
    ctx.save();
    breathTransform(ctx, pose.breath);
    drawSprite(ctx, parts.body);
    ctx.restore();
    ctx.save();
    headTransform();
    drawSprite(ctx, parts.face(mouth.open));
    drawFaceFeatures(ctx, { style, pose, mouth, blink: state.blink, turn: place.turn });
    drawFaceTop(ctx, style, place.turn);
    ctx.restore();
    drawArms(ctx, style, pose);
    ctx.restore();

    panels.draw(ctx, state.panel);
    captions.draw(ctx, state.caption);
    ctx.restore();
  }

  /** Brings the canvas to `state`; returns the box that changed. */
  function update(state: FrameState): Box {
    if (state.width !== width || state.height !== height) {
      throw new RendererError('size_mismatch', `frame is ${state.width}x${state.height} but the renderer draws ${width}x${height}`);
    }
    const next = shown(state);
    const box = toRedraw(last, next, state.look);
    // Until this frame is drawn the canvas is in no known state: a throw means a full redraw next.
    last = null;
    draw(state, box);
    last = next;
    return box;
  }

  return {
    name: 'reference',
    render(state: FrameState): Buffer {
      update(state);
      return canvas.data();
    },
    renderPatch(state: FrameState): FramePatch {
      const box = update(state);
      if (box.width === 0 || box.height === 0) return { box, rgba: Buffer.alloc(0) };
      const { data } = ctx.getImageData(box.x, box.y, box.width, box.height);
      return { box, rgba: Buffer.from(data.buffer, data.byteOffset, data.length) };
    },
    close(): void {
      backgrounds.clear();
      sprites = null;
    },
  };
}
