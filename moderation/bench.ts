/**
 * The moderation library's cost, against baselines measured in the same run:
 *
 * 1. viewer-text moderation of a chat mix (questions, chatter, spam) per message, against
 *    `sanitizeText` alone (what every message costs already);
 * 2. hostile 10 KB inputs, one shape per step, and the cost per character at 1 KB and
 *    10 KB (a ratio near 1 is linear time);
 * 3. the output check per answer line, against the blocklist check alone (the output check
 *    before this library).
 *
 * Run: `npx tsx moderation/bench.ts` (no Redis, no network). Prints the machine, then
 * latency percentiles (wall clock) and CPU time per call.
 */
import { cpus, loadavg } from 'node:os';
import { blocklistHit, compileBlocklist, sanitizeText, type KnowledgeBase } from '../protocol/index.js';
import { createOutputCheck } from './output-check.js';
import { CHAT_TEXT, moderateViewerText } from './viewer-text.js';

const CHAT = [
  'How much are the AirStep Runners?', 'do they come in blue??', 'soooooo gooooood!!!!!!!', 'WHY IS NOBODY ANSWERING MY QUESTION',
  'hahahahahaha', 'is shipping free to Canada', 'cheap followers at spam.example.xyz', '🔥🔥🔥', 'what size should i get if im a 9.5',
  '@ava @max @host hello', 'first time here, love the show 😍', 'aaaaaaaaaaaaaaaaaaaa', 'Can I return them after 30 days?',
  'visit scam dot com for free stuff', 'how heavy are they', 'lol', 'Is the ANC any good on the subway?', 'buy buy buy buy buy now',
  '这个多少钱？', 'Wie lange hält der Akku?', 'great 🎉🥳🔥👏💯😍🤩✨🙌🎈 stuff', 'what is the warranty on these', 'ok', 'Ana here from Lisbon!',
];
const SHOP: KnowledgeBase = {
  qa: [
    { question: 'How much are the AirStep Runners?', answer: 'The AirStep Runners cost seventy nine dollars.' },
    { question: 'Is there a sale?', answer: 'Everything is 20% off until Sunday at 8 p.m.' },
    { question: 'How heavy are they?', answer: 'Each shoe weighs 250 grams.' },
    { question: 'What about returns?', answer: 'You can return them within 30 days. Shipping is free over $50.' },
  ],
  facts: ['The TrailStep costs $99.99.', 'The store opens at 9:30 a.m.'],
};
const ANSWER_LINES = [
  'The AirStep Runners are $79, and one of our most popular shoes.', 'Right now everything is twenty percent off, until 8pm on Sunday.',
  'Each shoe weighs 250 g, so they feel light.', 'They are only $59 today.', 'Find them at shop.example.com/sale.',
  'This is **really** comfortable.', 'Returns are free for thirty days, and shipping is free over fifty dollars.',
  'Both come in two colours, and the one with the red sole is my favourite!',
];
const BLOCKLIST = ['casino', 'free\\s+money', 'crypto', 'gambl(e|ing)'];

const out = (...parts: unknown[]): void => { process.stdout.write(`${parts.map(String).join(' ')}\n`); };

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Runs `fn` over `inputs` `rounds` times; wall-clock percentiles per call (µs) and CPU per call (µs). */
function measure(inputs: readonly string[], rounds: number, fn: (s: string) => unknown) {
  for (let i = 0; i < 2000; i++) fn(inputs[i % inputs.length]!); // warm up the JIT
  const times: number[] = [];
  const cpu0 = cpuMs();
  for (let r = 0; r < rounds; r++) {
    for (const input of inputs) {
      const t = process.hrtime.bigint();
      fn(input);
      times.push(Number(process.hrtime.bigint() - t) / 1000);
    }
  }
  const cpuPerCall = ((cpuMs() - cpu0) * 1000) / times.length;
  times.sort((a, b) => a - b);
  const pct = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))]!;
  return { p50: pct(50), p99: pct(99), max: times.at(-1)!, cpu: cpuPerCall, calls: times.length };
}

const fmt = (us: number) => (us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(1)} µs`);
const row = (name: string, m: ReturnType<typeof measure>) =>
  `${name.padEnd(34)} p50 ${fmt(m.p50).padStart(9)}  p99 ${fmt(m.p99).padStart(9)}  max ${fmt(m.max).padStart(9)}  CPU/call ${fmt(m.cpu).padStart(9)}`;

out(`machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);

out('\n1. viewer text, chat mix of', CHAT.length, 'messages');
const base = measure(CHAT, 400, (s) => sanitizeText(s));
const chat = measure(CHAT, 400, (s) => moderateViewerText(s, CHAT_TEXT));
out(row('baseline: sanitizeText', base));
out(row('moderateViewerText (chat)', chat));
out(`ratio (p50) ${(chat.p50 / base.p50).toFixed(1)}×, CPU ${(chat.cpu / base.cpu).toFixed(1)}×; one core: ${Math.round(1e6 / chat.cpu).toLocaleString('en-US')} messages/s`);
const verdicts = new Map<string, number>();
for (const m of CHAT) {
  const v = moderateViewerText(m, CHAT_TEXT);
  const k = v.ok ? 'ok' : v.reason;
  verdicts.set(k, (verdicts.get(k) ?? 0) + 1);
}
out('verdicts on the mix:', JSON.stringify(Object.fromEntries(verdicts)));

out('\n2. hostile 10 KB inputs (limits raised to 10,240 chars so every step runs)');
const wide = { minChars: 3, maxChars: 10_240 };
const hostile: Record<string, string> = {
  'one character': 'a'.repeat(10_240), 'two-character unit': 'ab'.repeat(5120), 'near-periodic': 'abcabd'.repeat(1707),
  'dots (domain labels)': `${'a.'.repeat(5115)}com`, '@ signs': '@'.repeat(10_240), '@handles': '@ab '.repeat(2560),
  entities: '&amp;'.repeat(2048), emoji: '😂🎉'.repeat(2560), 'mixed scripts': 'Aé中😂1.@ '.repeat(1138), 'one word': 'spam '.repeat(2048),
};
for (const [name, text] of Object.entries(hostile)) out(row(name, measure([text], 30, (s) => moderateViewerText(s, wide))));
/** The quickest of 7 rounds (the least disturbed by other work on the machine), per character. */
const perChar = (n: number) => {
  const text = 'Aé中😂1.@ab '.repeat(Math.ceil(n / 11)).slice(0, n);
  const calls = Math.ceil(200_000 / n);
  let best = Infinity;
  for (let round = 0; round < 7; round++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) moderateViewerText(text, wide);
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1000 / calls);
  }
  return best / n;
};
const small = perChar(1024);
const large = perChar(10_240);
out(`per character, quickest round: ${(small * 1000).toFixed(0)} ns at 1 KB, ${(large * 1000).toFixed(0)} ns at 10 KB (ratio ${(large / small).toFixed(2)}; linear time is ~1)`);

out('\n3. output check per answer line (shop KB, 4 blocklist patterns)');
const patterns = compileBlocklist(BLOCKLIST);
const blocklistOnly = measure(ANSWER_LINES, 400, (s) => blocklistHit(patterns, s));
// A fresh check per line, as the qa worker makes one per answer; no provider (its cost is a network round trip).
const full = measure(ANSWER_LINES, 400, (s) => createOutputCheck({ blocklist: BLOCKLIST, maxAnswerChars: 4000, language: 'en-US' }, { kb: SHOP }).check(s));
out(row('baseline: blocklist only', blocklistOnly));
out(row('output check (all local rules)', full));
out(`ratio (p50) ${(full.p50 / blocklistOnly.p50).toFixed(1)}×, CPU ${(full.cpu / blocklistOnly.cpu).toFixed(1)}×`);
