import type { Material, VoiceSelection } from '../../protocol/index.js';

/** A line synthesized ahead (content-addressed), as the director needs to know it. */
export interface PreparedInfo {
  status: 'synthesizing' | 'ready' | 'failed';
  durationMs: number | null;
  error: string | null;
}

export interface MaterialInfo extends Pick<Material, 'id' | 'version' | 'title' | 'text' | 'tags' | 'status' | 'durationMs'> {
  prepareKey: string;
}

/**
 * What a room's director reads of the library while it decides: synchronous lookups
 * over a cache the show room keeps fresh (reloaded on every library change event).
 */
export interface LibraryView {
  material(id: string): MaterialInfo | undefined;
  prepared(key: string): PreparedInfo | undefined;
  /** The content key of an inline rundown line, the same one the library prepared it under. */
  keyForLine(text: string, voice: VoiceSelection | undefined): string;
  /** Ready materials tagged `filler`. */
  fillers(): MaterialInfo[];
}
