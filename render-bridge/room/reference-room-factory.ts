import type { Logger } from '../log.js';
import { FfmpegEncoder } from '../encoder/ffmpeg-encoder.js';
import type { EncoderSettings } from '../encoder/encoder-settings.js';
import type { AudioDecoder } from '../media/audio-decoder.js';
import { FPS } from '../media/media-timing.js';
import type { Renderer } from '../renderer/frame-state.js';
import type { ImageLoader } from './panel-image.js';
import { ReferenceRoom } from './reference-room.js';
import type { RoomAssignment, RoomEvents, RoomFactory, RoomHandle } from './room-handle.js';

export interface ReferenceRoomFactoryOptions {
  width: number;
  height: number;
  encoder: Omit<EncoderSettings, 'output' | 'width' | 'height' | 'fps'>;
  createRenderer: (size: { width: number; height: number }) => Renderer;
  decoder: AudioDecoder;
  images: ImageLoader;
  log: Logger;
  ffmpegPath?: string;
}

/** Rooms drawn in-process and published by one ffmpeg each. */
export class ReferenceRoomFactory implements RoomFactory {
  constructor(private readonly o: ReferenceRoomFactoryOptions) {}

  create(assignment: RoomAssignment, events: RoomEvents): RoomHandle {
    const { width, height, log } = this.o;
    return new ReferenceRoom({
      assignment, events, width, height, log: log.child({ room: assignment.room }),
      renderer: this.o.createRenderer({ width, height }),
      decoder: this.o.decoder,
      images: this.o.images,
      createSink: (output) => new FfmpegEncoder({
        settings: { ...this.o.encoder, width, height, fps: FPS, output },
        log: log.child({ room: assignment.room }),
        ffmpegPath: this.o.ffmpegPath,
      }),
    });
  }
}
