import { blocklistHit, compileBlocklist, spokenText } from '../protocol/index.js';
import type { AnswerContext, KnowledgeBase, Language, OutputVerdict } from '../protocol/index.js';
import { kbNumbers, unsupportedQuantity } from './kb-numbers.js';
import { findLinks } from './links.js';
import { findMarkup } from './markup.js';
import { noModeration, type ModerationProvider } from './provider.js';

/**
 * The last gate before text reaches a voice: each line of an answer, in order.
 *
 * | rule | verdict | judged on |
 * |---|---|---|
 * | blocklist (protocol/blocklist.ts, RE2, linear) | reject | what the voice will say (`spokenText`) |
 * | markup: tags, SSML, phoneme spans, Markdown (markup.ts) | reject | the line as written |
 * | URL or domain / e-mail address, unless the room's `allowLinks` (links.ts) | reject | what the voice will say |
 * | length: the whole answer over the room's `maxAnswerChars` | reject | the accepted lines so far plus this one |
 * | price and other numbers the KB does not hold (kb-numbers.ts) | flag | what the voice will say, against the room's KB |
 * | the moderation provider (provider.ts), when one is configured | reject, or flag when it fails | what the voice will say |
 *
 * The first rule a line breaks is its verdict, except that a line flagged by a local rule
 * still goes to the provider, and the provider's reject wins: an operator approving a
 * flagged line must not air something the provider refused.
 *
 * Rooms cannot be saved with a blocklist pattern that does not compile; one stored before
 * that was checked is matched as a literal, so old settings can never crash a worker or
 * silently disable the other patterns.
 */
export interface LineOptions {
  /** Stops a moderation call in flight (the answer was cancelled). */
  signal?: AbortSignal;
  /**
   * false: the line's numbers are the system's own, not claims (the askers' count in a
   * credit line, "Ana and 12 others asked…"); the price rule is skipped. Default true.
   */
  kbNumbers?: boolean;
}

export interface OutputCheck {
  /** Checks one line of an answer; the length cap counts every line accepted so far (flagged ones too). */
  check(line: string, options?: LineOptions): Promise<OutputVerdict>;
  /** Checks a line on its own (the room's fallback line): blocklist only. */
  checkBlocklist(line: string): OutputVerdict;
}

export type OutputCheckContext = Pick<AnswerContext, 'blocklist' | 'maxAnswerChars'> & Partial<Pick<AnswerContext, 'allowLinks' | 'language'>>;

export interface OutputCheckOptions {
  /** The room's knowledge base: the numbers an answer may state. Without it, every price is flagged. */
  kb?: KnowledgeBase;
  moderation?: ModerationProvider;
}

const EMPTY_KB: KnowledgeBase = Object.freeze({ qa: [], facts: [] }) as unknown as KnowledgeBase;

/** One check per answer (its length cap is the answer's). Compiled blocklists and KB numbers are cached across answers. */
export function createOutputCheck(context: OutputCheckContext, options: OutputCheckOptions = {}): OutputCheck {
  const patterns = compileBlocklist(context.blocklist);
  const language: Language = context.language ?? 'en-US';
  const moderation = options.moderation ?? noModeration;
  const allowLinks = context.allowLinks ?? false;
  let kb: ReturnType<typeof kbNumbers> | null = null;
  let spokenChars = 0;

  const checkBlocklist = (line: string): OutputVerdict => {
    const hit = blocklistHit(patterns, line);
    return hit ? { ok: false, reason: 'blocklist', detail: `matches /${hit.source}/`, action: 'reject' } : { ok: true };
  };

  /** The local rules, in the table's order; `total` is the answer's length with this line. */
  const local = (line: string, spoken: string, total: number, numbers: boolean): OutputVerdict => {
    const blocked = checkBlocklist(line);
    if (!blocked.ok) return blocked;
    const markup = findMarkup(line);
    if (markup) return { ok: false, reason: 'markup', detail: markup, action: 'reject' };
    if (!allowLinks) {
      const [link] = findLinks(spoken, 1).filter((l) => l.kind !== 'handle');
      if (link) {
        const email = link.kind === 'email';
        return { ok: false, reason: email ? 'email' : 'link', detail: `${email ? 'an e-mail address' : 'a link'}: ${link.text}`, action: 'reject' };
      }
    }
    if (total > context.maxAnswerChars) {
      return { ok: false, reason: 'length', detail: `answer would be ${total} chars, cap ${context.maxAnswerChars}`, action: 'reject' };
    }
    if (!numbers) return { ok: true };
    kb ??= kbNumbers(options.kb ?? EMPTY_KB, language);
    const unsupported = unsupportedQuantity(spoken, kb, language);
    if (unsupported) return { ok: false, reason: 'price', detail: unsupported.detail, action: 'flag' };
    return { ok: true };
  };

  return {
    checkBlocklist,
    async check(line, lineOptions = {}) {
      const spoken = spokenText(line);
      // Lines are spoken joined by a space; the cap is over the whole answer.
      const total = spokenChars + (spokenChars > 0 ? 1 : 0) + line.length;
      const verdict = local(line, spoken, total, lineOptions.kbNumbers ?? true);
      if (!verdict.ok && verdict.action === 'reject') return verdict;
      const judged = await moderation.moderate(line, lineOptions.signal);
      const final = !judged.ok && (judged.action === 'reject' || verdict.ok) ? judged : verdict;
      if (final.ok || final.action === 'flag') spokenChars = total;
      return final;
    },
  };
}
