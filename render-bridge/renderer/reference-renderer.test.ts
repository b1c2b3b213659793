import { describe, expect, it } from 'vitest';
import { CHARACTERS, SCENES, VISEMES } from '../../protocol/index.js';
import { RendererError } from './errors.js';
import { applyPatch } from './frame-patch.js';
import type { FrameState } from './frame-state.js';
import { captionArea, createReferenceRenderer, eyeRegion, mouthOpenPixels, mouthRegion, panelRect, type Box } from './reference-renderer.js';

const W = 640;
const H = 360;
const renderer = createReferenceRenderer({ width: W, height: H });

function frame(over: Partial<FrameState> = {}): FrameState {
  return {
    width: W, height: H, timeMs: 2_000,
    look: { character: 'ava', scene: 'plain-wall', camera: 'front' },
    action: 'Idle', mouth: { from: 'sil', to: 'sil', weight: 0 }, blink: 0, speaking: false,
    caption: null, panel: null, ...over,
  };
}

/** Mean absolute difference per channel inside a box (whole frame when omitted). */
function diff(a: Buffer, b: Buffer, box: Box = { x: 0, y: 0, width: W, height: H }): number {
  let sum = 0;
  for (let y = box.y; y < box.y + box.height; y++) {
    for (let x = box.x; x < box.x + box.width; x++) {
      const i = (y * W + x) * 4;
      for (let c = 0; c < 3; c++) sum += Math.abs((a[i + c] ?? 0) - (b[i + c] ?? 0));
    }
  }
  return sum / (box.width * box.height * 3);
}

describe('reference renderer', () => {
  it('returns width*height*4 RGBA bytes, fully opaque', () => {
    const out = renderer.render(frame());
    expect(out).toBeInstanceOf(Buffer);
    expect(out.length).toBe(W * H * 4);
    for (let i = 3; i < out.length; i += 4 * 997) expect(out[i]).toBe(255);
  });

  it.each(['front', 'side'] as const)('opens the mouth inside mouthRegion for "aa" but not for "sil" (%s camera)', (camera) => {
    const look = { character: 'ben', scene: 'park', camera } as const;
    const box = mouthRegion(look, W, H);
    const sil = renderer.render(frame({ look, mouth: { from: 'sil', to: 'sil', weight: 0 } }));
    const aa = renderer.render(frame({ look, mouth: { from: 'aa', to: 'aa', weight: 0 } }));
    expect(diff(sil, aa, box)).toBeGreaterThan(5);
    expect(mouthOpenPixels(sil, W, box)).toBe(0);
    expect(mouthOpenPixels(aa, W, box)).toBeGreaterThan(100);
  });

  it('blends visemes: weight 0.5 between sil and aa opens the mouth strictly between the two', () => {
    const look = { character: 'chloe', scene: 'beach', camera: 'front' } as const;
    const box = mouthRegion(look, W, H);
    const open = (weight: number): number =>
      mouthOpenPixels(renderer.render(frame({ look, mouth: { from: 'sil', to: 'aa', weight } })), W, box);
    const [closed, half, full] = [open(0), open(0.5), open(1)];
    expect(half).toBeGreaterThan(closed);
    expect(full).toBeGreaterThan(half);
  });

  it('draws a different mouth for every viseme', () => {
    const box = mouthRegion(frame().look, W, H);
    const frames = VISEMES.map((v) => renderer.render(frame({ mouth: { from: v, to: v, weight: 0 } })));
    for (let i = 0; i < frames.length; i++) {
      for (let j = i + 1; j < frames.length; j++) {
        expect(diff(frames[i]!, frames[j]!, box), `${VISEMES[i]} vs ${VISEMES[j]}`).toBeGreaterThan(0.2);
      }
    }
  });

  it('renders every scene visibly differently', () => {
    const frames = SCENES.map((scene) => renderer.render(frame({ look: { character: 'ava', scene, camera: 'front' } })));
    for (let i = 0; i < frames.length; i++) {
      for (let j = i + 1; j < frames.length; j++) expect(diff(frames[i]!, frames[j]!), `${SCENES[i]} vs ${SCENES[j]}`).toBeGreaterThan(10);
    }
  });

  it('renders every character visibly differently', () => {
    const head: Box = { x: W / 2 - 80, y: 20, width: 160, height: 200 };
    const frames = CHARACTERS.map((character) => renderer.render(frame({ look: { character, scene: 'plain-wall', camera: 'front' } })));
    for (let i = 0; i < frames.length; i++) {
      for (let j = i + 1; j < frames.length; j++) expect(diff(frames[i]!, frames[j]!, head), `${CHARACTERS[i]} vs ${CHARACTERS[j]}`).toBeGreaterThan(8);
    }
  });

  it('frames the two cameras differently', () => {
    const front = renderer.render(frame());
    const side = renderer.render(frame({ look: { character: 'ava', scene: 'plain-wall', camera: 'side' } }));
    expect(diff(front, side)).toBeGreaterThan(5);
    expect(mouthRegion({ character: 'ava', scene: 'plain-wall', camera: 'side' }, W, H)).not.toEqual(mouthRegion(frame().look, W, H));
  });

  it('closes the eyes when blinking', () => {
    const box = eyeRegion(frame().look, W, H);
    const open = renderer.render(frame({ blink: 0 }));
    const closed = renderer.render(frame({ blink: 1 }));
    expect(diff(open, closed, box)).toBeGreaterThan(3);
  });

  it('gives every talking action its own gesture', () => {
    const actions = ['Idle', 'Talk1', 'Talk2', 'Talk3', 'Talk4'] as const;
    const frames = actions.map((action) => renderer.render(frame({ action, speaking: true })));
    for (let i = 0; i < frames.length; i++) {
      for (let j = i + 1; j < frames.length; j++) expect(diff(frames[i]!, frames[j]!), `${actions[i]} vs ${actions[j]}`).toBeGreaterThan(0.5);
    }
  });

  it('moves while idle: breathing and sway change the picture over time', () => {
    expect(diff(renderer.render(frame({ timeMs: 0 })), renderer.render(frame({ timeMs: 2_500 })))).toBeGreaterThan(0.1);
  });

  it('shows the caption in the lower third, and changes it with the text', () => {
    const area = captionArea(W, H);
    const none = renderer.render(frame());
    const hello = renderer.render(frame({ caption: 'Hello and welcome to the show' }));
    const other = renderer.render(frame({ caption: 'Our next product is a pair of running shoes that fold flat into a pocket-sized pouch' }));
    expect(diff(none, hello, area)).toBeGreaterThan(10);
    expect(diff(hello, other, area)).toBeGreaterThan(3);
    expect(diff(none, hello, { x: 0, y: 0, width: W, height: area.y })).toBe(0);
  });

  it('draws the panel card with its image', () => {
    const rgba = new Uint8Array(40 * 30 * 4).fill(200);
    const rect = panelRect(W, H);
    const none = renderer.render(frame());
    const panel = renderer.render(frame({ panel: { title: 'Spring jacket', image: { width: 40, height: 30, rgba } } }));
    expect(diff(none, panel, rect)).toBeGreaterThan(20);
  });

  it('draws a product card: its price changes the card, and a price change alone is patched', () => {
    const rect = panelRect(W, H);
    const none = renderer.render(frame());
    const card = renderer.render(frame({ panel: { title: 'AirStep Runner', image: null, price: '$79' } }));
    const cheaper = renderer.render(frame({ panel: { title: 'AirStep Runner', image: null, price: '$59' } }));
    expect(diff(none, card, rect)).toBeGreaterThan(20);
    expect(diff(card, cheaper, rect)).toBeGreaterThan(0.05);
    const r = createReferenceRenderer({ width: W, height: H });
    const picture = Buffer.from(r.render(frame({ panel: { title: 'AirStep Runner', image: null, price: '$79' } })));
    applyPatch(picture, W, r.renderPatch!(frame({ panel: { title: 'AirStep Runner', image: null, price: '$59' } })));
    expect(picture.equals(createReferenceRenderer({ width: W, height: H }).render(frame({ panel: { title: 'AirStep Runner', image: null, price: '$59' } })))).toBe(true);
  });

  it('a card without a picture carries its title in its body, not a blank box', () => {
    const rect = panelRect(W, H);
    const out = renderer.render(frame({ panel: { title: 'AirStep Runner', image: null, price: '$79' } }));
    // The middle third of the card's body (above the price band): dark type on the white card.
    let dark = 0;
    for (let y = Math.round(rect.y + rect.height * 0.3); y < rect.y + rect.height * 0.6; y++) {
      for (let x = Math.round(rect.x + rect.width * 0.1); x < rect.x + rect.width * 0.9; x++) {
        const i = (y * W + x) * 4;
        if (out[i]! < 80 && out[i + 1]! < 80 && out[i + 2]! < 80) dark++;
      }
    }
    expect(dark).toBeGreaterThan(100);
  });

  it('draws the same pixels for the same FrameState', () => {
    const state = frame({ timeMs: 12_345, action: 'Talk4', speaking: true, blink: 0.3, caption: 'Same again', mouth: { from: 'E', to: 'oh', weight: 0.4 } });
    const first = renderer.render(state);
    renderer.render(frame({ look: { character: 'daniel', scene: 'beach', camera: 'side' }, caption: 'something else' }));
    const again = renderer.render(state);
    const fresh = createReferenceRenderer({ width: W, height: H }).render(state);
    expect(first.equals(again)).toBe(true);
    expect(first.equals(fresh)).toBe(true);
  });

  it('hands on as a patch exactly what changed: each frame patched over the last equals it drawn from scratch', () => {
    const r = createReferenceRenderer({ width: W, height: H });
    const image = { width: 40, height: 30, rgba: new Uint8Array(40 * 30 * 4).fill(200) };
    const side = { character: 'ava', scene: 'plain-wall', camera: 'side' } as const;
    const steps: FrameState[] = [
      frame({ timeMs: 33, mouth: { from: 'sil', to: 'aa', weight: 0.7 }, speaking: true }),
      frame({ timeMs: 66, action: 'Talk2', speaking: true, blink: 0.5 }),
      frame({ timeMs: 100, action: 'Talk4', speaking: true, caption: 'Hello there' }),
      frame({ timeMs: 133, action: 'Talk4', caption: 'Hello there', panel: { title: 'Jacket', image } }),
      frame({ timeMs: 166, action: 'Talk3', caption: 'Something else entirely', panel: { title: 'Jacket', image } }),
      frame({ timeMs: 200 }),
      frame({ timeMs: 233, look: side }),
      frame({ timeMs: 266, look: side, action: 'Talk1', speaking: true, mouth: { from: 'oh', to: 'E', weight: 0.2 } }),
    ];
    const picture = Buffer.from(r.render(frame({ timeMs: 0 })));
    let smallest = W * H;
    for (const state of steps) {
      const patch = r.renderPatch!(state);
      expect(patch.rgba.length).toBe(patch.box.width * patch.box.height * 4);
      applyPatch(picture, W, patch);
      const scratch = createReferenceRenderer({ width: W, height: H }).render(state);
      expect(picture.equals(scratch), `patched frame at ${state.timeMs} ms`).toBe(true);
      smallest = Math.min(smallest, patch.box.width * patch.box.height);
    }
    // The point of it: a frame where only the avatar moves is well under half the picture.
    expect(smallest).toBeLessThan((W * H) / 2);
  });

  it('redraws everything after a frame that failed halfway', () => {
    const r = createReferenceRenderer({ width: W, height: H });
    r.render(frame());
    expect(r.renderPatch!(frame({ timeMs: 33 })).box.width).toBeLessThan(W);
    const broken = frame({ timeMs: 66 });
    Object.defineProperty(broken, 'blink', { get: () => { throw new Error('state went away'); } });
    expect(() => r.renderPatch!(broken)).toThrow(/went away/);
    const next = r.renderPatch!(frame({ timeMs: 100 }));
    expect(next.box).toEqual({ x: 0, y: 0, width: W, height: H });
    expect(next.rgba.equals(createReferenceRenderer({ width: W, height: H }).render(frame({ timeMs: 100 })))).toBe(true);
  });

  it('refuses a frame of another size', () => {
    expect(() => renderer.render({ ...frame(), width: 320, height: 180 })).toThrow(RendererError);
    expect(() => createReferenceRenderer({ width: 641, height: 360 })).toThrow(/even/);
  });
});
