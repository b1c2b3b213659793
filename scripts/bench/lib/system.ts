import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { IssueTokenBody } from '../../../protocol/index.js';
import { TokenService } from '../../../server/auth/token-service.js';
import { freePort } from '../../../stream-gateway/free-port.js';
import { startPart, type RunningPart } from './parts.js';

export interface SystemOptions {
  redisUrl: string;
  /** Also a stream gateway on free ports, so a real render host can publish and viewers pull. */
  gateway?: boolean;
}

/**
 * The system under test as real processes, each on free ports, sharing one Redis under a
 * key prefix and one data directory of their own: server, workers (knowledge base +
 * flite), and optionally the stream gateway and a real render host. The bench process
 * is only the load generator (and, in bench:show's first part, the render host's media
 * clocks).
 */
export class BenchSystem {
  readonly parts: RunningPart[] = [];
  private constructor(
    readonly prefix: string,
    readonly dataDir: string,
    readonly redis: Redis,
    private readonly env: Record<string, string>,
    readonly tokens: TokenService,
    readonly adminToken: string,
    readonly port: number,
    readonly gatewayHttpPort: number | null,
  ) {}

  get httpUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  static async start(o: SystemOptions): Promise<BenchSystem> {
    const prefix = `bench-show-${randomBytes(4).toString('hex')}`;
    const jwtSecret = randomBytes(32).toString('base64url');
    const dataDir = mkdtempSync(path.join(tmpdir(), 'livehost-bench-show-'));
    const env: Record<string, string> = {
      REDIS_URL: o.redisUrl, LIVEHOST_REDIS_PREFIX: prefix, LIVEHOST_JWT_SECRET: jwtSecret,
      LIVEHOST_PUBLISH_SECRET: randomBytes(32).toString('base64url'), LIVEHOST_DATA_DIR: dataDir, LOG_LEVEL: 'info',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const redis = new Redis(o.redisUrl);
    const parts: RunningPart[] = [];
    try {
      let gatewayHttpPort: number | null = null;
      const serverEnv: Record<string, string> = { ...env, PORT: '0', HOST: '127.0.0.1' };
      if (o.gateway) {
        const rtmpPort = await freePort('127.0.0.1');
        gatewayHttpPort = await freePort('127.0.0.1');
        parts.push(await startPart('gateway', 'stream-gateway/main.ts', {
          ...env, LIVEHOST_GATEWAY_HOST: '127.0.0.1', LIVEHOST_RTMP_PORT: String(rtmpPort), LIVEHOST_GATEWAY_HTTP_PORT: String(gatewayHttpPort),
        }, /stream gateway listening/));
        serverEnv.LIVEHOST_RTMP_URL = `rtmp://127.0.0.1:${rtmpPort}/live`;
        serverEnv.LIVEHOST_PREVIEW_URL = `http://127.0.0.1:${gatewayHttpPort}/live`;
      }
      const server = await startPart('server', 'server/main.ts', serverEnv, /listening at http:\/\/127\.0\.0\.1:\d+/i);
      parts.push(server);
      const port = Number(/listening at http:\/\/127\.0\.0\.1:(\d+)/i.exec(server.output())![1]);
      parts.push(await startPart('workers', 'workers/main.ts', { ...env, LIVEHOST_ANSWERS: 'kb' }, /workers ready/));
      const tokens = new TokenService(jwtSecret, redis, prefix);
      const { token } = await tokens.issue({ role: 'admin', label: 'bench:show' });
      const system = new BenchSystem(prefix, dataDir, redis, env, tokens, token, port, gatewayHttpPort);
      system.parts.push(...parts);
      return system;
    } catch (err) {
      for (const p of parts.reverse()) await p.stop();
      await redis.quit();
      rmSync(dataDir, { recursive: true, force: true });
      throw err;
    }
  }

  part(name: string): RunningPart {
    const p = this.parts.find((x) => x.name === name);
    if (!p) throw new Error(`no part ${name}`);
    return p;
  }

  async token(body: IssueTokenBody): Promise<string> {
    return (await this.tokens.issue(body)).token;
  }

  /** An admin REST call; anything but 2xx throws with the body. */
  async api<T>(method: string, url: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.httpUrl}${url}`, {
      method,
      headers: { authorization: `Bearer ${this.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${url} → ${res.status} ${text.slice(0, 500)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** The real render host (`render-bridge/main.ts`), niced as the bootstrap runs it beside the rest. */
  async startRenderBridge(hostId: string, capacity: number, nice: number): Promise<RunningPart> {
    const part = await startPart('render', 'render-bridge/main.ts', {
      ...this.env, LIVEHOST_SERVER_URL: this.wsUrl, LIVEHOST_HOST_TOKEN: await this.token({ role: 'render-host', hostId }),
      LIVEHOST_HOST_CAPACITY: String(capacity),
    }, /room started/, { nice, timeoutMs: 60_000 });
    this.parts.push(part);
    return part;
  }

  /** Throws when a part died during the run (its last output in the message). */
  assertAlive(): void {
    for (const p of this.parts) {
      if (p.child.exitCode !== null || p.child.signalCode !== null) {
        throw new Error(`${p.name} exited (${p.child.signalCode ?? p.child.exitCode}) during the run:\n${p.output().slice(-2000)}`);
      }
    }
  }

  async stop(): Promise<void> {
    for (const p of [...this.parts].reverse()) await p.stop();
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await this.redis.del(...keys);
    } while (cursor !== '0');
    await this.redis.quit();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
