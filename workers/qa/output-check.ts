import { compileBlocklist } from '../../protocol/index.js';
import type { AnswerContext } from '../../protocol/index.js';

/**
 * The last gate before text reaches a voice. Operators write the blocklist as regex
 * sources; one that does not compile is matched as a literal, so a typo in a room's
 * settings can never crash a worker or silently disable the other patterns.
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


/** Compiles a room's blocklist; invalid sources become literal, case-insensitive matches. */
export function createOutputCheck(context: Pick<AnswerContext, 'blocklist' | 'maxAnswerChars'>): OutputCheck {
  const patterns = compileBlocklist(context.blocklist);
  let spokenChars = 0;

  const checkBlocklist = (line: string): CheckResult => {
    for (const { source, re } of patterns) {
      if (re.test(line)) return { ok: false, reason: 'blocklist', detail: `matches /${source}/` };
    }
    return { ok: true };
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
