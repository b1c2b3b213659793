import type { KnowledgeBase, Language } from '../protocol/index.js';
import { DIMENSIONS, readQuantities, type Quantity } from './quantities.js';

/**
 * The price rule of the output check: an answer line states only quantities its room's
 * knowledge base holds. The KB's quantities (Q&A questions and answers, facts) are read
 * once per KB and language (`readQuantities`); a line's are looked up in them.
 *
 * What is checked, and against what:
 * - a **price** always ("$59" when the facts say "seventy nine dollars" is flagged; so is any
 *   price when the KB names none): a host must never invent what something costs;
 * - a **percentage**, a **clock time**, a **measure** (per dimension: weights, lengths,
 *   time spans, data sizes…) or a **plain number** from 10 up, only when the KB states at
 *   least one of that kind: a KB that never speaks of time spans cannot contradict "it boils
 *   in two minutes", and flagging every such phrase would hold most answers for nothing.
 * - A quantity matches when the KB holds the same amount of the same kind (a measure: the
 *   same unit; a time: the same time of day, "8 p.m." = "20:00"), or the same amount as a
 *   plain number ("Price: 79" backs "$79"). A plain number in the line matches any KB
 *   quantity with that amount ("eight" for "8 p.m.").
 *
 * Not claims: plain numbers 0–9 in words or one digit ("one of our", "two colours", "step 3").
 * Not caught: arithmetic on KB figures (a total, a computed discount), converted units
 * (flagged though right), a price in another currency with the same amount, French or
 * German number words, numbers said without a unit the KB gives one ("it weighs 250" is a
 * plain number). See `moderation/quantities.ts` for what is read as a quantity.
 */

export interface KbNumbers {
  readonly keys: ReadonlySet<string>;
  /** Kinds the KB states: price, percent, time, number, measure:<dimension>. */
  readonly kinds: ReadonlySet<string>;
  /** A few of each kind as written, for the verdict's detail. */
  readonly samples: ReadonlyMap<string, readonly string[]>;
}

export interface UnsupportedQuantity {
  quantity: Quantity;
  /** e.g. `states "$59"; the knowledge base's prices: 79 dollars, $99` */
  detail: string;
}

const kindOf = (q: Quantity): string => (q.kind === 'measure' ? `measure:${DIMENSIONS[q.unit ?? ''] ?? q.unit}` : q.kind);

/** Keys a KB quantity provides. */
function provides(q: Quantity): string[] {
  const keys = [`any:${q.value}`];
  switch (q.kind) {
    case 'price': keys.push(`price:${q.value}`); break;
    case 'percent': keys.push(`percent:${q.value}`); break;
    case 'measure': keys.push(`measure:${q.unit}:${q.value}`); break;
    case 'number': keys.push(`bare:${q.value}`); break;
    case 'time':
      for (const m of q.minutes ?? [q.value]) keys.push(`time:${m}`);
      if (q.hour !== undefined) keys.push(`any:${q.hour}`);
      break;
  }
  return keys;
}

/** Keys of which one must be in the KB for a line's quantity to be backed. */
function needs(q: Quantity): string[] {
  switch (q.kind) {
    case 'price': return [`price:${q.value}`, `bare:${q.value}`];
    case 'percent': return [`percent:${q.value}`, `bare:${q.value}`];
    case 'measure': return [`measure:${q.unit}:${q.value}`, `bare:${q.value}`];
    case 'time': return [...(q.minutes ?? [q.value]).map((m) => `time:${m}`), ...(q.hour !== undefined ? [`bare:${q.hour}`] : [])];
    case 'number': return [`any:${q.value}`];
  }
}

const cache = new WeakMap<KnowledgeBase, Map<Language, KbNumbers>>();

/** The quantities of a KB; the same object for the same KB object (the qa worker's KbStore keeps one per KB version). */
export function kbNumbers(kb: KnowledgeBase, language: Language): KbNumbers {
  let byLanguage = cache.get(kb);
  if (!byLanguage) cache.set(kb, (byLanguage = new Map()));
  const hit = byLanguage.get(language);
  if (hit) return hit;
  const keys = new Set<string>();
  const kinds = new Set<string>();
  const samples = new Map<string, string[]>();
  const texts = [...kb.qa.flatMap((e) => [e.question, e.answer]), ...kb.facts];
  for (const text of texts) {
    for (const q of readQuantities(text, language)) {
      for (const key of provides(q)) keys.add(key);
      if (q.kind === 'number' && q.small) continue;
      const kind = kindOf(q);
      kinds.add(kind);
      const list = samples.get(kind) ?? [];
      if (list.length < 4 && !list.includes(q.text)) list.push(q.text);
      samples.set(kind, list);
    }
  }
  const numbers: KbNumbers = { keys, kinds, samples };
  byLanguage.set(language, numbers);
  return numbers;
}

const LABELS: Record<string, string> = { price: 'prices', percent: 'percentages', time: 'times', number: 'numbers' };
const label = (kind: string): string => LABELS[kind] ?? `${kind.slice('measure:'.length)} figures`;

/** The first quantity `line` states that the KB does not back, or null. */
export function unsupportedQuantity(line: string, kb: KbNumbers, language: Language): UnsupportedQuantity | null {
  for (const q of readQuantities(line, language)) {
    if (q.kind === 'number' && q.small) continue;
    const kind = kindOf(q);
    if (q.kind !== 'price' && !kb.kinds.has(kind)) continue;
    if (needs(q).some((key) => kb.keys.has(key))) continue;
    const known = kb.samples.get(kind);
    const detail = known?.length
      ? `states "${q.text}"; the knowledge base's ${label(kind)}: ${known.join(', ')}`
      : `states "${q.text}"; the knowledge base names no ${label(kind)}`;
    return { quantity: q, detail: detail.slice(0, 300) };
  }
  return null;
}
