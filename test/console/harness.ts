import type { AddressInfo } from 'node:net';
import { vi } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildApp } from '../../server/app.js';
import { loadConfig, type Config } from '../../server/config.js';
import { ensureConsoleBuilt } from '../../console/build.mjs';
import type { AvatarCommand } from '../../protocol/index.js';
import { TEST_JWT_SECRET, TEST_PUBLISH_SECRET, type TestServer } from '../helpers/server.js';
import { redisUrl, testPrefix } from '../helpers/redis.js';
import { TestClient } from '../helpers/ws-client.js';
import { startPart, type Part } from '../helpers/processes.js';

/**
 * Browser tests wait for what a page shows; on a shared two-core machine under load that
 * can take many times longer than on an idle one, so a poll gives up after 15 s, not 1 s.
 */
export function patientPolls(): void {
  vi.setConfig({ expect: { poll: { timeout: 15_000, interval: 50 } } });
}

/** Browser tests run against the built console; this builds it when its sources changed. */
export const buildConsole = (): Promise<unknown> => ensureConsoleBuilt();

/**
 * A server instance like test/helpers/server.ts starts, but on a chosen port: a console
 * page keeps its origin, so "the server came back" means the same port.
 */
export async function startServerOn(port: number, prefix = testPrefix('console'), overrides: Partial<Config> = {}): Promise<TestServer> {
  const config = loadConfig({}, {
    port, redisUrl: redisUrl(), redisPrefix: prefix, jwtSecret: TEST_JWT_SECRET, publishSecret: TEST_PUBLISH_SECRET,
    logLevel: process.env.DBG ? 'error' : 'silent', drainMs: 0, ...overrides,
  });
  const built = await buildApp(config);
  await built.app.listen({ host: '127.0.0.1', port });
  const actual = (built.app.server.address() as AddressInfo).port;
  const token = async (body: Parameters<TestServer['token']>[0]) => (await built.core.tokens.issue(body)).token;
  return {
    ...built, prefix, token,
    url: `http://127.0.0.1:${actual}`, wsUrl: `ws://127.0.0.1:${actual}`,
    adminToken: await token({ role: 'admin' }),
    close: async () => { await built.app.close(); },
  };
}

/** A server instance as its own process (server/main.ts), so a test can kill it outright. */
export function startServerProcess(port: number, prefix: string, env: Record<string, string> = {}): Promise<Part> {
  return startPart('server/main.ts', {
    HOST: '127.0.0.1', PORT: String(port), REDIS_URL: redisUrl(), LIVEHOST_REDIS_PREFIX: prefix,
    LIVEHOST_JWT_SECRET: TEST_JWT_SECRET, LIVEHOST_PUBLISH_SECRET: TEST_PUBLISH_SECRET, ...env,
  }, /Server listening/, 60_000);
}

export interface HostOptions {
  /** Refuse a command with this error (null: acknowledge it). */
  refuse?: (command: AvatarCommand) => string | null;
  /** How long a segment "plays": its duration, capped (tests should not wait for long lines). */
  maxPlayMs?: number;
  /** A host that never answers commands (a hung engine). */
  silent?: boolean;
  /** How long a line plays, when a test wants to decide (default: its duration, capped by maxPlayMs). */
  playMs?: (segment: { text: string; durationMs: number }) => number;
}

/**
 * A render host over a real WebSocket that acknowledges commands and plays segments one
 * after another, reporting each started and finished as the render bridge does (and cutting
 * the one playing when the director sends speech.stop), without rendering anything.
 */
export class FakeRenderHost {
  readonly commands: AvatarCommand[] = [];
  readonly rooms = new Set<string>();
  readonly played: Array<{ segmentId: string; text: string; interrupted: boolean }> = [];
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private readonly waiting: Array<{ room: string; segmentId: string; text: string; durationMs: number }> = [];
  private playing: { room: string; segmentId: string; text: string; timer: ReturnType<typeof setTimeout> } | null = null;
  private media = 0;
  private constructor(readonly client: TestClient, private readonly o: HostOptions) {}

  static async connect(srv: TestServer, hostId: string, o: HostOptions = {}): Promise<FakeRenderHost> {
    const client = await TestClient.connect(`${srv.wsUrl}/ws/render-host`, await srv.token({ role: 'render-host', hostId }));
    const host = new FakeRenderHost(client, o);
    client.ws.on('message', (data) => host.receive(JSON.parse(data.toString()) as Frame));
    client.send({ type: 'host.register', id: 'reg', capacity: 8, capabilities: { renderer: 'reference', resolutions: ['720p'], encoders: ['libx264'] } });
    await client.next((f) => f.type === 'ack' && f.ref === 'reg');
    // A host that stops heartbeating loses its rooms (LIVEHOST_HOST_TIMEOUT_S).
    let beats = 0;
    host.heartbeat = setInterval(() => client.send({ type: 'host.heartbeat', id: `hb${beats++}`, rooms: [...host.rooms], fps: 30, cpu: 0.25 }), 2000);
    return host;
  }

  private receive(f: Frame): void {
    if (f.type === 'room.assign' && f.room) this.rooms.add(f.room);
    if (f.type === 'room.release' && f.room) this.rooms.delete(f.room);
    if (f.type === 'command' && f.command && f.commandId && f.room) {
      this.commands.push(f.command);
      if (this.o.silent) return;
      const error = this.o.refuse?.(f.command) ?? null;
      this.client.send({ type: 'command.ack', id: `a${this.commands.length}`, ref: f.commandId, room: f.room, ok: error === null, ...(error ? { error } : {}) });
    }
    if (f.type === 'speech.segment' && f.segment) {
      this.waiting.push({ room: f.segment.room, segmentId: f.segment.segmentId, text: f.segment.text, durationMs: f.segment.durationMs });
      this.next();
    }
    if (f.type === 'speech.stop' && f.segmentIds) {
      const ids = new Set(f.segmentIds);
      for (let i = this.waiting.length - 1; i >= 0; i--) if (ids.has(this.waiting[i]!.segmentId)) this.waiting.splice(i, 1);
      if (this.playing && ids.has(this.playing.segmentId)) this.finish(true);
    }
  }

  private next(): void {
    if (this.playing) return;
    const seg = this.waiting.shift();
    if (!seg) return;
    const play = this.o.playMs?.(seg) ?? Math.min(seg.durationMs, this.o.maxPlayMs ?? 3000);
    const started = this.media;
    this.playing = { room: seg.room, segmentId: seg.segmentId, text: seg.text, timer: setTimeout(() => this.finish(false), play) };
    this.client.send({ type: 'speech.started', id: `s-${seg.segmentId}`, room: seg.room, segmentId: seg.segmentId, mediaTimeMs: started });
    this.media += play;
  }

  /** The line playing ends now, as if it had played to its end. */
  endCurrent(): void {
    this.finish(false);
  }

  private finish(interrupted: boolean): void {
    const p = this.playing;
    if (!p) return;
    clearTimeout(p.timer);
    this.playing = null;
    this.played.push({ segmentId: p.segmentId, text: p.text, interrupted });
    this.client.send({ type: 'speech.finished', id: `f-${p.segmentId}`, room: p.room, segmentId: p.segmentId, mediaTimeMs: this.media, interrupted });
    setTimeout(() => this.next(), 10);
  }

  close(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.playing) clearTimeout(this.playing.timer);
    this.client.close();
  }
}

type Frame = {
  type: string; commandId?: string; room?: string; command?: AvatarCommand; segmentIds?: string[];
  segment?: { room: string; segmentId: string; text: string; durationMs: number };
};

/** A page that records what would make a test meaningless if ignored: script errors and failed requests. */
export async function consolePage(browser: Browser, problems: string[]): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, colorScheme: 'dark' });
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  return page;
}

/** Opens the console signed in through a sign-in link, as `npm start` prints it. */
export async function signIn(page: Page, base: string, token: string, path = '/console/'): Promise<void> {
  await page.goto(`${base}${path}#token=${token}`);
  await page.locator('.conn[data-state="open"]').waitFor({ timeout: 30_000 });
}
