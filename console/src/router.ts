import { useSyncExternalStore } from 'react';

/** The console's pages, as paths under /console/ (the server answers every one with the app). */
export type Route =
  | { page: 'live'; room: string | null }
  | { page: 'show'; room: string | null }
  | { page: 'as-run'; room: string | null }
  | { page: 'settings'; room: string | null; section: SettingsSection }
  | { page: 'jobs' };

export const SETTINGS_SECTIONS = ['room', 'knowledge', 'destinations', 'recordings', 'tokens'] as const;
export type SettingsSection = (typeof SETTINGS_SECTIONS)[number];

const BASE = '/console/';

export function parseRoute(pathname: string): Route {
  const parts = pathname.startsWith(BASE) ? pathname.slice(BASE.length).split('/').filter(Boolean) : [];
  if (parts[0] === 'jobs') return { page: 'jobs' };
  if (parts[0] === 'rooms' && parts[1]) {
    const room = decodeURIComponent(parts[1]);
    if (parts[2] === 'show') return { page: 'show', room };
    if (parts[2] === 'as-run') return { page: 'as-run', room };
    if (parts[2] === 'settings') {
      const section = (SETTINGS_SECTIONS as readonly string[]).includes(parts[3] ?? '') ? parts[3] as SettingsSection : 'room';
      return { page: 'settings', room, section };
    }
    return { page: 'live', room };
  }
  return { page: 'live', room: null };
}

export function routePath(route: Route): string {
  switch (route.page) {
    case 'jobs':
      return `${BASE}jobs`;
    case 'settings':
      return `${BASE}rooms/${encodeURIComponent(route.room ?? '')}/settings/${route.section}`;
    case 'show':
    case 'as-run':
      return `${BASE}rooms/${encodeURIComponent(route.room ?? '')}/${route.page}`;
    case 'live':
      return route.room ? `${BASE}rooms/${encodeURIComponent(route.room)}/live` : BASE;
  }
}

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((fn) => fn());
window.addEventListener('popstate', notify);

export function navigate(route: Route, replace = false): void {
  const path = routePath(route);
  if (path === location.pathname) return;
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  notify();
}

export function useRoute(): Route {
  const path = useSyncExternalStore((fn) => {
    listeners.add(fn);
    return () => listeners.delete(fn);
  }, () => location.pathname);
  return parseRoute(path);
}
