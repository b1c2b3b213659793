import type { AvatarCommand, AvatarLook } from '../../protocol/index.js';
import type { Action } from '../renderer/types.js';
import type { FrameState } from '../renderer/frame-state.js';
import type { DecodedImage, ImageLoader } from './panel-image.js';

type Panel = NonNullable<FrameState['panel']>;

/**
 * The room's avatar state that commands change (look, action, panel, operator caption).
 * Panel images load asynchronously; a generation counter keeps a slow `panel.show`
 * from overriding a `panel.hide` or newer show that came after it.
 */
export class AvatarState {
  look: AvatarLook;
  action: Action = 'Idle';
  operatorCaption: string | null = null;
  panel: Panel | null = null;
  private panelGeneration = 0;

  constructor(look: AvatarLook, private readonly images: ImageLoader) {
    this.look = { ...look };
  }

  /** Applies a non-speech command; `stop` is the speech track's and is refused here. */
  async apply(command: Exclude<AvatarCommand, { name: 'stop' }>): Promise<void> {
    switch (command.name) {
      case 'action':
        this.action = command.action as Action; // the schema admits only ACTIONS
        return;
      case 'scene':
        this.look = { ...this.look, scene: command.scene };
        return;
      case 'camera':
        this.look = { ...this.look, camera: command.camera };
        return;
      case 'character':
        this.look = { ...this.look, character: command.character };
        return;
      case 'caption':
        this.operatorCaption = command.text.trim() || null;
        return;
      case 'panel.hide':
      case 'card.hide':
        this.panelGeneration++;
        this.panel = null;
        return;
      case 'card.show': {
        const generation = ++this.panelGeneration;
        const image = command.imageUrl ? await this.images.load(command.imageUrl) : null;
        if (generation === this.panelGeneration) this.panel = { title: command.title, image, price: command.price ?? null };
        return;
      }
      case 'panel.show': {
        const generation = ++this.panelGeneration;
        const image: DecodedImage = await this.images.load(command.imageUrl);
        if (generation === this.panelGeneration) this.panel = { title: command.title ?? null, image };
        return;
      }
    }
  }
}
