import type { OutputVerdict } from '../protocol/index.js';

/**
 * A moderation service that judges a text (hate, harassment, violence, sexual content…):
 * one interface, one file per provider (`none` here, `openai-moderation.ts`).
 *
 * Contract: `moderate` never throws and never waits longer than its own timeout. A text
 * it finds harmful is `{ ok: false, reason: 'moderation', action: 'reject' }`. When the
 * service fails or is too slow, the verdict is a **flag** carrying the error — a live show
 * cannot wait on a dead service, and a line nobody judged must not air unseen: in `auto`
 * a flag counts as a reject (the answer ends there; nothing said → the room's fallback
 * line), in the review modes an operator decides.
 */
export interface ModerationProvider {
  readonly name: 'none' | 'openai';
  moderate(text: string, signal?: AbortSignal): Promise<OutputVerdict>;
}

const OK: OutputVerdict = Object.freeze({ ok: true }) as OutputVerdict;

/** No moderation service: every text passes this step (the output check's own rules still apply). */
export const noModeration: ModerationProvider = Object.freeze({
  name: 'none' as const,
  moderate: async (): Promise<OutputVerdict> => OK,
});
