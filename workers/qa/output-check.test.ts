import { describe, expect, it } from 'vitest';
import { createOutputCheck } from './output-check.js';
import { compileBlocklist } from '../../protocol/index.js';
import { cleanText } from '../tts/text-cleaner.js';
import { runProcess } from '../tts/run-process.js';

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

describe('output check and voice agree on what is said (real espeak-ng)', () => {
  const ipa = async (voice: string, text: string) =>
    (await runProcess('espeak-ng', ['-v', voice, '-b', '1', '--ipa', '-q'], { input: text })).stdout;
  // Stress marks, tone numbers, language switches and spaces vary with context; the phonemes do not.
  const bare = (s: string) => s.replace(/\([a-z-]+\)|[ˈˌ0-9\s-]/g, '');
  const sneaky = [
    "The [[s'i:kr@t]] is out.",
    "An open [[s'i:kr@t",
    "[\u200B[s'i:kr@t]] now",
    '&#91;&#91;s\'i:kr@t&#93;&#93; now',
    "[🎉[s'i:kr@t]] now",
    "[<b></b>[s'i:kr@t]] now",
    "&amp;#91;&amp;#91;s'i:kr@t]] now",
    "[[[s'i:kr@t]]] now",
  ];

  it.each(['en-us+f3', 'fr-fr+f3', 'de+m3', 'cmn-latn-pinyin+f3'])('a line the check lets through is never heard as a blocked word (%s)', async (voice) => {
    const heardAsSecret = bare(await ipa(voice, "[[s'i:kr@t]]"));
    // The fingerprint works: espeak-ng does read the raw markup as the word.
    expect(bare(await ipa(voice, sneaky[0]!))).toContain(heardAsSecret);
    const check = createOutputCheck({ blocklist: ['secret'], maxAnswerChars: 4000 });
    for (const line of sneaky) {
      if (!check.check(line).ok) continue;
      expect(bare(await ipa(voice, cleanText(line))), line).not.toContain(heardAsSecret);
    }
    // And what the voice hears as the word, the check refuses.
    expect(check.check('The sec\u200Bret is out.')).toMatchObject({ ok: false, reason: 'blocklist' });
  });
});
