import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A relayed command's id carries its way home: the operator session, the operator's own
 * message id and the time it arrived, MAC'd so a render host cannot forge an ack into
 * another operator's session. The ack can then be routed without a lookup.
 */
export class CommandIds {
  constructor(private readonly secret: string) {}

  private mac(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest().subarray(0, 9).toString('base64url');
  }

  make(sessionId: string, ref: string, receivedAt: number): string {
    const body = `${sessionId}:${receivedAt}:${ref}`;
    return `${this.mac(body)}:${body}`;
  }

  parse(commandId: string): { sessionId: string; ref: string; receivedAt: number } | null {
    const m = /^([A-Za-z0-9_-]{12}):([A-Za-z0-9-]+):(\d+):(.+)$/.exec(commandId);
    if (!m) return null;
    const [, mac = '', sessionId = '', at = '', ref = ''] = m;
    const expected = Buffer.from(this.mac(`${sessionId}:${at}:${ref}`));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    return { sessionId, ref, receivedAt: Number(at) };
  }
}
