import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CommandIds } from './command-ids.js';

const reference = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest().subarray(0, 9).toString('base64url');

describe('command ids', () => {
  const secrets = ['test-jwt-secret-0123456789abcdefghijklmnop', 'ä'.repeat(40), 'k'.repeat(200), 'short'];
  const bodies = ['s-1-x:1:c1', `s-7-abc:1764633300000:${'r'.repeat(64)}`, `s-2-y:5:${'ü'.repeat(300)}`, `s-3-z:9:${'q'.repeat(900)}`];

  it('are MAC\'d with exactly HMAC-SHA256, for any key and message length', () => {
    for (const secret of secrets) {
      const ids = new CommandIds(secret);
      for (const body of bodies) {
        const [sessionId, at, ref] = [body.split(':')[0]!, Number(body.split(':')[1]), body.split(':').slice(2).join(':')];
        expect(ids.make(sessionId, ref, at)).toBe(`${reference(secret, body)}:${body}`);
      }
    }
  });

  it('route an ack home, and refuse one that was altered or made with another key', () => {
    const ids = new CommandIds(secrets[0]!);
    const id = ids.make('s-12-abc', 'c7', 1234);
    expect(ids.parse(id)).toEqual({ sessionId: 's-12-abc', ref: 'c7', receivedAt: 1234 });
    expect(ids.parse(id.replace('s-12-abc', 's-12-abd'))).toBeNull();
    expect(ids.parse(id.replace(':c7', ':c8'))).toBeNull();
    expect(ids.parse(new CommandIds(secrets[2]!).make('s-12-abc', 'c7', 1234))).toBeNull();
    expect(ids.parse('AAAAAAAAAAAA:s-victim:1:c1')).toBeNull();
    expect(ids.parse('not an id')).toBeNull();
  });
});
