import type { VisualCommand } from '../../protocol/index.js';
import type { AirSummary, LineRecord } from './runtime.js';

/**
 * What a step of a room's director asks the world to do. The machine only decides; the
 * show room carries these out after the new state is stored, so a crash in between
 * repeats an effect (the host de-duplicates by segment id) rather than losing it.
 */
export type Effect =
  | { kind: 'send'; line: LineRecord; airId: string; seq: number }
  | { kind: 'stop'; airIds: string[] }
  | { kind: 'command'; command: VisualCommand }
  /** The host reported a line on air (`taken`: a line the director had already taken back, cut on arrival). */
  | { kind: 'line.started'; line: AirSummary; airId: string; mediaTimeMs: number; hostId: string; taken: boolean; streamTimeMs?: number }
  | { kind: 'line.ended'; line: AirSummary; airId: string; mediaTimeMs: number; hostId: string; interrupted: boolean }
  | { kind: 'line.dropped'; line: LineRecord; reason: string }
  | { kind: 'answer.started'; answerId: string; questionId: string | null }
  | { kind: 'answer.spoken'; answerId: string; questionId: string | null; text: string }
  | { kind: 'answer.dropped'; answerId: string; questionId: string | null; reason: string }
  | { kind: 'notice'; level: 'info' | 'warn'; message: string };

/** Where the machine's effects collect during one step. */
export class EffectLog {
  readonly items: Effect[] = [];
  push(effect: Effect): void {
    this.items.push(effect);
  }
}
