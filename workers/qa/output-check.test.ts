import { describe, expect, it } from 'vitest';
import { createOutputCheck } from './output-check.js';
import { compileBlocklist } from '../../protocol/index.js';

describe('output check', () => {
  it('rejects a sentence matching a blocklist pattern, case-insensitively', () => {
    const check = createOutputCheck({ blocklist: ['casino', 'free\\s+money'], maxAnswerChars: 500 });
    expect(check.check('Welcome to the show.')).toEqual({ ok: true });
    const r = check.check('Get FREE   Money at the CASINO!');
    expect(r).toMatchObject({ ok: false, reason: 'blocklist' });
  });

  it('matches Chinese patterns', () => {
    const check = createOutputCheck({ blocklist: ['赌博'], maxAnswerChars: 500 });
    expect(check.check('我们不讨论赌博。')).toMatchObject({ ok: false, reason: 'blocklist' });
    expect(check.check('欢迎！')).toEqual({ ok: true });
  });

  it('treats an invalid regex as a literal instead of crashing', () => {
    const check = createOutputCheck({ blocklist: ['(unclosed', 'a+b'], maxAnswerChars: 500 });
    expect(check.check('This is (unclosed text.')).toMatchObject({ ok: false, reason: 'blocklist', detail: 'matches /(unclosed/' });
    expect(check.check('unclosed alone is fine.')).toEqual({ ok: true });
    expect(check.check('aaab')).toMatchObject({ ok: false });
    expect(compileBlocklist(['[', '\\'])).toHaveLength(2);
  });

  it('caps the length of the whole answer, not of each sentence', () => {
    const check = createOutputCheck({ blocklist: [], maxAnswerChars: 30 });
    expect(check.check('Twelve chars')).toEqual({ ok: true }); // 12
    expect(check.check('Twelve chars')).toEqual({ ok: true }); // 12 + 1 + 12 = 25
    expect(check.check('Six ch')).toMatchObject({ ok: false, reason: 'length' }); // 32
    expect(check.check('Four')).toEqual({ ok: true }); // 30, rejected lines do not count
  });

  it('checks a standalone line against the blocklist only', () => {
    const check = createOutputCheck({ blocklist: ['secret'], maxAnswerChars: 20 });
    expect(check.checkBlocklist('A line that is much longer than twenty characters.')).toEqual({ ok: true });
    expect(check.checkBlocklist('The SECRET line.')).toMatchObject({ ok: false, reason: 'blocklist' });
  });
});
