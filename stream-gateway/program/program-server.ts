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
  /** `<room>/<consumer>` → the first media that reader got (a recording's time 0): program timestamp and wall clock. */
  private readonly starts = new Map<string, { wall: number; firstTs: number }>();

  constructor(private readonly programs: Map<string, RoomProgram>) {}

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const m = /^\/program\/([a-z0-9][a-z0-9-]{0,62})\.flv(?:\?consumer=([A-Za-z0-9-]{1,80}))?$/.exec(req.url ?? '');
      const program = m ? this.programs.get(m[1]!) : undefined;
      if (!program) {
        res.writeHead(404).end();
        return;
      }
      const start = program.subscribe(res);
      if (m![2]) {
        this.starts.set(`${m![1]}/${m![2]}`, start);
        if (this.starts.size > 1000) this.starts.delete(this.starts.keys().next().value!);
      }
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

  /** Where a named reader's stream begins (known once it connected). */
  startOf(room: string, consumer: string): { wall: number; firstTs: number } | undefined {
    return this.starts.get(`${room}/${consumer}`);
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
