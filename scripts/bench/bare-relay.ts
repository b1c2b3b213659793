// The floor for bench:relay: a bare `ws` relay with no auth, validation, Redis or
// sessions. Operators' frames go to the host of the same room and back, nothing else.
import { WebSocketServer, type WebSocket } from 'ws';

const port = Number(process.env.PORT ?? 0);
const rooms = new Map<string, { op?: WebSocket; host?: WebSocket }>();
const wss = new WebSocketServer({ port, host: '127.0.0.1' });

wss.on('connection', (ws, req) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const room = url.searchParams.get('room') ?? '';
  const role = url.searchParams.get('role') === 'host' ? 'host' : 'op';
  const entry = rooms.get(room) ?? {};
  entry[role] = ws;
  rooms.set(room, entry);
  ws.on('message', (data) => {
    const peer = role === 'op' ? entry.host : entry.op;
    peer?.send(data.toString());
  });
});
wss.on('listening', () => {
  const address = wss.address();
  process.stdout.write(`listening ${address && typeof address === 'object' ? address.port : String(address)}\n`);
});
process.on('SIGTERM', () => wss.close(() => process.exit(0)));
