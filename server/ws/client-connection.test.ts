import pino from 'pino';
import type { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import { ClientConnection } from './client-connection.js';
import { Metrics } from '../metrics.js';

function connection(sent: string[], metrics: Metrics, sessionId: string): ClientConnection<'operator'> {
  const socket = { OPEN: 1, readyState: 1, send: (raw: string) => sent.push(raw), close: () => undefined } as unknown as WebSocket;
  return new ClientConnection(socket, 'operator', { sub: 'op', role: 'operator' } as never, sessionId, async () => undefined,
    pino({ level: 'silent' }), metrics, { ratePerSecond: 100, burst: 100 });
}

describe('ClientConnection.deliver', () => {
  it('serializes a frame fanned out to many sessions once, each copy numbered by its own session', () => {
    const metrics = new Metrics();
    const sent: string[][] = [[], [], []];
    const conns = sent.map((s, i) => connection(s, metrics, `s${i}`));
    conns[1]!.deliver({ type: 'ack', ref: 'earlier' });
    let reads = 0;
    const event = { kind: 'caption', text: 'hello' };
    const frame = { type: 'room.event', room: 'r1', get event() { reads++; return event; } };
    for (const c of conns) c.deliver(frame);
    expect(reads).toBe(1);
    expect(sent.map((s) => JSON.parse(s.at(-1)!))).toEqual([
      { seq: 1, type: 'room.event', room: 'r1', event },
      { seq: 2, type: 'room.event', room: 'r1', event },
      { seq: 1, type: 'room.event', room: 'r1', event },
    ]);
  });

  it('serializes two frames with the same content separately', () => {
    const sent: string[] = [];
    const c = connection(sent, new Metrics(), 's');
    c.deliver({ type: 'ack', ref: 'a' });
    c.deliver({ type: 'ack', ref: 'b' });
    expect(sent.map((r) => JSON.parse(r))).toEqual([{ seq: 1, type: 'ack', ref: 'a' }, { seq: 2, type: 'ack', ref: 'b' }]);
  });
});
