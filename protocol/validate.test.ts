import { describe, expect, it } from 'vitest';
import { CLIENT_ROLES, INBOUND } from './messages.js';
import { inboundValidator, messageValidators } from './validate.js';

describe('message validators', () => {
  it('every inbound message type of every role has its own validator', () => {
    for (const role of CLIENT_ROLES) {
      const union = INBOUND[role] as unknown as { anyOf: unknown[] };
      expect(messageValidators('inbound', role).size).toBe(union.anyOf.length);
    }
  });
  it('a valid operator command passes and names its type', () => {
    const r = inboundValidator('operator').check({ type: 'command', id: 'c1', room: 'demo', command: { name: 'action', action: 'Talk2' } });
    expect(r.ok).toBe(true);
  });
  it('an extra field is rejected with its path', () => {
    const v = messageValidators('inbound', 'bot').get('question')!;
    const r = v.check({ type: 'question', id: 'q1', user: { id: 'u', name: 'U' }, text: 'hi', sneaky: 1 });
    expect(r.ok).toBe(false);
  });
  it('a room id that could name another key is rejected', () => {
    const r = messageValidators('inbound', 'operator').get('room.subscribe')!.check({ type: 'room.subscribe', id: 'x', room: '../etc:passwd' });
    expect(r).toMatchObject({ ok: false });
    if (!r.ok) expect(r.error).toContain('/room');
  });
});

describe('formats', () => {
  it('a panel.show with an http(s) image URL is valid, a non-URL is not', () => {
    const v = messageValidators('inbound', 'operator').get('command')!;
    const msg = (imageUrl: string) => ({ type: 'command', id: 'p', room: 'demo', command: { name: 'panel.show', imageUrl } });
    expect(v.check(msg('https://example.com/shoe.png')).ok).toBe(true);
    expect(v.check(msg('https://')).ok).toBe(false);
    expect(v.check(msg('file:///etc/passwd')).ok).toBe(false);
  });
});
