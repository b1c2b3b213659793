import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { LibraryDocument, Material, RundownSegment } from '../../../protocol/index.js';
import { ServerClient } from '../../../render-bridge/client/server-client.js';
import { RenderHost } from '../../../render-bridge/host/render-host.js';
import { silentLogger } from '../../../render-bridge/log.js';
import { FfmpegAudioDecoder } from '../../../render-bridge/media/audio-decoder.js';
import { ClockRoomFactory, type HostEvent } from './clock-room.js';
import { BenchTimeoutError, EventLog } from './event-log.js';
import { CpuMeter, redisCpuMs } from './proc-cpu.js';
import type { BenchSystem } from './system.js';
import { WsLink } from './ws-link.js';

/**
 * bench:show's first part: R rooms on one render host, each running a show of manual
 * segments, driven by its own operator over the WebSocket. Every cycle of a room times,
 * against the render host's media clock in this process:
 *   show.go → the segment at the host → its first audio frame;
 *   material.play urgent (a prepared line) cutting the script line → segment / first audio;
 *   speech.interrupt of that line → speech.stop at the host → the first frame with the mouth closed;
 *   say urgent (synthesized on the spot) cutting the script line again → segment / first audio;
 *   and, as the floor of any operator → host path, an avatar command relayed by the server.
 * The script line airs again after each cut and once whole; the next cycle waits until
 * the say has played and the director shows `waiting for go`.
 */

export const LOAD_MEASURES = [
  'command', 'goSegment', 'goAudio', 'playSegment', 'playAudio', 'saySegment', 'sayAudio',
  'interruptStop', 'interruptClosed', 'stopToClosed', 'cutToClosed', 'decode', 'decodedToFrame',
] as const;
export type LoadMeasure = typeof LOAD_MEASURES[number];

export interface LoadResult {
  rooms: number;
  cycles: number;
  samples: Record<LoadMeasure, number[]>;
  /** Urgent says that came while the script line was on air and cut it (the rest aired after it). */
  sayCuts: number;
  wallMs: number;
  cpuMs: Record<string, number>;
  /** The bench process's event-loop delay (it runs the media clocks): p99 and max, ms. */
  loopDelay: { p99: number; max: number };
}

/**
 * Ten times and more what the slowest wait takes on a loaded 2-core machine (an urgent say
 * waits for its synthesis behind the other rooms'): hitting one is a failure.
 */
const WAIT_MS = 60_000;

const PRODUCTS = ['trail shoe', 'rain jacket', 'desk lamp', 'coffee grinder', 'travel mug', 'yoga mat', 'camp stove', 'bike light'];
const COLORS = ['red', 'blue', 'green', 'black', 'white', 'silver', 'orange', 'purple'];

/** Script lines of about seven seconds, one per cycle (distinct, so each is known at the host by its text). */
function scriptLine(c: number): string {
  const p = PRODUCTS[c % PRODUCTS.length]!;
  return `Here is segment ${c + 1} of the show: the ${COLORS[c % COLORS.length]} ${p}, light and strong, and today it ships for free to every viewer who orders before the end of the show.`;
}
const WARM = 'Hello everyone, the show starts now.';
const FLASH = 'Breaking news: the flash sale starts right now, so grab yours before they are gone.';
/** Distinct in every room and cycle, so the workers synthesize each one then and there. */
function sayLine(room: number, c: number): string {
  return `Quick update for room ${room + 1}: the ${COLORS[(room + c) % COLORS.length]} ${PRODUCTS[(room * 3 + c) % PRODUCTS.length]} number ${c + 1} is back in stock.`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const between = (a: number, b: number) => a + Math.random() * (b - a);

async function prepareRoom(sys: BenchSystem, room: string, cycles: number): Promise<void> {
  await sys.api('POST', '/api/rooms', { id: room, name: `Show ${room}`, language: 'en-US' });
  const library: LibraryDocument = {
    format: 'livehost.library/1',
    materials: [
      { id: 'warm', title: 'Warm-up', text: WARM },
      { id: 'flash', title: 'Flash sale', text: FLASH },
      ...Array.from({ length: cycles }, (_, c) => ({ id: `script-${c}`, title: `Segment ${c + 1}`, text: scriptLine(c) })),
    ],
  };
  await sys.api('POST', `/api/rooms/${room}/library?mode=replace`, library);
  const segment = (id: string, materialId: string): RundownSegment => ({
    id, title: id, plannedMs: 10_000, start: { rule: 'manual' }, items: [{ kind: 'material', materialId }],
  });
  // A last segment that never plays keeps the show waiting for go after the last cycle.
  const segments = [segment('warm', 'warm'), ...Array.from({ length: cycles }, (_, c) => segment(`seg-${c}`, `script-${c}`)), segment('outro', 'warm')];
  await sys.api('PUT', `/api/rooms/${room}/rundown`, { version: 0, segments });
}

async function waitMaterialsReady(sys: BenchSystem, room: string): Promise<void> {
  const until = Date.now() + 120_000;
  for (;;) {
    const { materials } = await sys.api<{ materials: Material[] }>('GET', `/api/rooms/${room}/materials`);
    const failed = materials.find((m) => m.status === 'failed');
    if (failed) throw new Error(`${room}: material ${failed.id} failed to synthesize: ${failed.error}`);
    if (materials.every((m) => m.status === 'ready')) return;
    if (Date.now() > until) throw new BenchTimeoutError(`${room}: materials not synthesized in 120 s`);
    await sleep(200);
  }
}

type Seg = Extract<HostEvent, { kind: 'segment' }>;

interface RoomRun {
  index: number;
  room: string;
  op: WsLink;
  host: EventLog<HostEvent>;
}

function hostWait<K extends HostEvent['kind']>(r: RoomRun, what: string, after: number, kind: K, pred: (e: Extract<HostEvent, { kind: K }>) => boolean, timeoutMs = WAIT_MS): Promise<Extract<HostEvent, { kind: K }>> {
  return r.host.next(`${r.room}: ${what}`, after, (e) => e.kind === kind && pred(e as Extract<HostEvent, { kind: K }>), timeoutMs) as Promise<Extract<HostEvent, { kind: K }>>;
}

/** The segment's first audio frame; a segment whose audio failed to decode is a lost line. */
async function firstAudio(r: RoomRun, what: string, seg: Seg): Promise<{ at: number }> {
  const id = seg.segment.segmentId;
  const e = await r.host.next(`${r.room}: ${what}: first audio frame`, seg.at, (x) => (x.kind === 'audio' || x.kind === 'decode-failed') && x.segmentId === id, WAIT_MS);
  if (e.kind === 'decode-failed') throw new Error(`${r.room}: ${what}: the host could not decode ${id} (${e.error}) and skipped it: a lost line`);
  return e;
}

/** Where the time between a segment's arrival and its first frame went: decoding, then waiting for a frame. */
async function splitAudio(r: RoomRun, seg: Seg, audio: { at: number }, s: Record<LoadMeasure, number[]>): Promise<void> {
  const decoded = await hostWait(r, 'audio decoded', seg.at, 'decoded', (e) => e.segmentId === seg.segment.segmentId);
  s.decode.push(decoded.at - seg.at);
  s.decodedToFrame.push(audio.at - decoded.at);
}

async function waitingForGo(r: RoomRun, after: number): Promise<void> {
  await r.op.event('show waiting for go', after, (e) => {
    if (e.kind !== 'show.state') return false;
    const show = e.show as { state: string; waitingFor: string | null };
    return show.state === 'waiting' && show.waitingFor === 'go';
  }, WAIT_MS);
}

/** show.go, and the script segment it put at the host. */
async function go(r: RoomRun): Promise<{ sent: number; seg: Seg }> {
  const id = r.op.nextId('go');
  const sent = r.op.send({ type: 'show.go', id, room: r.room });
  const seg = await hostWait(r, 'show.go: segment', sent, 'segment', (e) => e.segment.priority === 'script');
  await r.op.reply(id, sent);
  return { sent, seg };
}

/** One cycle of one room; pushes its timings into `s`. */
async function cycle(r: RoomRun, c: number, s: Record<LoadMeasure, number[]>, counts: { sayCuts: number }): Promise<void> {
  const { op, room } = r;
  await sleep(between(200, 700));
  // The floor: an avatar command through the same server to the same host, no director on the way.
  const cmdId = op.nextId('cmd');
  const caption = `cycle ${c + 1}`;
  const cmdSent = op.send({ type: 'command', id: cmdId, room, command: { name: 'caption', text: caption } });
  const cmd = await hostWait(r, 'avatar command', cmdSent, 'command', (e) => e.command.name === 'caption' && e.command.text === caption);
  await op.reply(cmdId, cmdSent);
  s.command.push(cmd.at - cmdSent);
  await sleep(between(100, 300));

  const { sent: goSent, seg: script } = await go(r);
  if (script.segment.text !== scriptLine(c)) throw new Error(`${room}: show.go put "${script.segment.text}" on air, not segment ${c + 1}`);
  const scriptAudio = await firstAudio(r, 'show.go', script);
  s.goSegment.push(script.at - goSent);
  s.goAudio.push(scriptAudio.at - goSent);
  await splitAudio(r, script, scriptAudio, s);

  // An urgent prepared line cuts the script line on the next frame.
  await sleep(between(700, 1300));
  const playId = op.nextId('play');
  const playSent = op.send({ type: 'material.play', id: playId, room, materialId: 'flash', priority: 'urgent' });
  const flash = await hostWait(r, 'material.play urgent: segment', playSent, 'segment', (e) => e.segment.priority === 'urgent');
  if (flash.segment.text !== FLASH) throw new Error(`${room}: material.play put "${flash.segment.text}" on air`);
  const cut1 = await hostWait(r, 'the script line cut for the urgent one', playSent, 'stop', (e) => e.cuts === script.segment.segmentId);
  const closed1 = await hostWait(r, 'the cut script line: mouth closed', cut1.at, 'closed', (e) => e.segmentId === script.segment.segmentId);
  const flashAudio = await firstAudio(r, 'material.play urgent', flash);
  await op.reply(playId, playSent);
  s.playSegment.push(flash.at - playSent);
  s.playAudio.push(flashAudio.at - playSent);
  await splitAudio(r, flash, flashAudio, s);
  s.cutToClosed.push(closed1.at - cut1.at);

  // Interrupt the urgent line while it plays.
  await sleep(between(400, 900));
  const intId = op.nextId('int');
  const intSent = op.send({ type: 'speech.interrupt', id: intId, room, lineId: flash.segment.segmentId });
  const stop = await hostWait(r, 'speech.interrupt: speech.stop', intSent, 'stop', (e) => e.cuts === flash.segment.segmentId);
  const closed = await hostWait(r, 'speech.interrupt: mouth closed', stop.at, 'closed', (e) => e.segmentId === flash.segment.segmentId);
  await op.reply(intId, intSent);
  s.interruptStop.push(stop.at - intSent);
  s.interruptClosed.push(closed.at - intSent);
  s.stopToClosed.push(closed.at - stop.at);

  // The script line airs again after the cut; an urgent say (synthesized now) comes while it
  // plays. It cuts the line when its synthesis is done before the line's end; on a machine
  // too busy for that, it airs after it.
  const again = await hostWait(r, 'the script line again', flash.at, 'segment', (e) => e.segment.text === scriptLine(c) && e.segment.segmentId !== script.segment.segmentId);
  await firstAudio(r, 'the script line again', again);
  await sleep(between(700, 1300));
  const text = sayLine(r.index, c);
  const sayId = op.nextId('say');
  const saySent = op.send({ type: 'say', id: sayId, room, text, priority: 'urgent' });
  await op.reply(sayId, saySent);
  const said = await hostWait(r, 'say urgent: segment', saySent, 'segment', (e) => e.segment.priority === 'urgent');
  if (said.segment.text !== text) throw new Error(`${room}: say put "${said.segment.text}" on air, not "${text}"`);
  const sayAudio = await firstAudio(r, 'say urgent', said);
  s.saySegment.push(said.at - saySent);
  s.sayAudio.push(sayAudio.at - saySent);
  await splitAudio(r, said, sayAudio, s);

  // A stop that cuts the line comes before its (interrupted) end; a whole end means the say came late.
  const end = await r.host.next(`${room}: the script line cut by the say, or ended`, again.at,
    (e) => (e.kind === 'stop' && e.cuts === again.segment.segmentId) || (e.kind === 'finished' && e.segmentId === again.segment.segmentId), WAIT_MS);
  if (end.kind === 'finished' && end.interrupted) throw new Error(`${room}: segment ${c + 1}'s line was cut, not by the say`);
  const cut = end.kind === 'stop';
  if (cut) {
    const closed2 = await hostWait(r, 'the script line cut for the say: mouth closed', end.at, 'closed', (e) => e.segmentId === again.segment.segmentId);
    s.cutToClosed.push(closed2.at - end.at);
    counts.sayCuts++;
  }
  const sayDone = await hostWait(r, 'say urgent: finished', said.at, 'finished', (e) => e.segmentId === said.segment.segmentId);
  if (sayDone.interrupted) throw new Error(`${room}: the say line was cut`);
  let lineDone = end.at;
  if (cut) {
    // Cut, the script line airs once more after the say, whole.
    const last = await hostWait(r, 'the script line, third air', said.at, 'segment', (e) => e.segment.text === scriptLine(c) && e.segment.segmentId !== again.segment.segmentId);
    const lastDone = await hostWait(r, 'the script line, whole', last.at, 'finished', (e) => e.segmentId === last.segment.segmentId);
    if (lastDone.interrupted) throw new Error(`${room}: segment ${c + 1}'s line was cut on its last air`);
    lineDone = lastDone.at;
  }
  await waitingForGo(r, lineDone);
}

/** What a failing room's host and operator saw last, for the failure's message. */
function describeRoom(r: RoomRun, clock: string): string {
  const host = r.host.all().slice(-8).map((e) => {
    const { at, kind } = e;
    const detail = e.kind === 'segment' ? `${e.segment.segmentId} ${e.segment.priority} "${e.segment.text.slice(0, 40)}"` : JSON.stringify({ ...e, at: undefined, kind: undefined });
    return `  ${at.toFixed(0)} ${kind} ${detail}`;
  });
  const op = r.op.log.all((x) => x.frame.type !== 'room.event' || (x.frame.event as { kind: string }).kind !== 'show.state').slice(-8)
    .map((x) => `  ${x.at.toFixed(0)} ${JSON.stringify(x.frame).slice(0, 200)}`);
  const state = r.op.log.all((x) => x.frame.type === 'room.event' && (x.frame.event as { kind: string }).kind === 'show.state').pop();
  const show = state ? (state.frame.event as { show: { state: string; waitingFor: string | null; queue: unknown[]; onAir: unknown } }).show : null;
  return [`host (now ${performance.now().toFixed(0)}; ${clock}):`, ...host, 'operator:', ...op,
    `last show.state: ${show ? JSON.stringify({ state: show.state, waitingFor: show.waitingFor, onAir: show.onAir !== null, queue: show.queue }).slice(0, 600) : 'none'}`].join('\n');
}

/** Every line reached the host and the ones that should play whole did, once each. */
function checkLines(r: RoomRun, cycles: number): void {
  const texts = new Map<string, string>();
  for (const e of r.host.all((x) => x.kind === 'segment')) texts.set((e as Seg).segment.segmentId, (e as Seg).segment.text);
  const whole = new Map<string, number>();
  for (const e of r.host.all((x) => x.kind === 'finished' && !x.interrupted)) {
    const text = texts.get((e as Extract<HostEvent, { kind: 'finished' }>).segmentId) ?? '?';
    whole.set(text, (whole.get(text) ?? 0) + 1);
  }
  const expected = [WARM, ...Array.from({ length: cycles }, (_, c) => scriptLine(c)), ...Array.from({ length: cycles }, (_, c) => sayLine(r.index, c))];
  for (const text of expected) {
    if (whole.get(text) !== 1) throw new Error(`${r.room}: "${text}" played whole ${whole.get(text) ?? 0} times, not once`);
  }
  if (whole.has(FLASH)) throw new Error(`${r.room}: the interrupted line played whole`);
}

export async function runShowLoad(sys: BenchSystem, rooms: number, cycles: number, progress: (s: string) => void): Promise<LoadResult> {
  const logs = new Map<string, EventLog<HostEvent>>();
  const factory = new ClockRoomFactory({ decoder: new FfmpegAudioDecoder(), log: silentLogger, logs });
  let client: ServerClient | null = null;
  const host = new RenderHost({
    capacity: rooms, capabilities: { renderer: 'reference', resolutions: ['720p'], encoders: ['libx264'] },
    factory, log: silentLogger, send: (m) => client?.send(m),
  });
  client = new ServerClient({
    url: sys.wsUrl, token: await sys.token({ role: 'render-host', hostId: 'bench-clock-host' }), log: silentLogger,
    register: () => host.registration(), heartbeat: () => host.heartbeat(), onMessage: (m) => host.handle(m),
  });
  client.start();
  const links: WsLink[] = [];
  try {
    for (let i = 0; i < 500 && client.state !== 'open'; i++) await sleep(20);
    if (client.state !== 'open') throw new Error('the render host did not connect');
    const names = Array.from({ length: rooms }, (_, i) => `show-${String(i).padStart(2, '0')}`);
    for (const room of names) await prepareRoom(sys, room, cycles);
    for (const room of names) await waitMaterialsReady(sys, room);
    progress(`${rooms} rooms placed, libraries synthesized`);
    const runs: RoomRun[] = [];
    for (const [index, room] of names.entries()) {
      const op = await WsLink.connect(`${sys.wsUrl}/ws/operator`, await sys.token({ role: 'operator', rooms: [room] }), 'operator', `operator ${room}`);
      links.push(op);
      const subscribed = op.send({ type: 'room.subscribe', id: 'sub', room });
      await op.reply('sub', subscribed);
      const until = Date.now() + WAIT_MS;
      while (!logs.has(room) && Date.now() < until) await sleep(20);
      const log = logs.get(room);
      if (!log) throw new Error(`${room} was never placed on the render host`);
      runs.push({ index, room, op, host: log });
    }
    // Warm-up: the host learns each room's seq (a first segment waits 200 ms for an earlier one).
    // Rooms start spread over 20 s, as shows do, not 50 decodes in the same second.
    await Promise.all(runs.map(async (r) => {
      await sleep(between(0, 20_000));
      const { seg } = await go(r);
      const done = await hostWait(r, 'warm-up line finished', seg.at, 'finished', (e) => e.segmentId === seg.segment.segmentId);
      await waitingForGo(r, done.at);
    }));
    progress(`warm-up done; ${rooms} rooms × ${cycles} cycles`);

    const counts = { sayCuts: 0 };
    const samples = Object.fromEntries(LOAD_MEASURES.map((m) => [m, [] as number[]])) as unknown as Record<LoadMeasure, number[]>;
    const meter = new CpuMeter({ server: sys.part('server').pid, workers: sys.part('workers').pid, bench: process.pid });
    const redis0 = await redisCpuMs(sys.redis);
    const loop = monitorEventLoopDelay({ resolution: 10 });
    meter.begin();
    loop.enable();
    let done = 0;
    await Promise.all(runs.map(async (r) => {
      await sleep(between(0, 10_000));
      for (let c = 0; c < cycles; c++) {
        try {
          await cycle(r, c, samples, counts);
        } catch (err) {
          throw new Error(`${(err as Error).message}\n${describeRoom(r, factory.describe(r.room))}`, { cause: err });
        }
        sys.assertAlive();
        if (++done % rooms === 0) progress(`${done} of ${rooms * cycles} cycles`);
      }
    }));
    loop.disable();
    const { wallMs, cpuMs } = meter.read();
    cpuMs.redis = (await redisCpuMs(sys.redis)) - redis0;
    for (const r of runs) {
      checkLines(r, cycles);
      r.op.check();
    }
    return { rooms, cycles, samples, sayCuts: counts.sayCuts, wallMs, cpuMs, loopDelay: { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 } };
  } finally {
    for (const l of links) l.close();
    await client.stop();
    await host.close();
  }
}
