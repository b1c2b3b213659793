// What bench:connections' parent and its load-generator children say to each other over
// the fork IPC channel, and the plan of who connects where (pure, so it can be tested).

/** One WebSocket session a child holds. `fan`: an operator of the fan-out room; `emitter`: its bot. */
export interface PlannedSession {
  key: string;
  role: 'bot' | 'operator';
  room: string;
  token: string;
  /** Index among all bots (their chat is spread evenly over the period by it). */
  botIndex?: number;
  fan?: boolean;
  emitter?: boolean;
}

export type ToChild =
  | { cmd: 'connect'; url: string; bare: boolean; sessions: PlannedSession[]; concurrency: number }
  | { cmd: 'start'; atEpochMs: number; periodMs: number; bots: number; fanEveryMs: number }
  | { cmd: 'stop' }
  | { cmd: 'drop'; keys: string[] }
  | { cmd: 'resume'; keys: string[] }
  | { cmd: 'report'; watchRooms: string[] }
  | { cmd: 'close' };

export interface ConnectResult { ev: 'connected'; opened: number; failed: string[]; firstAt: number; lastAt: number; connectMs: number[] }
export interface ResumeResult { ev: 'resumed'; resumed: number; failed: string[]; resumeMs: number[] }

/** One session's view of the run, for the resume and ordering checks. */
export interface SessionView { key: string; room: string; role: 'bot' | 'operator'; gaps: number; duplicates: number; lastSeq: number; seqAtDrop: number | null; resumed: boolean; chatIds: string[] }

export interface ChildReport {
  ev: 'report';
  /** Each chat line's ack: [send time (epoch ms), ms to its ack]. */
  chatAcks: Array<[number, number]>;
  chatRefused: Record<string, number>;
  chatSent: number;
  chatUnanswered: number;
  /** Per fan-out event: its send time (epoch ms) and ms from send to each operator's receipt, in receipt order. */
  fanOut: Array<{ at: number; ms: number[] }>;
  fanSent: number;
  /** Sessions whose frames skipped or repeated a seq, and the count of such frames. */
  gapSessions: number;
  gaps: number;
  duplicates: number;
  /** Sockets that closed without the bench closing them. */
  unexpectedCloses: number;
  /** Every session of the watched rooms (the resume sample's rooms). */
  watched: SessionView[];
}

export type FromChild = ConnectResult | ResumeResult | ChildReport | { ev: 'ready' } | { ev: 'stopped' } | { ev: 'dropped'; dropped: number } | { ev: 'error'; message: string };

export interface PlanOptions {
  sessions: number;
  rooms: number;
  /** Operators subscribed to the fan-out room (room 0), beside its one emitting bot. */
  fanOperators: number;
  /** Operators in every other room; the rest of the sessions are bots. */
  operatorsPerRoom: number;
  children: number;
}

export interface Plan {
  rooms: string[];
  /** Sessions per child; the fan-out room (its emitter and operators) is all in child 0, so its latency is one process's clock. */
  byChild: Array<Array<Omit<PlannedSession, 'token'>>>;
  /** Bot sockets, the fan-out room's emitter included. */
  bots: number;
  /** Bots that send a line every period (all but the emitter): their lines are spread by `botIndex`. */
  periodicBots: number;
  operators: number;
}

export const FAN_ROOM = 'conn-0';

export function planSessions(o: PlanOptions): Plan {
  if (o.rooms < 2) throw new Error('rooms: at least 2 (the fan-out room and one more)');
  const others = o.rooms - 1;
  const fixed = 1 + o.fanOperators + others * o.operatorsPerRoom;
  if (fixed > o.sessions) throw new Error(`sessions: ${o.sessions} is fewer than the ${fixed} the fan-out room and ${o.operatorsPerRoom} operators per room need`);
  const rooms = Array.from({ length: o.rooms }, (_, i) => `conn-${i}`);
  const all: Array<Omit<PlannedSession, 'token'>> = [];
  let bot = 0;
  all.push({ key: 'fan-bot', role: 'bot', room: FAN_ROOM, emitter: true });
  for (let i = 0; i < o.fanOperators; i++) all.push({ key: `fan-op-${i}`, role: 'operator', room: FAN_ROOM, fan: true });
  for (let r = 1; r < o.rooms; r++) {
    for (let i = 0; i < o.operatorsPerRoom; i++) all.push({ key: `op-${r}-${i}`, role: 'operator', room: rooms[r]! });
  }
  // The bots go round the other rooms, so every room has about as many.
  const botCount = o.sessions - fixed;
  for (let b = 0; b < botCount; b++) {
    const r = 1 + (b % others);
    all.push({ key: `bot-${r}-${Math.floor(b / others)}`, role: 'bot', room: rooms[r]!, botIndex: bot++ });
  }
  const byChild: Plan['byChild'] = Array.from({ length: o.children }, () => []);
  const fanRoom = all.filter((s) => s.room === FAN_ROOM);
  const rest = all.filter((s) => s.room !== FAN_ROOM);
  byChild[0]!.push(...fanRoom);
  // Fill the children evenly, counting the fan-out room against child 0.
  const per = Math.ceil(all.length / o.children);
  let c = 0;
  for (const s of rest) {
    while (byChild[c]!.length >= per && c < o.children - 1) c++;
    byChild[c]!.push(s);
  }
  return { rooms, byChild, bots: botCount + 1, periodicBots: botCount, operators: o.fanOperators + others * o.operatorsPerRoom };
}

/**
 * Checks one session's numbered frames: each seq must be the last one + 1. Returns the
 * running state so a resumed socket carries on from the old one's.
 */
export class SeqCheck {
  last = 0;
  gaps = 0;
  duplicates = 0;

  see(seq: number): void {
    if (seq === this.last + 1) this.last = seq;
    else if (seq <= this.last) this.duplicates++;
    else {
      this.gaps++;
      this.last = seq;
    }
  }
}
