// The floor for bench:connections' memory: a bare `ws` server holding the same sockets,
// with nothing per socket but what `ws` and Node keep (no auth, session, Redis or room).
// The same maxPayload as the server, so the two `ws` servers are configured alike.
import { WebSocketServer } from 'ws';
import { MAX_FRAME_BYTES } from '../../../protocol/index.js';

const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
wss.on('connection', (ws) => {
  ws.on('message', (data) => ws.send(data.toString()));
});
wss.on('listening', () => {
  const address = wss.address();
  process.stdout.write(`listening ${address && typeof address === 'object' ? address.port : String(address)}\n`);
});
process.on('SIGTERM', () => process.exit(0));
