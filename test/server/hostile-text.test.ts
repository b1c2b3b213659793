import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuestionInfo } from '../../protocol/index.js';
import { cleanup, startServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';

describe('hostile text at the entry points', () => {
  let srv: TestServer;
  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    srv.app.inject({ method, url, headers: { authorization: `Bearer ${srv.adminToken}` }, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    srv = await startServer();
  });
  afterAll(async () => cleanup(srv));

  it('a blocklist pattern RE2 cannot run is refused with a 400 naming it, on create and on patch', async () => {
    const created = await call('POST', '/api/rooms', { id: 'regex-room', blocklist: ['casino', '(win)\\1'] });
    expect(created.statusCode).toBe(400);
    expect(created.json().error).toEqual({
      code: 'invalid_message',
      message: expect.stringMatching(/^blocklist pattern "\(win\)\\\\1" is not usable: invalid escape sequence/),
    });
    expect(await srv.core.rooms.exists('regex-room')).toBe(false);

    expect((await call('POST', '/api/rooms', { id: 'regex-room', blocklist: ['casino', '^(a+)+$'] })).statusCode).toBe(201);
    const patched = await call('PATCH', '/api/rooms/regex-room', { blocklist: ['(?=free)money'] });
    expect(patched.statusCode).toBe(400);
    expect(patched.json().error.message).toMatch(/"\(\?=free\)money" is not usable: .*lookarounds/);
    expect((await srv.core.rooms.get('regex-room')).blocklist).toEqual(['casino', '^(a+)+$']);
  });

  it('a room stored with unusable patterns before they were checked still takes questions', async () => {
    await srv.core.rooms.create({ id: 'legacy', blocklist: ['(a)\\1', '^(a+)+$'] });
    const ask = (id: string, text: string) => call('POST', '/api/rooms/legacy/questions', { user: { id, name: 'Ana' }, text });
    // The hostile input is checked in linear time (it would hang a backtracking engine), then
    // refused by viewer-text moderation as a flood of one character — an answer, not a stall.
    const long = await ask('u1', `${'a'.repeat(24)}!`);
    expect(long.statusCode).toBe(400);
    expect(long.json().error.message).toMatch(/24 characters that say/);
    expect((await ask('u3', 'When does the show start?')).statusCode).toBe(202);
    const literal = await ask('u2', 'what does (a)\\1 mean?');
    expect(literal.statusCode).toBe(400);
    expect(literal.json().error.code).toBe('rejected');
  });

  it('room names and fallback lines are stored without bidi overrides, invisible characters or double entities', async () => {
    const res = await call('POST', '/api/rooms', { id: 'clean-room', name: 'Shop\u202E \u2066live\u2069\u200B &amp;amp; more', fallbackLine: 'One&nbsp;moment\u0007 please.' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ name: 'Shop live more', fallbackLine: 'One moment please.' });
    const empty = await call('PATCH', '/api/rooms/clean-room', { name: '\u202E\u200B\u2066' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.message).toBe('name has no visible text');
  });

  it('viewer names and questions from bots and REST reach operators sanitized', async () => {
    await srv.core.rooms.create({ id: 'ask-room', review: 'questions' });
    const operator = await TestClient.connect(`${srv.wsUrl}/ws/operator`, await srv.token({ role: 'operator', rooms: ['ask-room'] }));
    operator.send({ type: 'room.subscribe', id: 's1', room: 'ask-room' });
    await operator.next((f) => f.type === 'ack' && f.ref === 's1');
    const bot = await TestClient.connect(`${srv.wsUrl}/ws/bot`, await srv.token({ role: 'bot', rooms: ['ask-room'] }));
    bot.send({ type: 'question', id: 'q1', user: { id: 'v1', name: '\u202Enimda\u202C' }, text: 'Is it \u200Bfree&amp;amp;easy\u2066?' });
    await bot.next((f) => f.type === 'question.ack' && f.ref === 'q1');
    const rest = await call('POST', '/api/rooms/ask-room/questions', { user: { id: 'v2', name: '\u2067\u200F' }, text: 'Ship &lt;b&gt;today&lt;/b&gt;\u0000?' });
    expect(rest.statusCode).toBe(202);

    const seen = await operator.next((f) => f.type === 'room.event' && (f.event as { question?: QuestionInfo }).question?.user.id === 'v1');
    expect((seen.event as { question: QuestionInfo }).question).toMatchObject({ user: { name: 'nimda' }, text: 'Is it free easy?' });
    const listed = (await call('GET', '/api/rooms/ask-room/questions')).json<{ questions: QuestionInfo[] }>().questions;
    expect(listed.map((q) => [q.user.name, q.text])).toEqual([['nimda', 'Is it free easy?'], ['viewer', 'Ship <b>today</b>?']]);

    const blank = await call('POST', '/api/rooms/ask-room/say', { text: '\u202E\u200B🎉' });
    expect(blank.statusCode).toBe(400);
    expect(blank.json().error.message).toBe('text has nothing to say');
    bot.close();
    operator.close();
  });
});
