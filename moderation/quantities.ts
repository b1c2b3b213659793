import type { Language } from '../protocol/index.js';

/**
 * The quantities a line states — prices, percentages, measures with their unit, clock times
 * and plain numbers — read the same way from an answer line and from a knowledge base, so
 * the output check can ask "does the KB say this?" (`moderation/kb-numbers.ts`).
 *
 * Read: digits in the room's notation ("1,299.99"; "1.299,99" and "79,99" in French and
 * German, "1 299" in French); English number words ("seventy-nine", "a hundred and ten",
 * "2 thousand"); Chinese numerals before a unit ("七十九元"); currency before or after
 * ($ € £ ¥, USD/EUR/GBP/CNY/RMB, dollars, bucks, euros, pounds in en-GB, cents, pence,
 * yuan, 元, 块); "%", "percent", "pour cent", "Prozent"; units of weight, length, volume,
 * time spans, data, power, energy, frequency, temperature and resolution; clock times
 * ("8 p.m.", "8pm", "20:00", "eight o'clock", "20h30", "20 Uhr", "noon"). A unit or currency
 * carries over a range: "3 to 5 days", "$50-80", "between $10 and 20".
 *
 * Not read as numbers: a lone "one", "a", "an" ("one of our", "the one with", "an hour"),
 * ordinals ("1st", "second"), digits glued to letters ("5G", "MP3", "SAVE20", "H.264"'s
 * 264 is read), and French or German number words. Units are not converted (250 g is not
 * 0.25 kg) and a currency is not compared (a price is its amount).
 *
 * One pass to split the text into tokens and one over the tokens: linear time.
 */

export type QuantityKind = 'price' | 'percent' | 'time' | 'measure' | 'number';

export interface Quantity {
  kind: QuantityKind;
  /** price/percent/measure/number: the amount; time: minutes after midnight (first reading). */
  value: number;
  /** measure: the canonical unit ("g", "h", "year"); its dimension is `DIMENSIONS[unit]`. */
  unit?: string;
  /** time: every reading when am/pm is not said ("8:30" is 08:30 or 20:30). */
  minutes?: number[];
  /** time: the hour as written (8 in "8 p.m."), which a plain "eight" in an answer may mean. */
  hour?: number;
  /** A plain number written as one small word or digit (0–9): ordinary speech, not a claim. */
  small?: boolean;
  /** As written, for the verdict's detail. */
  text: string;
}

type Tok =
  /** suffix: letters glued after the digits, as written ("g" in "250g", "G" in "5G"). */
  | { t: 'num'; v: number; text: string; gluedBefore: boolean; suffix: string; space: boolean; start: number; end: number }
  /** w: lower-cased; raw: as written. */
  | { t: 'word'; w: string; raw: string; space: boolean; start: number; end: number }
  | { t: 'sym'; s: string; space: boolean; start: number; end: number };

const COMMA_DECIMAL: ReadonlySet<Language> = new Set(['fr-FR', 'de-DE']);

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isSpace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\n' || ch === '\u00a0' || ch === '\u202f' || ch === '\u2009';
const HAN = /\p{Script=Han}/u;
const LETTER = /\p{L}/u;
function isLetter(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
  return LETTER.test(ch);
}

/** Reads the digits at `i`: groups joined by the language's separators. */
function readNumber(text: string, i: number, language: Language): { v: number; end: number; raw: string } {
  const commaDecimal = COMMA_DECIMAL.has(language);
  let j = i;
  let intPart = '';
  let frac = '';
  while (j < text.length && isDigit(text.charCodeAt(j))) intPart += text[j++];
  for (;;) {
    const sep = text[j];
    if (sep === undefined || !isDigit(text.charCodeAt(j + 1))) break;
    let k = j + 1;
    while (k < text.length && isDigit(text.charCodeAt(k))) k++;
    const group = text.slice(j + 1, k);
    const thousands = commaDecimal ? sep === '.' || (isSpace(sep) && language === 'fr-FR') : sep === ',';
    const decimal = commaDecimal ? sep === ',' : sep === '.';
    if (thousands && group.length === 3 && !frac) {
      intPart += group;
      j = k;
    } else if ((decimal || (sep === '.' || sep === ',')) && !frac && !isSpace(sep)) {
      // The other separator with other than three digits after it is a decimal point too:
      // "79.99" in a German room is still 79.99.
      frac = group;
      j = k;
    } else break;
  }
  const v = Number(frac ? `${intPart}.${frac}` : intPart);
  return { v, end: j, raw: text.slice(i, j) };
}

function tokenize(raw: string, language: Language): Tok[] {
  // NFKC: full-width digits, ％ and ￥ become their plain forms.
  const text = raw.normalize('NFKC');
  const toks: Tok[] = [];
  let space = true;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (isSpace(ch)) {
      space = true;
      i++;
      continue;
    }
    if (isDigit(ch.charCodeAt(0))) {
      const prev = text[i - 1];
      const gluedBefore = prev !== undefined && isLetter(prev) && !HAN.test(prev);
      const { v, end, raw: numText } = readNumber(text, i, language);
      let k = end;
      while (k < text.length && isLetter(text[k]!) && !HAN.test(text[k]!)) k++;
      toks.push({ t: 'num', v, text: numText, gluedBefore, suffix: text.slice(end, k), space, start: i, end: k });
      i = k;
    } else if (HAN.test(ch)) {
      toks.push({ t: 'word', w: ch, raw: ch, space, start: i, end: i + 1 });
      i++;
    } else if (isLetter(ch)) {
      let k = i + 1;
      // Letters, and apostrophes between letters ("o'clock").
      while (k < text.length) {
        const c = text[k]!;
        if (isLetter(c) && !HAN.test(c)) k++;
        else if ((c === "'" || c === '’') && k + 1 < text.length && isLetter(text[k + 1]!)) k += 2;
        else break;
      }
      const raw = text.slice(i, k);
      toks.push({ t: 'word', w: raw.toLowerCase().replace('’', "'"), raw, space, start: i, end: k });
      i = k;
    } else {
      toks.push({ t: 'sym', s: ch, space, start: i, end: i + 1 });
      i++;
    }
    space = false;
  }
  return toks;
}

const WORD_UNITS: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19,
};
const WORD_TENS: Record<string, number> = { twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90 };
const WORD_SCALES: Record<string, number> = { thousand: 1e3, million: 1e6, billion: 1e9 };
const HAN_DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const HAN_SCALES: Record<string, number> = { 十: 10, 百: 100, 千: 1000, 万: 1e4, 亿: 1e8 };

/** Canonical unit → dimension. The output check compares a measure only within a dimension the KB speaks of. */
export const DIMENSIONS: Readonly<Record<string, string>> = {
  mg: 'weight', g: 'weight', kg: 'weight', lb: 'weight', oz: 'weight', jin: 'weight',
  mm: 'length', cm: 'length', m: 'length', km: 'length', inch: 'length', ft: 'length', mile: 'length',
  ml: 'volume', l: 'volume',
  s: 'duration', min: 'duration', h: 'duration', day: 'duration', week: 'duration', month: 'duration', year: 'duration',
  kb: 'data', mb: 'data', gb: 'data', tb: 'data', mbps: 'bandwidth', gbps: 'bandwidth',
  w: 'power', kw: 'power', v: 'voltage', mah: 'charge', wh: 'energy', kwh: 'energy',
  hz: 'frequency', khz: 'frequency', mhz: 'frequency', ghz: 'frequency', deg: 'temperature', p: 'resolution', x: 'factor',
};

const UNIT_ALIASES: Record<string, string> = (() => {
  const groups: Record<string, string[]> = {
    mg: ['mg', 'milligram', 'milligrams'], g: ['g', 'gram', 'grams', 'gramme', 'grammes', 'gramm', '克'],
    kg: ['kg', 'kilo', 'kilos', 'kilogram', 'kilograms', 'kilogramm', 'kilogramme', 'kilogrammes', '公斤', '千克'],
    lb: ['lb', 'lbs'], oz: ['oz', 'ounce', 'ounces'], jin: ['斤'],
    mm: ['mm', 'millimetre', 'millimetres', 'millimeter', 'millimeters', '毫米'],
    cm: ['cm', 'centimetre', 'centimetres', 'centimeter', 'centimeters', 'zentimeter', '厘米'],
    m: ['m', 'metre', 'metres', 'meter', 'meters', 'mètre', 'mètres', '米'],
    km: ['km', 'kilometre', 'kilometres', 'kilometer', 'kilometers', 'kilomètre', 'kilomètres', '公里'],
    inch: ['inch', 'inches', 'zoll', 'pouce', 'pouces', '英寸'], ft: ['ft', 'foot', 'feet'], mile: ['mile', 'miles'],
    ml: ['ml', 'millilitre', 'millilitres', 'milliliter', 'milliliters', '毫升'],
    l: ['l', 'litre', 'litres', 'liter', 'liters', '升'],
    s: ['sec', 'secs', 'second', 'seconds', 'seconde', 'secondes', 'sekunde', 'sekunden', '秒'],
    min: ['min', 'mins', 'minute', 'minutes', 'minuten', '分钟'],
    h: ['hr', 'hrs', 'hour', 'hours', 'heure', 'heures', 'stunde', 'stunden', '小时'],
    day: ['day', 'days', 'jour', 'jours', 'tag', 'tage', 'tagen', '天'],
    week: ['week', 'weeks', 'semaine', 'semaines', 'woche', 'wochen', '周'],
    month: ['month', 'months', 'mois', 'monat', 'monate', 'monaten', '个月'],
    year: ['year', 'years', 'yr', 'yrs', 'ans', 'année', 'années', 'jahr', 'jahre', 'jahren', '年'],
    kb: ['kb'], mb: ['mb'], gb: ['gb'], tb: ['tb'], mbps: ['mbps'], gbps: ['gbps'],
    w: ['w', 'watt', 'watts'], kw: ['kw'], v: ['v', 'volt', 'volts'], mah: ['mah'], wh: ['wh'], kwh: ['kwh'],
    hz: ['hz'], khz: ['khz'], mhz: ['mhz'], ghz: ['ghz'], p: ['p'], x: ['x'],
  };
  const out: Record<string, string> = {};
  for (const [unit, names] of Object.entries(groups)) for (const n of names) out[n] = unit;
  return out;
})();

const CURRENCY_SYMBOLS = new Set(['$', '€', '£', '¥']);
const CURRENCY_CODES = new Set(['usd', 'eur', 'gbp', 'cny', 'rmb', 'chf', 'cad', 'aud', 'us']);
const CURRENCY_WORDS = new Set(['dollar', 'dollars', 'buck', 'bucks', 'euro', 'euros', 'quid', 'yuan', 'kuai', '元', '块', 'franc', 'francs']);
const HUNDREDTHS = new Set(['cent', 'cents', 'pence', 'penny', 'centime', 'centimes', '角']);
const PERCENT_WORDS = new Set(['percent', 'prozent']);
const ORDINAL_SUFFIXES = new Set(['st', 'nd', 'rd', 'th', 'er', 'e', 'ème', 're']);
const RANGE_WORDS = new Set(['to', 'or', 'bis', 'à', 'ou', 'oder', '至', '到']);
/** "and" joins a range only after "between": "between $50 and 80", not "$1,299 and 1.5 million". */
const BETWEEN_WORDS = new Set(['between', 'zwischen', 'entre']);
const AND_WORDS = new Set(['and', 'und', 'et']);
const RANGE_SYMBOLS = new Set(['-', '–', '—', '/', '~']);


const fmt = (v: number): number => Math.round(v * 1000) / 1000;

/**
 * A unit written right after a number ("250g", "5 m"). One letter is a unit only in its SI
 * case — "5G" and "4K" are names, "5W" and "2L" are watts and litres — and never "s",
 * which is a plural far more often than seconds ("the 1990s", "under-12s").
 */
function letterUnit(written: string): string | null {
  if (written.length === 1) {
    if ('gmlpx'.includes(written)) return UNIT_ALIASES[written]!;
    if (written === 'h') return 'h';
    if ('WVL'.includes(written)) return UNIT_ALIASES[written.toLowerCase()]!;
    return null;
  }
  return UNIT_ALIASES[written.toLowerCase()] ?? null;
}

/** A clock reading: every time of day it may mean (am/pm unsaid: both halves). "8.30pm" is 8:30. */
function clock(written: number, minute: number | null, pm: boolean | null): { minutes: number[]; hour: number } {
  const hour = Math.floor(written);
  const min = minute ?? Math.round((written - hour) * 100);
  if (pm !== null) return { minutes: [((hour % 12) + (pm ? 12 : 0)) * 60 + min], hour };
  if (hour >= 1 && hour <= 12) return { minutes: [(hour % 12) * 60 + min, ((hour % 12) + 12) * 60 + min], hour };
  return { minutes: [(hour % 24) * 60 + min], hour };
}

interface NumberAt {
  value: number;
  end: number;
  text: string;
  /** Written as one small word or digit (0–9). */
  small: boolean;
  words: boolean;
  han: boolean;
  suffix: string;
}

type Found = Quantity & { from: number; to: number };

/** Reads the quantities of one text; see the module comment. */
export function readQuantities(text: string, language: Language): Quantity[] {
  const toks = tokenize(text, language);
  const word = (k: number): string | undefined => { const t = toks[k]; return t?.t === 'word' ? t.w : undefined; };
  const sym = (k: number): string | undefined => { const t = toks[k]; return t?.t === 'sym' ? t.s : undefined; };
  /** Token k follows the one before it with no space. */
  const glued = (k: number): boolean => toks[k] !== undefined && !toks[k]!.space;
  const shown = (from: number, to: number): string =>
    toks.slice(from, to).map((t, i) => (i > 0 && t.space ? ' ' : '') + (t.t === 'word' ? t.raw : t.t === 'sym' ? t.s : t.text + t.suffix)).join('');
  const poundsAreMoney = language === 'en-GB';
  const commaDecimal = COMMA_DECIMAL.has(language);

  /** An English number phrase at k ("seventy-nine", "a hundred and ten"). */
  const wordNumber = (k: number): { v: number; end: number; count: number } | null => {
    let total = 0;
    let current = 0;
    let last: 'unit' | 'teen' | 'tens' | 'hundred' | 'scale' | null = null;
    let count = 0;
    let j = k;
    if ((word(j) === 'a' || word(j) === 'an') && (word(j + 1) === 'hundred' || WORD_SCALES[word(j + 1) ?? ''] !== undefined)) {
      current = 1;
      last = 'unit';
      j++;
    }
    for (;;) {
      const w = word(j);
      if (w === undefined) {
        const unitNext = WORD_UNITS[word(j + 1) ?? ''];
        if (sym(j) === '-' && last === 'tens' && glued(j) && glued(j + 1) && unitNext !== undefined && unitNext < 10) { j++; continue; }
        break;
      }
      const unit = WORD_UNITS[w];
      if (unit !== undefined) {
        if (last === 'unit' || last === 'teen' || (last === 'tens' && unit >= 10)) break;
        current += unit;
        last = unit < 10 ? 'unit' : 'teen';
      } else if (WORD_TENS[w] !== undefined) {
        if (last === 'unit' || last === 'teen' || last === 'tens') break;
        current += WORD_TENS[w]!;
        last = 'tens';
      } else if (w === 'hundred' && last !== null && last !== 'hundred') {
        current = (current || 1) * 100;
        last = 'hundred';
      } else if (WORD_SCALES[w] !== undefined && last !== null && last !== 'scale') {
        total += (current || 1) * WORD_SCALES[w]!;
        current = 0;
        last = 'scale';
      } else if (w === 'and' && (last === 'hundred' || last === 'scale')
        && (WORD_UNITS[word(j + 1) ?? ''] !== undefined || WORD_TENS[word(j + 1) ?? ''] !== undefined)) {
        j++;
        continue;
      } else break;
      count++;
      j++;
    }
    return count > 0 ? { v: total + current, end: j, count } : null;
  };

  /** Chinese numerals at k ("七十九", "一百二十"), one glued run. */
  const hanNumber = (k: number): { v: number; end: number } | null => {
    let total = 0;
    let section = 0;
    let digit = -1;
    let j = k;
    for (; ; j++) {
      const w = word(j);
      if (w === undefined || (j > k && !glued(j))) break;
      if (HAN_DIGITS[w] !== undefined) digit = HAN_DIGITS[w]!;
      else if (w === '万' || w === '亿') {
        total += (section + Math.max(digit, 0)) * HAN_SCALES[w]!;
        section = 0;
        digit = -1;
      } else if (HAN_SCALES[w] !== undefined) {
        section += (digit < 0 ? 1 : digit) * HAN_SCALES[w]!;
        digit = -1;
      } else break;
    }
    return j === k ? null : { v: total + section + Math.max(digit, 0), end: j };
  };

  const numberAt = (k: number): NumberAt | null => {
    const tok = toks[k]!;
    if (tok.t === 'num') {
      // Part of a name ("MP3", "SAVE20") or an ordinal ("21st"): not a quantity.
      if (tok.gluedBefore || ORDINAL_SUFFIXES.has(tok.suffix.toLowerCase())) return null;
      let value = tok.v;
      let suffix = tok.suffix;
      if (suffix === 'k') { value *= 1000; suffix = ''; }
      let end = k + 1;
      const scale = word(end);
      if (!suffix && scale !== undefined && (scale === 'hundred' || WORD_SCALES[scale] !== undefined)) {
        value *= scale === 'hundred' ? 100 : WORD_SCALES[scale]!;
        end++;
      }
      const small = end === k + 1 && !tok.suffix && tok.text.length === 1;
      return { value, end, text: shown(k, end), small, words: false, han: false, suffix };
    }
    if (tok.t !== 'word') return null;
    if (HAN.test(tok.w)) {
      const han = hanNumber(k);
      return han ? { value: han.v, end: han.end, text: shown(k, han.end), small: false, words: true, han: true, suffix: '' } : null;
    }
    const wn = wordNumber(k);
    return wn ? { value: wn.v, end: wn.end, text: shown(k, wn.end), small: wn.count === 1 && wn.v < 10, words: true, han: false, suffix: '' } : null;
  };

  const meridiem = (k: number): { pm: boolean; end: number } | null => {
    const w = word(k);
    if (w === 'am' || w === 'pm') return { pm: w === 'pm', end: k + 1 };
    if ((w === 'a' || w === 'p') && sym(k + 1) === '.' && word(k + 2) === 'm') return { pm: w === 'p', end: sym(k + 3) === '.' ? k + 4 : k + 3 };
    return null;
  };

  const unitAt = (k: number, n: NumberAt): { unit: string; end: number } | null => {
    const tok = toks[k];
    if (tok === undefined) return null;
    if (tok.t === 'sym') return tok.s === '°' ? { unit: 'deg', end: word(k + 1) === 'c' || word(k + 1) === 'f' ? k + 2 : k + 1 } : null;
    if (tok.t !== 'word') return null;
    const w = tok.w;
    if (HAN.test(w)) {
      const second = word(k + 1);
      const two = second === undefined ? undefined : UNIT_ALIASES[w + second];
      if (two !== undefined && glued(k + 1)) return { unit: two, end: k + 2 };
      return UNIT_ALIASES[w] !== undefined && glued(k) ? { unit: UNIT_ALIASES[w]!, end: k + 1 } : null;
    }
    if (w === 'degree' || w === 'degrees' || w === 'grad') return { unit: 'deg', end: k + 1 };
    if ((w === 'pound' || w === 'pounds') && !poundsAreMoney) return { unit: 'lb', end: k + 1 };
    // One letter after a space ("5 m") only after digits, in its SI case: "two m" is not metres.
    if (tok.raw.length === 1) return !n.words && letterUnit(tok.raw) ? { unit: letterUnit(tok.raw)!, end: k + 1 } : null;
    const unit = UNIT_ALIASES[w];
    return unit !== undefined ? { unit, end: k + 1 } : null;
  };

  const isCurrencyAfter = (k: number): boolean => {
    const t = toks[k];
    if (t?.t === 'sym') return CURRENCY_SYMBOLS.has(t.s);
    const w = word(k);
    return w !== undefined && (CURRENCY_WORDS.has(w) || (CURRENCY_CODES.has(w) && w !== 'us') || ((w === 'pound' || w === 'pounds') && poundsAreMoney));
  };

  const classify = (n: NumberAt, k: number): Found | null => {
    let end = n.end;
    const q = (kind: QuantityKind, value: number, extra: Partial<Quantity> = {}): Found =>
      ({ kind, value, text: shown(k, end), ...extra, from: k, to: end });
    const time = (c: { minutes: number[]; hour: number }): Found => q('time', c.minutes[0]!, c);
    const before = toks[k - 1];
    const currencyBefore = before !== undefined && ((before.t === 'sym' && CURRENCY_SYMBOLS.has(before.s))
      || (before.t === 'word' && CURRENCY_CODES.has(before.w) && before.w !== 'us'));

    if (n.han) {
      // Chinese numerals count only before a unit or a currency: alone they are words (一起, 十分, 三星).
      const after = word(end);
      if ((after === '元' || after === '块') && glued(end)) { end++; return q('price', n.value); }
      if (after === '点' && glued(end)) { end++; return time(clock(n.value, 0, null)); }
      const unit = unitAt(end, { ...n, words: false });
      if (unit) { end = unit.end; return q('measure', n.value, { unit: unit.unit }); }
      return null;
    }
    if (n.suffix) {
      const lower = n.suffix.toLowerCase();
      if (lower === 'am' || lower === 'pm') return time(clock(n.value, null, lower === 'pm'));
      const next = toks[end];
      if (lower === 'h' && (commaDecimal || (next?.t === 'num' && !next.space))) {
        // "20h30", "20h": French (and German) clock times.
        const minute = next?.t === 'num' && !next.space && next.v < 60 ? next.v : 0;
        if (next?.t === 'num' && !next.space) end++;
        return time(clock(n.value, minute, null));
      }
      if (n.suffix === 'm' && currencyBefore) return q('price', n.value * 1e6);
      const unit = letterUnit(n.suffix);
      if (unit) return q('measure', n.value, { unit });
      return null;
    }
    if (currencyBefore) {
      const found = q('price', n.value);
      return { ...found, text: `${(before as { s?: string }).s ?? ''}${found.text}` };
    }
    const w = word(end);
    if (isCurrencyAfter(end)) { end++; return q('price', n.value); }
    if (w !== undefined && HUNDREDTHS.has(w)) { end++; return q('price', n.value / 100); }
    if (sym(end) === '%' || (w !== undefined && PERCENT_WORDS.has(w))) { end++; return q('percent', n.value); }
    if ((w === 'per' || w === 'pour') && word(end + 1) === 'cent') { end += 2; return q('percent', n.value); }
    const minuteTok = toks[end + 1];
    if (!n.words && sym(end) === ':' && glued(end) && minuteTok?.t === 'num' && glued(end + 1) && minuteTok.text.length === 2
      && ['', 'am', 'pm'].includes(minuteTok.suffix.toLowerCase())) {
      const gluedPm = minuteTok.suffix ? { pm: minuteTok.suffix.toLowerCase() === 'pm', end: end + 2 } : null;
      const m = gluedPm ?? meridiem(end + 2);
      const c = clock(n.value, minuteTok.v, m ? m.pm : null);
      end = m ? m.end : end + 2;
      if (word(end) === 'uhr') end++;
      return time(c);
    }
    const m = meridiem(end);
    if (m) { end = m.end; return time(clock(n.value, null, m.pm)); }
    if (w === "o'clock" || w === 'uhr' || w === '点' || (w === 'h' && commaDecimal)) {
      const next = toks[end + 1];
      const minute = w === 'h' && next?.t === 'num' && next.v < 60 ? next.v : 0;
      end += minute ? 2 : 1;
      return time(clock(n.value, minute, null));
    }
    // "2-year warranty", "two-year": a hyphen between the number and its unit.
    const at = sym(end) === '-' && glued(end) && glued(end + 1) ? end + 1 : end;
    const unit = unitAt(at, n);
    if (unit) { end = unit.end; return q('measure', n.value, { unit: unit.unit }); }
    return q('number', n.value, n.small ? { small: true } : {});
  };

  const found: Found[] = [];
  for (let k = 0; k < toks.length;) {
    const n = numberAt(k);
    if (!n) {
      const w = word(k);
      if (w === 'noon' || w === 'midday' || w === 'midnight') {
        const minutes = w === 'midnight' ? 0 : 720;
        found.push({ kind: 'time', value: minutes, minutes: [minutes], hour: minutes / 60, text: toks[k]!.t === 'word' ? (toks[k] as { raw: string }).raw : w, from: k, to: k + 1 });
      }
      k++;
      continue;
    }
    let q = classify(n, k);
    if (q?.kind === 'price' && Number.isInteger(q.value)) {
      // "$5 and 99 cents", "5 dollars 99 cents": the cents belong to the price.
      let j = q.to;
      if (word(j) === 'and') j++;
      const cents = toks[j];
      if (cents?.t === 'num' && !cents.suffix && cents.text.length <= 2 && HUNDREDTHS.has(word(j + 1) ?? '')) {
        q = { ...q, value: q.value + cents.v / 100, text: shown(k, j + 2), to: j + 2 };
      }
    }
    if (q) found.push({ ...q, value: fmt(q.value) });
    k = Math.max(q?.to ?? n.end, k + 1);
  }

  // A range carries its unit or currency over: "3 to 5 days", "$50-80", "10 or 20 %".
  const joined = (a: Found, b: Found): boolean => {
    if (b.from - a.to !== 1) return false;
    const w = word(a.to) ?? '';
    const before = toks[a.from - 1]?.t === 'sym' ? a.from - 2 : a.from - 1;
    return RANGE_SYMBOLS.has(sym(a.to) ?? '') || RANGE_WORDS.has(w) || (AND_WORDS.has(w) && BETWEEN_WORDS.has(word(before) ?? ''));
  };
  for (let i = 0; i < found.length; i++) {
    const q = found[i]!;
    if (q.kind !== 'number') continue;
    const next = found[i + 1];
    const prev = found[i - 1];
    const donor = next && joined(q, next) && next.kind !== 'number' && next.kind !== 'time' ? next
      : prev && joined(prev, q) && prev.kind !== 'number' && prev.kind !== 'time' ? prev : null;
    if (donor) {
      const { small: _small, ...rest } = q;
      found[i] = { ...rest, kind: donor.kind, ...(donor.unit ? { unit: donor.unit } : {}) };
    }
  }
  return found.map(({ from: _from, to: _to, ...q }) => q);
}
