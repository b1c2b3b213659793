import WebSocket from 'ws';

/** What a fleet host saw, stamped on arrival (performance.now() of the bench process). */
export interface HostSink {
  assigned(room: string, hostId: string, at: number): void;
  released(room: string, hostId: string, at: number): void;
}

/** The real render host's heartbeat interval (render-bridge/client/server-client.ts). */
const HEARTBEAT_MS = 2000;

/**
 * A render host with nothing behind it: one real WebSocket that registers with a capacity,
 * heartbeats with the rooms it holds, and takes the rooms it is assigned (and gives back
 * the ones released). No renderer, no encoder: a hundred of these fit in the bench process,
 * so what is measured is the server's placement, not rendering.
 */
export class FleetHost {
  readonly rooms = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private ids = 0;
  killedAt: number | null = null;

  private constructor(private readonly ws: WebSocket, readonly hostId: string, readonly capacity: number, private readonly sink: HostSink) {
    ws.on('message', (data) => {
      const at = performance.now();
      const f = JSON.parse(data.toString()) as { type: string; room?: string; ref?: string; code?: string; message?: string };
      if (f.type === 'room.assign' && f.room) {
        this.rooms.add(f.room);
        sink.assigned(f.room, hostId, at);
      } else if (f.type === 'room.release' && f.room) {
        this.rooms.delete(f.room);
        sink.released(f.room, hostId, at);
      } else if (f.type === 'error') {
        process.stderr.write(`fleet host ${hostId}: error ${f.code ?? ''} ${f.message ?? ''}\n`);
      }
    });
  }

  /** Connects and registers; resolves once the server acknowledged the registration. */
  static async join(wsUrl: string, token: string, hostId: string, capacity: number, sink: HostSink): Promise<FleetHost> {
    const ws = new WebSocket(`${wsUrl}/ws/render-host`, { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false });
    const host = new FleetHost(ws, hostId, capacity, sink);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${hostId}: not registered in 30 s`)), 30_000);
      ws.on('message', function onFrame(data) {
        const f = JSON.parse(data.toString()) as { type: string; ref?: string };
        if (f.type === 'welcome') {
          ws.send(JSON.stringify({
            type: 'host.register', id: 'reg', capacity,
            capabilities: { renderer: 'reference', resolutions: ['720p'], encoders: ['libx264'] },
          }));
        } else if (f.type === 'ack' && f.ref === 'reg') {
          clearTimeout(timer);
          ws.off('message', onFrame);
          resolve();
        }
      });
      ws.once('unexpected-response', (_req, res) => reject(new Error(`${hostId}: HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
    host.timer = setInterval(() => host.send({ type: 'host.heartbeat', rooms: [...host.rooms].slice(0, 64), cpu: 0.1, fps: 30 }), HEARTBEAT_MS);
    return host;
  }

  private send(frame: Record<string, unknown>): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ ...frame, id: `${this.hostId}-${++this.ids}` }));
  }

  get alive(): boolean {
    return this.killedAt === null;
  }

  /** The host dies: its socket is destroyed with no close frame, as a crashed machine's would be. */
  kill(): number {
    if (this.timer) clearInterval(this.timer);
    this.killedAt = performance.now();
    this.ws.terminate();
    return this.killedAt;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
  }
}
