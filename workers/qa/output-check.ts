import { blocklistHit, compileBlocklist } from '../../protocol/index.js';
import type { AnswerContext } from '../../protocol/index.js';

/**
 * The last gate before text reaches a voice. The blocklist is checked against what the
 * voice will say (`spokenText`, the same function the tts worker speaks from), in linear
 * time (protocol/blocklist.ts). Rooms cannot be saved with a pattern that does not
 * compile; one stored before that was checked is matched as a literal, so old settings can
 * never crash a worker or silently disable the other patterns.
 */
export type RejectReason = 'blocklist' | 'length';

export type CheckResult =
  | { ok: true }
  | { ok: false; reason: RejectReason; detail: string };

export interface OutputCheck {
  /** Checks one sentence of an answer; the length cap counts every accepted sentence so far. */
  check(sentence: string): CheckResult;
  /** Checks a line on its own (the fallback line): blocklist only. */
  checkBlocklist(line: string): CheckResult;
}


/** Compiles a room's blocklist (cached across jobs of the same room settings). */
export function createOutputCheck(context: Pick<AnswerContext, 'blocklist' | 'maxAnswerChars'>): OutputCheck {
  const patterns = compileBlocklist(context.blocklist);
  let spokenChars = 0;

  const checkBlocklist = (line: string): CheckResult => {
    const hit = blocklistHit(patterns, line);
    return hit ? { ok: false, reason: 'blocklist', detail: `matches /${hit.source}/` } : { ok: true };
  };

  return {
    checkBlocklist,
    check(sentence) {
      const blocked = checkBlocklist(sentence);
      if (!blocked.ok) return blocked;
      // Sentences are spoken joined by a space; the cap is over the whole answer.
      const total = spokenChars + (spokenChars > 0 ? 1 : 0) + sentence.length;
      if (total > context.maxAnswerChars) {
        return { ok: false, reason: 'length', detail: `answer would be ${total} chars, cap ${context.maxAnswerChars}` };
      }
      spokenChars = total;
      return { ok: true };
    },
  };
}
