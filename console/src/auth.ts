import type { Role } from '../../protocol/common.js';

const KEY = 'livehost.console.token';

/** What the console reads from its token to decide what to show; the server still decides what is allowed. */
export interface TokenFacts {
  role: Role;
  rooms: string[];
  expiresAt: number;
  tokenId: string;
}

/**
 * A sign-in URL carries the token in its fragment (`#token=…`), which browsers never send
 * to a server. It is moved to sessionStorage (this tab only, gone when it closes) and
 * removed from the address bar, so it does not end up in history or a shared screenshot.
 */
export function takeToken(loc: Location = location, hist: History = history, store: Storage = sessionStorage): string | null {
  const params = new URLSearchParams(loc.hash.replace(/^#/, ''));
  const fromUrl = params.get('token');
  if (fromUrl) {
    store.setItem(KEY, fromUrl);
    params.delete('token');
    const rest = params.toString();
    hist.replaceState(hist.state, '', `${loc.pathname}${loc.search}${rest ? `#${rest}` : ''}`);
  }
  return store.getItem(KEY);
}

export function saveToken(token: string, store: Storage = sessionStorage): void {
  store.setItem(KEY, token);
}

export function forgetToken(store: Storage = sessionStorage): void {
  store.removeItem(KEY);
}

/** Reads a JWT's claims without verifying it (display only); null when it is not one of ours. */
export function readToken(token: string): TokenFacts | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
    const claims = JSON.parse(json) as { role?: Role; rooms?: string[]; exp?: number; jti?: string };
    if (!claims.role || !Array.isArray(claims.rooms)) return null;
    return { role: claims.role, rooms: claims.rooms, expiresAt: (claims.exp ?? 0) * 1000, tokenId: claims.jti ?? '' };
  } catch {
    return null;
  }
}
