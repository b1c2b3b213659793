import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RoomProgram } from './room-program.js';

/**
 * Serves each room's program feed on loopback only (`/program/<room>.flv`): the relays
 * and the recorder are local ffmpeg processes reading it with `-c copy`.
 */
export class ProgramServer {
  private server: Server | null = null;
  private port = 0;

  constructor(private readonly programs: Map<string, RoomProgram>) {}

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const m = /^\/program\/([a-z0-9][a-z0-9-]{0,62})\.flv$/.exec(req.url ?? '');
      const program = m ? this.programs.get(m[1]!) : undefined;
      if (!program) {
        res.writeHead(404).end();
        return;
      }
      program.subscribe(res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  url(room: string): string {
    return `http://127.0.0.1:${this.port}/program/${room}.flv`;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
