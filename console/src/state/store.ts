import type { Static } from '@sinclair/typebox';
import type { QuestionInfo, RoomEvent } from '../../../protocol/messages.js';
import type { RoomView } from '../../../protocol/rest.js';
import type { ConnectionState, Outcome } from '../operator-client.js';
import type { AvatarCommand } from '../../../protocol/avatar.js';
import type { Material, ShowState } from '../../../protocol/show.js';
import { applyCommand, applyEvent, emptyRoom, mergeQuestion, type RoomState } from './room-state.js';

/** One operator action and what became of it; the activity log shows the latest. */
export interface Activity {
  id: number;
  room: string | null;
  label: string;
  state: 'pending' | 'ok' | 'error';
  detail: string;
  at: number;
  ms: number | null;
}

export interface Connection {
  state: ConnectionState;
  retryAt: number | null;
  instanceId: string | null;
  /** How many times the link came back on the same session, and on a fresh one. */
  resumes: number;
  freshSessions: number;
}

export interface Snapshot {
  rooms: Record<string, RoomState>;
  order: string[];
  activity: Activity[];
  connection: Connection;
}

const MAX_ACTIVITY = 100;

/**
 * The console's state outside React (read with useSyncExternalStore): room events and
 * REST snapshots go in, an immutable snapshot comes out after each change.
 */
export class ConsoleStore {
  private snap: Snapshot = {
    rooms: {}, order: [], activity: [],
    connection: { state: 'idle', retryAt: null, instanceId: null, resumes: 0, freshSessions: 0 },
  };
  private readonly listeners = new Set<() => void>();
  private nextActivity = 1;

  constructor(private readonly now: () => number = () => Date.now(), private readonly perfNow: () => number = () => performance.now()) {}

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  getSnapshot = (): Snapshot => this.snap;

  private set(next: Partial<Snapshot>): void {
    this.snap = { ...this.snap, ...next };
    for (const fn of this.listeners) fn();
  }

  private updateRoom(id: string, fn: (room: RoomState) => RoomState): void {
    const room = this.snap.rooms[id] ?? emptyRoom(id);
    const order = this.snap.order.includes(id) ? this.snap.order : [...this.snap.order, id];
    this.set({ rooms: { ...this.snap.rooms, [id]: fn(room) }, order });
  }

  setRooms(views: Array<Static<typeof RoomView>>): void {
    const rooms = { ...this.snap.rooms };
    for (const v of views) {
      const prev = rooms[v.id] ?? emptyRoom(v.id);
      rooms[v.id] = { ...prev, view: v, live: v.live, host: prev.host ?? { hostId: v.hostId, state: v.hostId ? 'placed' : 'waiting' } };
    }
    // A stable order, whatever order the server lists them in: by name, as the operator reads them.
    const order = [...views].sort((x, y) => x.name.localeCompare(y.name) || x.id.localeCompare(y.id)).map((v) => v.id);
    this.set({ rooms, order });
  }

  setRoomView(view: Static<typeof RoomView>): void {
    this.updateRoom(view.id, (r) => ({ ...r, view }));
  }

  event(room: string, event: RoomEvent): void {
    this.updateRoom(room, (r) => applyEvent(r, event, this.now(), this.perfNow()));
  }

  /** A snapshot read before the latest event is older than it: the newer state wins. */
  setShow(room: string, show: ShowState): void {
    this.updateRoom(room, (r) => (r.show && r.show.at > show.at ? r : { ...r, show, showAt: this.now() }));
  }

  setMaterials(room: string, list: Material[]): void {
    this.updateRoom(room, (r) => {
      const materials: Record<string, Material> = Object.fromEntries(list.map((m) => [m.id, m]));
      for (const m of Object.values(r.materials)) {
        const listed = materials[m.id];
        // Kept: a newer version than the snapshot's, or one created (by event) while the first snapshot loaded.
        if (listed ? listed.updatedAt < m.updatedAt : !r.materialsLoaded) materials[m.id] = m;
      }
      return { ...r, materials, materialsLoaded: true };
    });
  }

  material(room: string, m: Material): void {
    this.updateRoom(room, (r) => ({ ...r, materials: { ...r.materials, [m.id]: m } }));
  }

  questions(room: string, list: QuestionInfo[]): void {
    this.updateRoom(room, (r) => ({ ...r, questions: list.reduce(mergeQuestion, r.questions) }));
  }

  /** This console's own command, acknowledged: shown at once (the room event that follows says the same, with who). */
  commandApplied(room: string, command: AvatarCommand): void {
    this.updateRoom(room, (r) => ({
      ...r, avatar: { ...applyCommand(r.avatar, r.view?.look ?? null, command), ...(command.name !== 'stop' ? { last: { command, by: null, at: this.now() } } : {}) },
    }));
  }

  connection(patch: Partial<Connection>): void {
    this.set({ connection: { ...this.snap.connection, ...patch } });
  }

  /** Records an action at once and its outcome when it comes; returns the outcome. */
  async track(room: string | null, label: string, run: () => Promise<Outcome>, describe: (o: Outcome & { ok: true }) => string = okText): Promise<Outcome> {
    const id = this.nextActivity++;
    const entry: Activity = { id, room, label, state: 'pending', detail: 'sent…', at: this.now(), ms: null };
    this.set({ activity: [entry, ...this.snap.activity].slice(0, MAX_ACTIVITY) });
    const outcome = await run();
    const done: Activity = {
      ...entry, state: outcome.ok ? 'ok' : 'error', ms: outcome.ms,
      detail: outcome.ok ? describe(outcome) : `${outcome.code}: ${outcome.message}`,
    };
    this.set({ activity: this.snap.activity.map((a) => (a.id === id ? done : a)) });
    return outcome;
  }
}

const okText = (o: Outcome & { ok: true }) => (o.hostId ? `acknowledged by ${o.hostId}` : 'accepted');
