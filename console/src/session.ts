import { createContext, useContext, useSyncExternalStore } from 'react';
import type { Static } from '@sinclair/typebox';
import type { QuestionInfo } from '../../protocol/messages.js';
import type { RoomList } from '../../protocol/rest.js';
import type { Material, ShowState } from '../../protocol/show.js';
import { createApi, type Api } from './api.js';
import { readToken, type TokenFacts } from './auth.js';
import { OperatorClient } from './operator-client.js';
import { ConsoleStore, type Snapshot } from './state/store.js';

/** Events for more rooms than this would be more than a switcher needs; the rest load on demand. */
const MAX_WATCHED_ROOMS = 50;
const ROOM_LIST_REFRESH_MS = 15_000;

export interface Session {
  token: string;
  facts: TokenFacts | null;
  isAdmin: boolean;
  api: Api;
  client: OperatorClient;
  store: ConsoleStore;
  /** Starts receiving a room's events (idempotent) and loads its questions. */
  watch(room: string): void;
  close(): void;
}

export const wsBase = (loc: Location = location): string => `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}`;

/**
 * One signed-in console: REST, the operator WebSocket and the store, wired together.
 * After a fresh session (the old one could not be resumed) events were missed, so the
 * snapshots are loaded again; after a resume nothing was missed and nothing is reloaded.
 */
export function startSession(token: string, onUnauthorized: () => void): Session {
  const api = createApi(token, onUnauthorized);
  const store = new ConsoleStore();
  const facts = readToken(token);
  const client = new OperatorClient({
    url: () => wsBase(),
    token,
    checkAuth: async () => {
      const res = await api.fetch('/api/rooms');
      return res.status === 401 ? 'unauthorized' : 'ok';
    },
  });
  const watched = new Set<string>();
  let hadSession = false;

  const loadQuestions = (room: string) => api.get<{ questions: QuestionInfo[] }>(`/api/rooms/${room}/questions`)
    .then((r) => store.questions(room, r.questions), () => undefined);

  // The show and the library arrive as events from then on; these are where they stand now.
  const loadShow = (room: string) => Promise.all([
    api.get<ShowState>(`/api/rooms/${room}/show`).then((s) => store.setShow(room, s), () => undefined),
    api.get<{ materials: Material[] }>(`/api/rooms/${room}/materials`).then((r) => store.setMaterials(room, r.materials), () => undefined),
  ]);

  const loadRooms = async () => {
    const { rooms } = await api.get<Static<typeof RoomList>>('/api/rooms');
    store.setRooms(rooms);
    for (const r of rooms.slice(0, MAX_WATCHED_ROOMS)) session.watch(r.id);
  };

  client.on('event', (room, event) => store.event(room, event));
  client.on('state', (state) => {
    store.connection({ state, retryAt: client.retryAt, instanceId: client.instanceId });
    if (state === 'unauthorized') onUnauthorized();
  });
  client.on('session', ({ resumed, instanceId }) => {
    const c = store.getSnapshot().connection;
    store.connection({ instanceId, resumes: c.resumes + (resumed ? 1 : 0), freshSessions: c.freshSessions + (!resumed && hadSession ? 1 : 0) });
    if (!resumed && hadSession) {
      // Subscriptions are re-sent by the client; what happened meanwhile comes from REST.
      void loadRooms().catch(() => undefined);
      for (const room of watched) void loadQuestions(room).then(() => loadShow(room));
    }
    hadSession = true;
  });

  const session: Session = {
    token, facts, isAdmin: facts?.role === 'admin', api, client, store,
    watch(room) {
      if (watched.has(room)) return;
      watched.add(room);
      // Subscribed first, then the snapshot: an event in between is merged, never lost.
      void client.subscribe(room).then(() => Promise.all([loadQuestions(room), loadShow(room)]));
    },
    close() {
      clearInterval(timer);
      client.stop();
    },
  };
  const timer = setInterval(() => void loadRooms().catch(() => undefined), ROOM_LIST_REFRESH_MS);
  client.start();
  void loadRooms().catch(() => undefined);
  return session;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in console');
  return s;
}

export function useSnapshot(): Snapshot {
  const { store } = useSession();
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}
