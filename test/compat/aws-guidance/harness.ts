import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Config } from '../../../server/config.js';
import { redisUrl } from '../../helpers/redis.js';
import { startPart, type Part } from '../../helpers/processes.js';
import { cleanup, startServer, type TestServer } from '../../helpers/server.js';

export const PREFIX = '/compat/aws-guidance/prod/';

export interface CompatServer {
  srv: TestServer;
  dir: string;
  workers: Part | null;
  /** An operator token for every room. */
  operator: string;
  /** A request to the adapter as the original's clients make it: JSON in, parsed JSON (or text) out. */
  call(method: string, route: string, opts?: { body?: unknown; token?: string | null; headers?: Record<string, string> }): Promise<{ status: number; body: unknown; headers: Headers }>;
  close(): Promise<void>;
}

/** A real server with the adapter on, its own data directory and key prefix; real workers when asked. */
export async function startCompat(opts: {
  rooms: Array<{ id: string; language?: 'en-US' | 'en-GB' | 'zh-CN'; answers?: 'kb' | 'openai'; placed?: boolean }>;
  modules: Record<string, string>;
  config?: Partial<Config>;
  workers?: Record<string, string> | false;
}): Promise<CompatServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'livehost-compat-'));
  const srv = await startServer({ dataDir: dir, compatAwsGuidance: true, compatAwsGuidanceModules: opts.modules, ...opts.config });
  for (const room of opts.rooms) {
    const body = { id: room.id, ...(room.language ? { language: room.language } : {}), ...(room.answers ? { answers: room.answers } : {}) };
    // Through the REST API a room is placed on a render host (when one connects); the store alone leaves it without one.
    if (room.placed) {
      const res = await fetch(`${srv.url}/api/rooms`, { method: 'POST', headers: { authorization: `Bearer ${srv.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (res.status !== 201) throw new Error(`room ${room.id}: ${res.status} ${await res.text()}`);
    } else {
      await srv.core.rooms.create(body);
    }
  }
  const workers = opts.workers === false || opts.workers === undefined ? null
    // Workers load their language resources first: on a busy shared machine that takes a while.
    : await startPart('workers/main.ts', { REDIS_URL: redisUrl(), LIVEHOST_REDIS_PREFIX: srv.prefix, LIVEHOST_DATA_DIR: dir, ...opts.workers }, /workers ready/, 80_000);
  const operator = await srv.token({ role: 'operator', rooms: ['*'] });
  const call: CompatServer['call'] = async (method, route, o = {}) => {
    const token = o.token === undefined ? operator : o.token;
    const res = await fetch(route.startsWith('http') ? route : `${srv.url}${PREFIX}${route}`, {
      method,
      headers: {
        ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...o.headers,
      },
      ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
    });
    const text = await res.text();
    let body: unknown = text;
    try { body = text ? JSON.parse(text) : undefined; } catch { /* not JSON */ }
    return { status: res.status, body, headers: res.headers };
  };
  return {
    srv, dir, workers, operator, call,
    close: async () => {
      await workers?.stop();
      await cleanup(srv);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A set_material_metadata body as the original console sends it. */
export function consoleItem(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const id = String(Date.now());
  return {
    id, image_url: 'https://d1234.cloudfront.net/material/image/4242.jpg', text: 'Welcome to the mall, today everything is on sale.',
    random_id: id, character: 'rp_rin_female_asian', scene: 'shoppingmall', voice: 'US-En-Female', action: 'Talk1', user_id: 'VR-demo',
    item_id: 'item1', voice_speed: 'medium', vr_module: '0001', camera: 'front_stand', ...overrides,
  };
}

/** Polls `fn` until it returns something other than undefined (or the deadline passes). */
export async function until<T>(fn: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
