// npm run faults — nothing said is lost, whatever dies (issue 13). The whole stack for real
// (`npm start`'s bootstrap on free ports and its own data dir, its redis-server with AOF,
// plus a standby render host), a show on air and a bot asking a question every 2 s, while
// a worker, the render host, the server and Redis are killed with -9 in turn. Afterwards:
// every acknowledged question was either spoken in full (its bot got question.answered,
// which the server sends only once the render host reported every line finished) or
// reported not answered (question.unanswered) — never both, never neither; no line was
// spoken twice (the as-run log); and the longest silence in the show's recording.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import type { AsRunEntry } from '../../protocol/index.js';
import { freePort } from '../../stream-gateway/free-port.js';
import { audioRms, run } from '../../test/helpers/media.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, ms = 90_000): Promise<T> {
  for (const end = Date.now() + ms; ;) {
    const v = await Promise.resolve().then(check).catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/**
 * Distinct viewer questions, more than the run asks: none asks what another asks, so each is
 * its own group (one bot relays every viewer; a repeat would join an answered group and
 * hear its answer again, which is right but not what this run counts).
 */
const TOPICS = [
  'How much do the AirStep Runners cost?', 'What sizes are available?', 'How long does shipping take?', 'Can I return them?',
  'What colors do they come in?', 'How much do they weigh?', 'Are they waterproof?', 'Who are you?',
  'Do you have a store in Berlin?', 'Is there a student discount?', 'Can I pay with PayPal?', 'Do they run small?',
  'Are they good for hiking?', 'How do I clean them?', 'Do you ship to Canada?', 'Is the sole recyclable?',
  'Can I get them in green?', 'How long do they last?', 'Are they vegan?', 'Do they come with spare laces?',
  'Can I track my order?', 'Is there a gift card?', 'Do you have kids sizes?', 'What is the return window for sale items?',
  'Do they squeak on wet floors?', 'Can I order by phone?', 'Are they machine washable?', 'Do they have arch support?',
  'Will you do a giveaway today?', 'What music is playing?', 'Is the show on every Friday?', 'Can I meet the designer?',
  'Do you sell socks too?', 'Is there a loyalty program?', 'Where are they made?', 'How heavy is the box?',
  'Can I change my address after ordering?', 'Do you have a newsletter?', 'Are there matching shirts?', 'What does the logo mean?',
  'Is express shipping available?', 'Do they glow in the dark?', 'Can I buy a single shoe?', 'Is there a wide fit?',
  'Do they come in pink?', 'Can I pick them up in person?', 'Are the laces reflective?', 'Is there a warranty on the sole?',
  'What is your favourite color?', 'How many pairs have you sold?', 'Do they fit orthotics?', 'Can I wear them to the gym?',
  'Do you ship on weekends?', 'Is customer service open at night?', 'Are they good for flat feet?', 'Can I pay in installments?',
];

/** A bot that resumes its session after any drop, so answers to earlier questions still reach it. */
class ResumingBot {
  private ws: WebSocket | null = null;
  session: string | null = null;
  private lastSeq = 0;
  private closed = false;
  private readonly pending: string[] = [];
  readonly acked = new Map<string, string>(); // message id → questionId
  readonly refused = new Map<string, string>(); // message id → error code
  readonly answered = new Map<string, number>(); // questionId → count
  readonly unanswered = new Map<string, number>();
  private readonly sentAt = new Map<string, number>();

  constructor(private readonly url: string, private readonly token: string) {}

  start(): void {
    if (this.closed) return;
    const q = this.session ? `?session=${this.session}&lastSeq=${this.lastSeq}` : '';
    const ws = new WebSocket(`${this.url}${q}`, { headers: { authorization: `Bearer ${this.token}` } });
    this.ws = ws;
    ws.on('message', (data) => {
      const f = JSON.parse(data.toString()) as { type: string; seq?: number; sessionId?: string; resumed?: boolean; lastSeq?: number; ref?: string; questionId?: string; code?: string };
      if (f.seq !== undefined) {
        if (f.seq <= this.lastSeq) return;
        this.lastSeq = f.seq;
      }
      if (f.type === 'welcome') {
        if (!f.resumed || f.sessionId !== this.session) {
          this.session = f.sessionId!;
          this.lastSeq = f.lastSeq!;
        }
        for (const m of this.pending.splice(0)) ws.send(m);
      } else if (f.type === 'question.ack') {
        this.acked.set(f.ref!, f.questionId!);
      } else if (f.type === 'error' && f.ref) {
        this.refused.set(f.ref, f.code ?? 'error');
      } else if (f.type === 'question.answered') {
        this.answered.set(f.questionId!, (this.answered.get(f.questionId!) ?? 0) + 1);
      } else if (f.type === 'question.unanswered') {
        this.unanswered.set(f.questionId!, (this.unanswered.get(f.questionId!) ?? 0) + 1);
      }
    });
    ws.on('close', () => { if (!this.closed) setTimeout(() => this.start(), 500); });
    ws.on('error', () => undefined);
  }

  ask(n: number): void {
    const id = `q${n}`;
    const frame = JSON.stringify({ type: 'question', id, user: { id: `viewer-${n}`, name: `Viewer ${n}` }, text: TOPICS[n % TOPICS.length] });
    this.sentAt.set(id, Date.now());
    if (this.ws?.readyState === WebSocket.OPEN && this.session) this.ws.send(frame);
    else this.refused.set(id, 'not connected');
  }

  /** Questions acknowledged that have heard neither way yet. */
  open(): string[] {
    return [...this.acked.values()].filter((q) => !this.answered.has(q) && !this.unanswered.has(q));
  }

  stop(): void {
    this.closed = true;
    this.ws?.terminate();
  }
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'livehost-faults-show-'));
  const [port, rtmp, http] = [await freePort('127.0.0.1'), await freePort('127.0.0.1'), await freePort('127.0.0.1')];
  const base = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env, LIVEHOST_DATA_DIR: dataDir, PORT: String(port), LIVEHOST_RTMP_PORT: String(rtmp), LIVEHOST_GATEWAY_HTTP_PORT: String(http),
    LIVEHOST_RTMP_URL: `rtmp://127.0.0.1:${rtmp}/live`, LIVEHOST_PREVIEW_URL: `http://127.0.0.1:${http}/live`,
    LIVEHOST_HOST_CAPACITY: '1', LIVEHOST_SLATE_HOLD_MS: '4000',
  };
  delete env.REDIS_URL; // the bootstrap's own redis-server, which this run kills too
  const bootstrap = spawn(process.execPath, ['scripts/bootstrap.mjs', 'start'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  for (const s of [bootstrap.stdout, bootstrap.stderr]) s.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<number | null>((resolve) => bootstrap.once('exit', (code) => resolve(code)));
  const pids = async () => JSON.parse(await readFile(path.join(dataDir, 'pids.json'), 'utf8')) as Record<string, number>;
  let standby: ReturnType<typeof spawn> | null = null;
  let bot: ResumingBot | null = null;
  try {
    await until('npm start up', () => out.includes('console:'), 240_000);
    const { adminToken } = JSON.parse(await readFile(path.join(dataDir, 'bootstrap.json'), 'utf8')) as { adminToken: string };
    const api = async (method: string, url: string, body?: object) => {
      const res = await fetch(`${base}${url}`, { method, headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
      return res.json() as Promise<Record<string, unknown>>;
    };
    // A standby render host: capacity kept for failover.
    const hostToken = (await api('POST', '/api/tokens', { role: 'render-host', hostId: 'standby-1', label: 'faults standby' })).token as string;
    standby = spawn(process.execPath, ['--import', 'tsx', 'render-bridge/main.ts'], {
      cwd: root, env: { ...env, LIVEHOST_SERVER_URL: `ws://127.0.0.1:${port}`, LIVEHOST_HOST_TOKEN: hostToken, LIVEHOST_HOST_STANDBY: 'true' },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    await until('the demo room on air', async () => ((await (await fetch(`${base}/api/public/rooms`)).json()) as { rooms: Array<{ live: boolean }> }).rooms.some((r) => r.live));
    const botToken = (await api('POST', '/api/tokens', { role: 'bot', rooms: ['demo'], label: 'faults' })).token as string;
    bot = new ResumingBot(`ws://127.0.0.1:${port}/ws/bot`, botToken);
    bot.start();
    await until('the bot connected', () => bot!.session !== null, 30_000);

    const faults: Array<{ at: number; name: string }> = [
      { at: 15_000, name: 'workers' }, { at: 35_000, name: 'render' }, { at: 55_000, name: 'server' }, { at: 75_000, name: 'redis' },
    ];
    const askingMs = 95_000;
    const t0 = Date.now();
    const killed: string[] = [];
    let n = 0;
    while (Date.now() - t0 < askingMs) {
      bot.ask(n++);
      const due = faults.find((f) => !killed.includes(f.name) && Date.now() - t0 >= f.at);
      if (due) {
        process.kill((await pids())[due.name]!, 'SIGKILL');
        killed.push(due.name);
        console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s: kill -9 ${due.name}`);
      }
      await sleep(2000);
    }
    // Everything acknowledged has to settle: spoken in full, or reported not answered.
    await until('every acknowledged question settled', () => bot!.open().length === 0, 120_000).catch(() => undefined);

    const acked = [...bot.acked.values()];
    const both = acked.filter((q) => bot!.answered.has(q) && bot!.unanswered.has(q));
    const twice = acked.filter((q) => (bot!.answered.get(q) ?? 0) > 1 || (bot!.unanswered.get(q) ?? 0) > 1);
    const lost = bot.open();
    const spoken = acked.filter((q) => bot!.answered.has(q)).length;
    const notAnswered = acked.filter((q) => bot!.unanswered.has(q)).length;
    const asRun = (await api('GET', '/api/rooms/demo/as-run?limit=1000')).entries as AsRunEntry[];
    const whole = asRun.filter((e) => !e.interrupted).map((e) => e.lineId);
    const repeated = whole.filter((id, i) => whole.indexOf(id) !== i);

    // The show ends (Ctrl-C): the recording is finalized; find its longest silence.
    bot.stop();
    standby.kill('SIGTERM');
    bootstrap.kill('SIGINT');
    await exited;
    const recDir = path.join(dataDir, 'recordings', 'demo');
    const takes = await readdir(recDir).catch(() => [] as string[]);
    let longestSilenceS = NaN;
    let longestGapS = NaN;
    for (const id of takes.sort()) {
      const file = path.join(recDir, id, 'show.mp4');
      const rms = await audioRms(file, 100).catch(() => null);
      if (!rms) continue;
      let run0 = 0;
      let longest = 0;
      for (const r of rms) { run0 = r < 300 ? run0 + 1 : 0; longest = Math.max(longest, run0); }
      longestSilenceS = Math.max(Number.isNaN(longestSilenceS) ? 0 : longestSilenceS, longest / 10);
      const pts = (await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file])).toString()
        .trim().split('\n').map(Number).filter(Number.isFinite).sort((a, b) => a - b);
      let gap = 0;
      for (let i = 1; i < pts.length; i++) gap = Math.max(gap, pts[i]! - pts[i - 1]!);
      longestGapS = Math.max(Number.isNaN(longestGapS) ? 0 : longestGapS, gap);
    }

    console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}; faults: ${killed.join(', ')}`);
    console.log('| questions | count |\n|---|---|');
    console.log(`| asked | ${n} |`);
    console.log(`| refused when asked (not acknowledged: ${[...new Set(bot.refused.values())].join(', ') || '—'}) | ${bot.refused.size} |`);
    console.log(`| acknowledged | ${acked.length} |`);
    console.log(`| spoken in full (by the hosts' reports) | ${spoken} |`);
    console.log(`| reported not answered to its bot | ${notAnswered} |`);
    console.log(`| both | ${both.length} |`);
    console.log(`| neither (silently lost) | ${lost.length} |`);
    console.log(`| told twice | ${twice.length} |`);
    for (const q of new Set(twice)) {
      const asks = [...bot.acked.entries()].filter(([, id]) => id === q).map(([ref]) => ref);
      console.log(`  told twice: ${q} (asked as ${asks.join(', ')}; answered ${bot.answered.get(q) ?? 0}×, not answered ${bot.unanswered.get(q) ?? 0}×)`);
    }
    console.log(`lines on air (as-run): ${asRun.length} airings, ${asRun.filter((e) => e.interrupted).length} cut; lines spoken twice in full: ${repeated.length}`);
    console.log(`longest silence in the recording: ${longestSilenceS.toFixed(1)} s; longest gap between video frames: ${longestGapS.toFixed(2)} s (the slate covers the host's absence)`);
    if (both.length || lost.length || twice.length || repeated.length) throw new Error('a question was lost, told twice or both ways, or a line aired twice');
  } catch (err) {
    console.error(out.split('\n').slice(-80).join('\n'));
    throw err;
  } finally {
    bot?.stop();
    standby?.kill('SIGKILL');
    if (bootstrap.exitCode === null) {
      bootstrap.kill('SIGINT');
      await Promise.race([exited, sleep(8000)]);
    }
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(`faults failed: ${(err as Error).message}`);
  process.exit(1);
});
