import type { ParaphraseSet } from '../../../retrieval/eval/sets.js';

/**
 * What one room's chat bot relays in bench:chat, decided before the run (seeded, so every
 * run sends the same thing): a second's traffic is `chatPerSecond` chat lines and
 * `questionsPerSecond` questions, interleaved evenly. Each message carries what the bench
 * expects of it, so refusals can be checked against intent and grouping against truth.
 */
export type Intent =
  /** An ordinary line or question: shown / grouped. */
  | 'ok'
  /** From a viewer the room banned before the run. */
  | 'banned'
  /** Matches the room's blocklist. */
  | 'blocklist'
  /** The same viewer again inside the per-viewer interval (a spam burst, a hasty asker). */
  | 'rate'
  /** Link spam, shouting, one character over and over: what viewer-text moderation refuses. */
  | 'spam';

export interface PlannedMessage {
  /** Seconds from the start of the run. */
  at: number;
  type: 'chat' | 'question';
  user: { id: string; name: string };
  text: string;
  intent: Intent;
  /** Questions from the paraphrase fixture: the group id, or `unrelated:<i>`; null otherwise. */
  truth: string | null;
}

export interface MixOptions {
  room: string;
  seconds: number;
  chatPerSecond: number;
  questionsPerSecond: number;
  fixture: ParaphraseSet;
  seed: number;
  /** The server's per-viewer intervals (ms): ordinary viewers keep well clear of them. */
  chatIntervalMs: number;
  questionIntervalMs: number;
}

/** Blocklist patterns every bench room holds (the room's own list, as an operator sets it). */
export const BENCH_BLOCKLIST = ['casino', 'free\\s+money', '赌博'];
/** Viewers each room bans before the run. */
export const BANNED_PER_ROOM = 3;

/** mulberry32: small, fast, good enough to shuffle a fixture. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

function shuffle<T>(r: () => number, xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

interface Lines { greet: string[]; say: string[]; tail: string[]; repeated: string[]; links: string[]; shout: string[]; blocked: string[]; spamQuestions: string[] }

const EN: Lines = {
  greet: ['hi', 'hello from Berlin', 'hey everyone', 'good evening', 'hi from Manila', 'first time here', 'back again', 'yo'],
  say: [
    'love these', 'the blue ones look great', 'what a show', 'is this live?', 'nice', 'wow', 'great price', 'I have the older model, they are fine',
    'cant wait for mine to arrive', 'gg', 'so clean', 'my sister has them', 'these look comfy', 'the host is funny', 'lol', 'same',
    'ordered two already', 'the sound is amazing on these', 'how is everyone doing', 'that colour though', 'agreed', 'this is my favourite stream',
  ],
  tail: ['', '', '', ' 😂', ' ❤️', ' 👍', ' 🔥🔥', ' :)', '!', ' haha'],
  repeated: ['yesssssssss', 'nooooooo way', 'sooooo good!!!!!!!', 'hahahahahahaha', 'wowwwwwwwww 😍😍😍'],
  links: ['check my channel youtube.com/c/gadget-deals-4u', 'cheap followers at www.followers-example.com', 'giveaway here bit.ly/3xAmPle', 'dm me @deals @deals2 @deals3 for codes'],
  shout: ['THIS IS THE BEST SHOW EVER', 'WHERE IS MY ORDER I PAID LAST WEEK', 'BUY BUY BUY THESE NOW PEOPLE'],
  blocked: ['free money at the casino tonight', 'best casino bonus, join now', 'get FREE   MONEY now'],
  spamQuestions: ['is there free money if i buy two?', 'which casino do you recommend', 'where do i get cheap followers www.followers-example.com', 'AAAAAAAAAAAAAAAAAAAAAAAA???'],
};

const ZH: Lines = {
  greet: ['主播好', '大家好', '来了来了', '晚上好', '第一次来', '又来了'],
  say: ['好看', '买了买了', '这个颜色好看', '主播好美', '已下单', '666', '太划算了', '真的好用', '支持支持', '上链接', '我妈也在用', '等了好久', '效果怎么样大家', '好便宜'],
  tail: ['', '', '', '👍', '❤️', '😂', '！', '哈哈'],
  repeated: ['哈哈哈哈哈哈哈哈哈哈', '6666666666666', '啊啊啊啊啊啊啊啊啊啊啊'],
  links: ['加我微信 www.wx-example.cn 领券', '点这里 bit.ly/3zhXmpl 免费送'],
  shout: ['BUY NOW BUY NOW BUY NOW'],
  blocked: ['赌博网站了解一下', '来玩赌博赢大钱'],
  spamQuestions: ['赌博可以吗', '哪里能领 www.wx-example.cn 的券？'],
};

/**
 * The room's messages for the whole run, in send order. Ordinary viewers chat at most
 * once per 1.5 × the chat interval and ask at most once per 1.5 × the question interval,
 * so every rate refusal is one the plan meant (`intent: 'rate'`).
 */
export function planRoom(o: MixOptions): PlannedMessage[] {
  const r = rng(o.seed);
  const zh = o.fixture.language.startsWith('zh');
  const lines = zh ? ZH : EN;
  const perSecond = o.chatPerSecond + o.questionsPerSecond;
  const total = Math.round(perSecond * o.seconds);
  // One question every `every` messages: 50 chat + 5 questions a second is one in eleven.
  const every = perSecond / o.questionsPerSecond;
  const viewer = (kind: string, i: number) => ({ id: `${o.room}-${kind}${i}`, name: `${zh ? '观众' : 'Viewer'} ${kind}${i}` });
  const banned = Array.from({ length: BANNED_PER_ROOM }, (_, i) => viewer('banned', i));
  const spammers = Array.from({ length: 4 }, (_, i) => viewer('spam', i));
  // Enough viewers that the per-viewer limits never bind on ordinary traffic: 50 lines/s
  // with one per 1.5 s each needs 75 chatting at any moment.
  const chatters = Array.from({ length: Math.ceil(o.chatPerSecond * 8) }, (_, i) => viewer('v', i));
  const askers = Array.from({ length: Math.ceil(o.questionsPerSecond * 12) }, (_, i) => viewer('a', i));
  const lastChat = new Map<string, number>();
  const lastAsk = new Map<string, number>();
  const fixture = [
    ...o.fixture.groups.flatMap((g) => g.paraphrases.map((text) => ({ text, truth: g.id }))),
    ...o.fixture.unrelated.map((text, i) => ({ text, truth: `unrelated:${i}` })),
  ];
  let pass = shuffle(r, fixture);
  let burst: { user: { id: string; name: string }; text: string; left: number } | null = null;
  let hasty: { user: { id: string; name: string }; text: string; truth: string } | null = null;

  const free = (pool: Array<{ id: string; name: string }>, last: Map<string, number>, at: number, gapS: number) => {
    for (;;) {
      const u = pick(r, pool);
      if (at - (last.get(u.id) ?? -Infinity) >= gapS) {
        last.set(u.id, at);
        return u;
      }
    }
  };

  const out: PlannedMessage[] = [];
  let nextQuestion = every / 2;
  for (let i = 0; i < total; i++) {
    const at = i / perSecond;
    if (i >= nextQuestion) {
      nextQuestion += every;
      out.push(question(at));
      continue;
    }
    out.push(chat(at));
  }
  return out;

  function chat(at: number): PlannedMessage {
    if (burst) {
      // A spammer pasting the same line again and again, as fast as the bot relays it.
      burst.left -= 1;
      const m: PlannedMessage = { at, type: 'chat', user: burst.user, text: burst.text, intent: 'rate', truth: null };
      if (burst.left === 0) burst = null;
      return m;
    }
    const x = r();
    if (x < 0.004) {
      const user = free(spammers, lastChat, at, 1.5 * o.chatIntervalMs / 1000);
      const text = pick(r, lines.links);
      burst = { user, text, left: 4 };
      return { at, type: 'chat', user, text, intent: 'spam', truth: null };
    }
    if (x < 0.014) return { at, type: 'chat', user: pick(r, banned), text: pick(r, lines.say), intent: 'banned', truth: null };
    if (x < 0.022) return { at, type: 'chat', user: free(chatters, lastChat, at, 1.5 * o.chatIntervalMs / 1000), text: pick(r, lines.blocked), intent: 'blocklist', truth: null };
    const user = free(chatters, lastChat, at, 1.5 * o.chatIntervalMs / 1000);
    if (x < 0.04) return { at, type: 'chat', user, text: pick(r, lines.repeated), intent: 'ok', truth: null };
    if (x < 0.05) return { at, type: 'chat', user, text: pick(r, lines.shout), intent: 'spam', truth: null };
    if (x < 0.055) return { at, type: 'chat', user, text: pick(r, lines.links), intent: 'spam', truth: null };
    const text = x < 0.2 ? `${pick(r, lines.greet)}${pick(r, lines.tail)}` : `${pick(r, lines.say)}${pick(r, lines.tail)}`;
    return { at, type: 'chat', user, text, intent: 'ok', truth: null };
  }

  function question(at: number): PlannedMessage {
    if (hasty) {
      // Asked again at once: the per-viewer interval refuses it.
      const m: PlannedMessage = { at, type: 'question', user: hasty.user, text: hasty.text, intent: 'rate', truth: hasty.truth };
      hasty = null;
      return m;
    }
    const x = r();
    if (x < 0.03) return { at, type: 'question', user: pick(r, banned), text: pick(r, fixture).text, intent: 'banned', truth: null };
    const user = free(askers, lastAsk, at, 1.5 * o.questionIntervalMs / 1000);
    if (x < 0.1) {
      const text = pick(r, lines.spamQuestions);
      return { at, type: 'question', user, text, intent: BENCH_BLOCKLIST.some((p) => new RegExp(p, 'i').test(text)) ? 'blocklist' : 'spam', truth: null };
    }
    if (pass.length === 0) pass = shuffle(r, fixture);
    const next = pass.pop()!;
    if (x < 0.13) hasty = { user, text: next.text, truth: next.truth };
    return { at, type: 'question', user, text: next.text, intent: 'ok', truth: next.truth };
  }
}
