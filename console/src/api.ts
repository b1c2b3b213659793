import type { RestError } from '../../protocol/errors.js';

/** A REST failure with the server's error code and message, for the UI to show as they are. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export interface Api {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  put<T>(path: string, body: unknown): Promise<T>;
  patch<T>(path: string, body: unknown): Promise<T>;
  del(path: string): Promise<void>;
  /** A raw authenticated request (downloads). */
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

/** REST with the bearer token; a 401 tells the app to sign in again. */
export function createApi(token: string, onUnauthorized: () => void): Api {
  const raw = (path: string, init: RequestInit = {}) => fetch(path, {
    ...init,
    headers: { authorization: `Bearer ${token}`, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
  });
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    let res: Response;
    try {
      res = await raw(path, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch {
      throw new ApiError(0, 'unavailable', 'the server did not answer');
    }
    if (res.status === 401) onUnauthorized();
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: reported below by status
    }
    if (!res.ok) {
      const err = (parsed as RestError | null)?.error;
      throw new ApiError(res.status, err?.code ?? 'internal', err?.message ?? `HTTP ${res.status}`);
    }
    return parsed as T;
  };
  return {
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body ?? {}),
    put: (path, body) => call('PUT', path, body),
    patch: (path, body) => call('PATCH', path, body),
    del: (path) => call('DELETE', path),
    fetch: raw,
  };
}

export const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));
