import type { ServerResponse } from 'node:http';
import type { TimedMetadataEvent } from '../../protocol/index.js';
import { toItem } from './metadata-payload.js';

/** SSE comment sent this often so proxies keep an idle stream open (ms). */
const KEEPALIVE_MS = 15_000;

/**
 * Timed metadata for local preview players: a Server-Sent Events stream per room
 * (`/metadata/<room>` on the gateway's HTTP port), each event named by its kind
 * (`caption`, `question`) with the same item a player gets from IVS as its data.
 */
export class MetadataFeed {
  private readonly clients = new Map<string, Set<ServerResponse>>();
  private readonly keepalive: NodeJS.Timeout;

  constructor() {
    this.keepalive = setInterval(() => {
      for (const set of this.clients.values()) for (const res of set) res.write(': keepalive\n\n');
    }, KEEPALIVE_MS);
    this.keepalive.unref();
  }

  subscribe(room: string, res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'access-control-allow-origin': '*',
    });
    res.write('retry: 2000\n\n');
    const set = this.clients.get(room) ?? new Set<ServerResponse>();
    this.clients.set(room, set);
    set.add(res);
    res.once('close', () => {
      set.delete(res);
      if (!set.size) this.clients.delete(room);
    });
  }

  publish(event: TimedMetadataEvent): void {
    const set = this.clients.get(event.room);
    if (!set) return;
    const frame = `event: ${event.kind}\ndata: ${JSON.stringify({ ...toItem(event), mediaTimeMs: event.mediaTimeMs, at: event.at })}\n\n`;
    for (const res of set) res.write(frame);
  }

  listeners(room: string): number {
    return this.clients.get(room)?.size ?? 0;
  }

  close(): void {
    clearInterval(this.keepalive);
    for (const set of this.clients.values()) for (const res of set) res.end();
    this.clients.clear();
  }
}
