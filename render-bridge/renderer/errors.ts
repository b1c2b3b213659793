import { CodedError } from '../../protocol/coded-error.js';

export const RENDERER_ERROR_CODES = {
  bad_size: 'The frame size is not a positive even width and height.',
  size_mismatch: 'The FrameState size differs from the size the renderer was created for.',
} as const;
export type RendererErrorCode = keyof typeof RENDERER_ERROR_CODES;

export class RendererError extends CodedError<RendererErrorCode> {
  override readonly name = 'RendererError';
}
