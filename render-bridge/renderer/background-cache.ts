import { createCanvas, type Canvas } from '@napi-rs/canvas';
import { DESIGN_HEIGHT } from './layout.js';
import type { ScenePainter } from './scene-kit.js';
import { paintBackgroundScreen, paintPlainWall, paintShoppingMall } from './scenes-indoor.js';
import { paintBeach, paintPark } from './scenes-outdoor.js';
import type { SCENES } from '../../protocol/index.js';
import type { AvatarLookState } from './types.js';

type Scene = (typeof SCENES)[number];
type Camera = AvatarLookState['camera'];

const PAINTERS: Readonly<Record<Scene, ScenePainter>> = {
  park: paintPark,
  beach: paintBeach,
  'shopping-mall': paintShoppingMall,
  'background-screen': paintBackgroundScreen,
  'plain-wall': paintPlainWall,
};

/** Depth-of-field blur per scene at 720p: busy sets get more so the host stands out. */
const BLUR: Readonly<Record<Scene, number>> = {
  park: 2.5,
  beach: 2,
  'shopping-mall': 4,
  'background-screen': 1.5,
  'plain-wall': 0,
};

/** Paints a scene's static background once: sky, set and lighting, blurred and vignetted. */
export function paintBackground(sceneName: string, camera: Camera, width: number, height: number): Canvas {
  // An unknown scene (a newer protocol) gets the neutral wall rather than a failed frame.
  const scene: Scene = sceneName in PAINTERS ? (sceneName as Scene) : 'plain-wall';
  const s = height / DESIGN_HEIGHT;
  const W = width / s;
  const raw = createCanvas(width, height);
  const rctx = raw.getContext('2d');
  rctx.scale(s, s);
  if (camera === 'side') {
    // The second camera sees the set from further left and closer in.
    rctx.translate(W * 0.62, DESIGN_HEIGHT * 0.45);
    rctx.scale(1.14, 1.14);
    rctx.translate(-W * 0.56, -DESIGN_HEIGHT * 0.45);
  }
  PAINTERS[scene](rctx, W, DESIGN_HEIGHT);

  const out = createCanvas(width, height);
  const ctx = out.getContext('2d');
  // Unblurred first, so the blur's transparent fringe at the frame edge shows the scene, not black.
  ctx.drawImage(raw, 0, 0);
  const blur = BLUR[scene] * s;
  if (blur > 0) {
    ctx.filter = `blur(${blur.toFixed(2)}px)`;
    ctx.drawImage(raw, 0, 0);
    ctx.filter = 'none';
  }
  const v = ctx.createRadialGradient(width / 2, height * 0.45, height * 0.35, width / 2, height * 0.45, width * 0.75);
  v.addColorStop(0, 'rgba(0,0,0,0)');
  v.addColorStop(1, 'rgba(0,0,0,0.35)');
  ctx.fillStyle = v;
  ctx.fillRect(0, 0, width, height);
  return out;
}

/** Backgrounds by (scene, camera); the size is fixed per renderer. */
export class BackgroundCache {
  private readonly canvases = new Map<string, Canvas>();

  constructor(private readonly width: number, private readonly height: number) {}

  get(scene: string, camera: Camera): Canvas {
    const key = `${scene}|${camera}`;
    let canvas = this.canvases.get(key);
    if (!canvas) {
      canvas = paintBackground(scene, camera, this.width, this.height);
      this.canvases.set(key, canvas);
    }
    return canvas;
  }

  clear(): void {
    this.canvases.clear();
  }
}
