import { describe, expect, it } from 'vitest';
import { compileBlocklist, type KnowledgeBase, type OutputVerdict } from '../protocol/index.js';
import { createOutputCheck } from './output-check.js';
import type { ModerationProvider } from './provider.js';

const SHOP: KnowledgeBase = {
  qa: [
    { question: 'How much are the AirStep Runners?', answer: 'The AirStep Runners cost seventy nine dollars.' },
    { question: 'Is there a sale?', answer: 'Everything is 20% off until Sunday at 8 p.m.' },
    { question: 'How heavy are they?', answer: 'Each shoe weighs 250 grams.' },
    { question: 'What about returns?', answer: 'You can return them within 30 days. Shipping is free over $50.' },
  ],
  facts: ['The TrailStep costs $99.99.', 'The store opens at 9:30 a.m.'],
};
const GUIDE: KnowledgeBase = {
  qa: [
    { question: 'When was the tower built?', answer: 'Belém Tower was built between 1514 and 1519.' },
    { question: 'How tall is it?', answer: 'It stands 30 metres tall.' },
  ],
  facts: ['Tickets cost 8 euros; under-12s go free.', 'Last entry is at 17:00.'],
};
const TECH: KnowledgeBase = {
  qa: [
    { question: 'How fast is Wi-Fi 6?', answer: 'Wi-Fi 6 reaches up to 9.6 Gbps in theory.' },
    { question: 'What is DNS?', answer: 'DNS turns names like example.com into addresses.' },
  ],
  facts: ['Our mesh kit covers 500 square metres.', 'The router has 4 antennas and 2 bands.'],
};

const check = (kb: KnowledgeBase, over: Partial<Parameters<typeof createOutputCheck>[0]> = {}) =>
  createOutputCheck({ blocklist: [], maxAnswerChars: 4000, language: 'en-US', ...over }, { kb });

const verdictOf = async (kb: KnowledgeBase, line: string, over: Partial<Parameters<typeof createOutputCheck>[0]> = {}): Promise<OutputVerdict> =>
  check(kb, over).check(line);

describe('output check: lines that air', () => {
  it.each([
    [SHOP, 'The AirStep Runners are $79, and one of our most popular shoes.'],
    [SHOP, 'They cost seventy-nine dollars, and the TrailStep is $99.99.'],
    [SHOP, 'Right now everything is twenty percent off, until 8pm on Sunday.'],
    [SHOP, 'Each shoe weighs 250 g, so they feel light.'],
    [SHOP, 'Returns are free for thirty days, and shipping is free over fifty dollars.'],
    [SHOP, 'We open at half past nine, 9:30 in the morning.'],
    [SHOP, 'Both come in two colours, and the one with the red sole is my favourite!'],
    [GUIDE, 'Belém Tower went up between 1514 and 1519, and it stands thirty metres tall.'],
    [GUIDE, 'A ticket is €8, and the last entry is at 5 p.m.'],
    [GUIDE, 'It is one of the most photographed places in Lisbon.'],
    [TECH, 'Wi-Fi 6 tops out at 9.6 Gbps on paper; real homes see far less.'],
    [TECH, 'Step 3: restart the router, then wait a minute.'],
    [TECH, 'A mesh kit has 2 bands, which one device cannot really use at once.'],
  ])('passes a real-looking answer line: %#', async (kb, line) => {
    expect(await verdictOf(kb, line)).toEqual({ ok: true });
  });
});

describe('output check: the price rule', () => {
  it('flags "$59" against a knowledge base that says seventy nine dollars', async () => {
    const v = await verdictOf(SHOP, 'The AirStep Runners are only $59 today.');
    expect(v).toMatchObject({ ok: false, reason: 'price', action: 'flag' });
    expect(!v.ok && v.detail).toContain('"$59"');
    expect(!v.ok && v.detail).toContain('seventy nine dollars');
  });

  it.each([
    [SHOP, 'They are fifty-nine dollars.', 'fifty-nine dollars'],
    [SHOP, 'The TrailStep costs 89.99 dollars.', '89.99 dollars'],
    [SHOP, 'Everything is 30% off this week.', '30%'],
    [SHOP, 'The sale ends on Sunday at 9 p.m.', '9 p.m.'],
    [SHOP, 'Each shoe weighs 300 grams.', '300 grams'],
    [SHOP, 'You have 60 days to send them back.', '60 days'],
    [GUIDE, 'It was finished in 1520.', '1520'],
    [GUIDE, 'Tickets are 10 euros.', '10 euros'],
    [GUIDE, 'Come before 18:00.', '18:00'],
    [TECH, 'Wi-Fi 6 reaches 12 Gbps.', '12 Gbps'],
  ])('flags a quantity the KB does not hold: %#', async (kb, line, quoted) => {
    const v = await verdictOf(kb, line);
    expect(v).toMatchObject({ ok: false, reason: 'price', action: 'flag' });
    expect(!v.ok && v.detail).toContain(`"${quoted}"`);
  });

  it('flags any price when the knowledge base names none', async () => {
    expect(await verdictOf(TECH, 'The mesh kit is $199.')).toMatchObject({ ok: false, reason: 'price', action: 'flag' });
    expect(await verdictOf({ qa: [], facts: [] }, 'It costs five dollars.')).toMatchObject({ ok: false, reason: 'price' });
  });

  it('leaves a kind of quantity alone when the knowledge base never states one', async () => {
    // TECH has no time spans or weights: nothing to contradict.
    expect(await verdictOf(TECH, 'A restart takes about two minutes, and the unit weighs 400 grams.')).toEqual({ ok: true });
    // ...but SHOP has both, so the same line is held there.
    expect(await verdictOf(SHOP, 'It arrives in 5 days.')).toMatchObject({ ok: false, reason: 'price' });
  });

  it('reads the room\'s notation: a German price with a decimal comma', async () => {
    const kb: KnowledgeBase = { qa: [{ question: 'Was kostet das E-Bike?', answer: 'Das E-Bike kostet 2.499,00 €.' }], facts: [] };
    const de = (line: string) => createOutputCheck({ blocklist: [], maxAnswerChars: 4000, language: 'de-DE' }, { kb }).check(line);
    expect(await de('Es kostet 2.499 Euro.')).toEqual({ ok: true });
    expect(await de('Es kostet 1.999 €.')).toMatchObject({ ok: false, reason: 'price' });
  });

  it('reads Chinese prices in digits and in numerals', async () => {
    const kb: KnowledgeBase = { qa: [{ question: '口罩多少钱？', answer: '一盒口罩七十九元。' }], facts: [] };
    const zh = (line: string) => createOutputCheck({ blocklist: [], maxAnswerChars: 4000, language: 'zh-CN' }, { kb }).check(line);
    expect(await zh('一盒79元，我们一起看看。')).toEqual({ ok: true });
    expect(await zh('一盒只要五十九元！')).toMatchObject({ ok: false, reason: 'price' });
  });

  it('skips the price rule for a line whose numbers are the system\'s own', async () => {
    const c = check(GUIDE);
    expect(await c.check('Ana and 12 others asked about tickets.', { kbNumbers: false })).toEqual({ ok: true });
    expect(await c.check('Ana and 12 others asked about tickets.')).toMatchObject({ ok: false, reason: 'price' });
  });
});

describe('output check: links, e-mail, markup', () => {
  it.each([
    ['Find it at shop.example.com/sale today.', 'link'],
    ['Go to https://example.org for more.', 'link'],
    ['Visit www.airstep.shop right now!', 'link'],
    ['Just type example dot com in your browser.', 'link'],
    ['Write to help@example.com and we will answer.', 'email'],
    ['Mail ana at example dot com for a refund.', 'email'],
  ])('refuses %j (%s) unless the room allows links', async (line, reason) => {
    expect(await verdictOf(SHOP, line)).toMatchObject({ ok: false, reason, action: 'reject' });
    expect(await verdictOf(SHOP, line, { allowLinks: true })).toEqual({ ok: true });
  });

  it('does not take abbreviations, versions or prices for links', async () => {
    for (const line of ['Prices are in U.S. dollars, e.g. $79.', 'It runs on Node.js and ASP.NET.', 'Firmware 2.1.3 fixed it.', 'It ends here.Then we go on.']) {
      const v = await verdictOf({ qa: [], facts: ['$79 and 2.1.3'] }, line);
      expect(v, line).toEqual({ ok: true });
    }
  });

  it.each([
    ['Take a breath <break time="1s"/> and relax.', 'markup the voice would drop'],
    ['<speak>Hello there.</speak>', 'markup the voice would drop'],
    ["The [[s'i:kr@t]] is out.", 'markup the voice would drop'],
    ['This is **really** comfortable.', 'Markdown'],
    ['It is *very* light.', 'Markdown'],
    ['See [the guide](https://example.com) for more.', 'Markdown'],
    ['- Free shipping on every order.', 'Markdown'],
    ['## Our best sellers', 'Markdown'],
    ['Run `reboot` on the router.', 'Markdown'],
  ])('refuses markup: %j', async (line, what) => {
    const v = await verdictOf(SHOP, line, { allowLinks: true });
    expect(v).toMatchObject({ ok: false, reason: 'markup', action: 'reject' });
    expect(!v.ok && v.detail).toContain(what);
  });

  it('lets through what only looks like markup', async () => {
    for (const line of ['One is less than two: 1 < 2, and 3 > 2.', '1. Unplug the router.', 'It is 2 * 3 in size.', 'snake_case names are fine.']) {
      expect(await verdictOf({ qa: [], facts: ['1 2 3'] }, line), line).toEqual({ ok: true });
    }
  });
});

describe('output check: blocklist and length', () => {
  it('rejects a sentence matching a blocklist pattern, case-insensitively', async () => {
    const c = createOutputCheck({ blocklist: ['casino', 'free\\s+money'], maxAnswerChars: 500 });
    expect(await c.check('Welcome to the show.')).toEqual({ ok: true });
    expect(await c.check('Get FREE   Money at the CASINO!')).toMatchObject({ ok: false, reason: 'blocklist', action: 'reject' });
  });

  it('matches Chinese patterns', async () => {
    const c = createOutputCheck({ blocklist: ['赌博'], maxAnswerChars: 500, language: 'zh-CN' });
    expect(await c.check('我们不讨论赌博。')).toMatchObject({ ok: false, reason: 'blocklist' });
    expect(await c.check('欢迎！')).toEqual({ ok: true });
  });

  it('treats an invalid regex as a literal instead of crashing', async () => {
    const c = createOutputCheck({ blocklist: ['(unclosed', 'a+b'], maxAnswerChars: 500 });
    expect(await c.check('This is (unclosed text.')).toMatchObject({ ok: false, reason: 'blocklist', detail: 'matches /(unclosed/' });
    expect(await c.check('unclosed alone is fine.')).toEqual({ ok: true });
    expect(await c.check('aaab')).toMatchObject({ ok: false });
    expect(compileBlocklist(['[', '\\'])).toHaveLength(2);
  });

  it('caps the length of the whole answer, not of each sentence', async () => {
    const c = createOutputCheck({ blocklist: [], maxAnswerChars: 30 });
    expect(await c.check('Twelve chars')).toEqual({ ok: true }); // 12
    expect(await c.check('Twelve chars')).toEqual({ ok: true }); // 12 + 1 + 12 = 25
    expect(await c.check('Six ch')).toMatchObject({ ok: false, reason: 'length', action: 'reject' }); // 32
    expect(await c.check('Four')).toEqual({ ok: true }); // 30, rejected lines do not count
  });

  it('checks a standalone line against the blocklist only', () => {
    const c = createOutputCheck({ blocklist: ['secret'], maxAnswerChars: 20 });
    expect(c.checkBlocklist('A line that is much longer than twenty characters, at $5.')).toEqual({ ok: true });
    expect(c.checkBlocklist('The SECRET line.')).toMatchObject({ ok: false, reason: 'blocklist', action: 'reject' });
  });
});

describe('output check and the moderation provider', () => {
  const provider = (verdict: OutputVerdict, seen: string[] = []): ModerationProvider => ({
    name: 'openai',
    moderate: async (text) => {
      seen.push(text);
      return verdict;
    },
  });

  it('asks the provider only about lines the local rules let through or flagged', async () => {
    const seen: string[] = [];
    const c = createOutputCheck({ blocklist: ['casino'], maxAnswerChars: 4000 }, { kb: SHOP, moderation: provider({ ok: true }, seen) });
    expect(await c.check('The casino is open.')).toMatchObject({ reason: 'blocklist' });
    expect(await c.check('They are $59.')).toMatchObject({ reason: 'price', action: 'flag' });
    expect(await c.check('They are $79.')).toEqual({ ok: true });
    expect(seen).toEqual(['They are $59.', 'They are $79.']);
  });

  it('lets the provider\'s reject win over a local flag, and a local flag over a provider flag', async () => {
    const refused: OutputVerdict = { ok: false, reason: 'moderation', action: 'reject', detail: 'flagged: hate' };
    const unsure: OutputVerdict = { ok: false, reason: 'moderation', action: 'flag', detail: 'moderation unavailable' };
    expect(await createOutputCheck({ blocklist: [], maxAnswerChars: 999 }, { kb: SHOP, moderation: provider(refused) }).check('They are $59.')).toEqual(refused);
    expect(await createOutputCheck({ blocklist: [], maxAnswerChars: 999 }, { kb: SHOP, moderation: provider(unsure) }).check('They are $59.'))
      .toMatchObject({ reason: 'price', action: 'flag' });
    expect(await createOutputCheck({ blocklist: [], maxAnswerChars: 999 }, { kb: SHOP, moderation: provider(unsure) }).check('They are $79.')).toEqual(unsure);
  });
});

describe('output check on hostile lines', () => {
  it('finishes every check of a 10 KB hostile line quickly and with a verdict', async () => {
    const hostile = [
      'a.'.repeat(5000), '$'.repeat(10_000), '1,'.repeat(5000), '<'.repeat(10_000), '*a'.repeat(5000), '[['.repeat(5000),
      'seventy '.repeat(1250), '@a '.repeat(3333), 'http://'.repeat(1430), `${'9'.repeat(9999)}%`, '_a'.repeat(5000), 'x dot '.repeat(1666),
    ];
    for (const line of hostile) {
      const c = createOutputCheck({ blocklist: ['casino', 'free\\s+money'], maxAnswerChars: 20_000 }, { kb: SHOP });
      const started = performance.now();
      const v = await c.check(line);
      const ms = performance.now() - started;
      expect(typeof v.ok).toBe('boolean');
      // Linear work on 10 KB is well under a millisecond a rule; a backtracking pattern would take seconds.
      expect(ms, line.slice(0, 20)).toBeLessThan(1000);
    }
  });
});
