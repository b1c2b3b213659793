import { useEffect, useState } from 'react';
import type { RoomHost } from '../../../protocol/rest.js';
import { useSession } from '../session.js';

const POLL_MS = 5000;

/**
 * Hosts heartbeat every 2 s and this panel reads every 5 s, so a healthy host reads up to
 * about 7 s ago; past 12 s it has missed several beats (the server gives up on it at 15 s).
 */
export const SILENT_HOST_MS = 12_000;

export interface RoomHostState {
  host: RoomHost['host'];
  /** Server clock − this browser's clock when the answer came: "seen N s ago" is read on the server's clock. */
  skewMs: number;
  error: string | null;
  loaded: boolean;
}

/**
 * The room's render host and its health (fps, cpu, last heartbeat), polled while the
 * program panel shows it, and read again at once when the room moves to another host
 * (`placedId`, from the room's host events). Every operator of the room may read it
 * (GET /api/rooms/:room/host), not only admins: whoever runs the show needs to see a host struggling.
 */
export function useRoomHost(room: string, placedId: string | null): RoomHostState {
  const { api } = useSession();
  const [state, setState] = useState<RoomHostState & { room: string }>({ room, host: null, skewMs: 0, error: null, loaded: false });
  useEffect(() => {
    let stopped = false;
    const load = () => api.get<RoomHost>(`/api/rooms/${encodeURIComponent(room)}/host`).then(
      (r) => !stopped && setState({ room, host: r.host, skewMs: r.serverTime - Date.now(), error: null, loaded: true }),
      (e: Error) => !stopped && setState((s) => (s.room === room ? { ...s, error: e.message, loaded: true } : { room, host: null, skewMs: 0, error: e.message, loaded: true })),
    );
    void load();
    const t = setInterval(() => void load(), POLL_MS);
    return () => { stopped = true; clearInterval(t); };
  }, [api, room, placedId]);
  // Another room's answer (just switched) is not this room's host.
  return state.room === room ? state : { host: null, skewMs: 0, error: null, loaded: false };
}

export type HealthTone = 'ok' | 'warn' | 'bad';

/**
 * How a host is doing at a glance. Video under 25 fps (the lowest broadcast rate) stutters
 * visibly and under 15 it is a slideshow; a CPU over 90 % has no headroom left for a spike.
 */
export const fpsTone = (fps: number | undefined): HealthTone => (fps === undefined ? 'ok' : fps < 15 ? 'bad' : fps < 25 ? 'warn' : 'ok');
export const cpuTone = (cpu: number | undefined): HealthTone => (cpu !== undefined && cpu > 0.9 ? 'warn' : 'ok');

const WORST: HealthTone[] = ['ok', 'warn', 'bad'];

/** The host's light: the worst of its frame rate, its CPU and whether it is still heard from. */
export function hostTone(h: NonNullable<RoomHost['host']>, ageMs: number): HealthTone {
  const heard: HealthTone = h.suspect || ageMs > SILENT_HOST_MS ? 'bad' : 'ok';
  return [heard, fpsTone(h.fps), cpuTone(h.cpu)].reduce((a, b) => (WORST.indexOf(b) > WORST.indexOf(a) ? b : a));
}
