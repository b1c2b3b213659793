import type { Logger } from 'pino';
import { DestinationRelay, type RelayOptions } from './destination-relay.js';
import { redactTarget } from '../../protocol/destinations.js';
import type { Destination, DestinationStatus } from './destination-state.js';

type RelayTuning = Pick<RelayOptions, 'maxAttempts' | 'backoffMs' | 'ioTimeoutMs' | 'tlsCa'>;

export interface DestinationManagerOptions extends RelayTuning {
  log: Logger;
  onStatus?: (status: DestinationStatus) => void;
}

const ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * Which rooms forward where, and the relays that do it while a room's show is on. The
 * program forwarder calls onLive/onOffline with the room's program feed; whoever owns the
 * destination list (the server, through its REST) calls setDestinations.
 */
export class DestinationManager {
  private readonly wanted = new Map<string, Destination[]>();
  private readonly live = new Map<string, () => string>();
  private readonly relays = new Map<string, Map<string, DestinationRelay>>();

  constructor(private readonly options: DestinationManagerOptions) {}

  /** Replaces a room's destinations; while it is live, new ones start and removed ones stop. */
  async setDestinations(room: string, destinations: Destination[]): Promise<void> {
    const ids = new Set<string>();
    for (const d of destinations) {
      if (!ID.test(d.id)) throw new TypeError(`destination id "${d.id}" must be a slug`);
      if (ids.has(d.id)) throw new TypeError(`destination id "${d.id}" appears twice`);
      if (!/^rtmps?:\/\//.test(d.url)) throw new TypeError(`destination ${d.id}: url must be rtmp:// or rtmps://`);
      ids.add(d.id);
    }
    this.wanted.set(room, destinations.map((d) => ({ ...d })));
    const running = this.relays.get(room) ?? new Map<string, DestinationRelay>();
    const stops: Promise<void>[] = [];
    for (const [id, relay] of running) {
      const next = destinations.find((d) => d.id === id);
      // A changed URL (new key) restarts the relay; an unchanged one keeps streaming.
      if (!next || relay.targetUrl !== next.url) {
        running.delete(id);
        stops.push(relay.stop());
      }
    }
    this.relays.set(room, running);
    await Promise.all(stops);
    const source = this.live.get(room);
    if (source) this.startMissing(room, source);
  }

  statuses(room?: string): DestinationStatus[] {
    const rooms = room ? [room] : [...new Set([...this.wanted.keys(), ...this.relays.keys()])];
    return rooms.flatMap((r) => (this.wanted.get(r) ?? []).map((d) => {
      const relay = this.relays.get(r)?.get(d.id);
      return relay ? relay.status() : { id: d.id, room: r, state: 'idle' as const, target: redactTarget(d.url), attempts: 0, since: 0 };
    }));
  }

  /** `sourceUrl` gives the HTTP-FLV feed the relays forward (the room's program, on loopback). */
  onLive(room: string, sourceUrl: () => string): void {
    this.live.set(room, sourceUrl);
    this.startMissing(room, sourceUrl);
  }

  onOffline(room: string): void {
    this.live.delete(room);
    const running = this.relays.get(room);
    this.relays.delete(room);
    for (const relay of running?.values() ?? []) void relay.stop();
  }

  async close(): Promise<void> {
    const all = [...this.relays.values()].flatMap((m) => [...m.values()]);
    this.relays.clear();
    this.live.clear();
    await Promise.all(all.map((r) => r.stop()));
  }

  private startMissing(room: string, sourceUrl: () => string): void {
    const running = this.relays.get(room) ?? new Map<string, DestinationRelay>();
    this.relays.set(room, running);
    for (const d of this.wanted.get(room) ?? []) {
      if (running.has(d.id)) continue;
      const { log, onStatus, ...tuning } = this.options;
      const relay = new DestinationRelay({ ...tuning, id: d.id, room, sourceUrl, targetUrl: d.url, log, onStatus });
      running.set(d.id, relay);
      relay.start();
    }
  }
}
