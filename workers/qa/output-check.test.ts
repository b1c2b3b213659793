import { describe, expect, it } from 'vitest';
import { createOutputCheck } from '../../moderation/index.js';
import { cleanText } from '../tts/text-cleaner.js';
import { runProcess } from '../tts/run-process.js';

// The output check's own rules are tested in moderation/output-check.test.ts; this is the
// check against the real voice, whose markup it must understand as the voice does.
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
      if (!(await check.check(line)).ok) continue;
      expect(bare(await ipa(voice, cleanText(line))), line).not.toContain(heardAsSecret);
    }
    // Engine syntax is refused as markup whatever it spells, before the blocklist is asked.
    for (const line of sneaky) expect((await check.check(line)), line).toMatchObject({ ok: false, reason: 'markup' });
    // And what the voice hears as the word, the check refuses.
    expect(await check.check('The sec\u200Bret is out.')).toMatchObject({ ok: false, reason: 'blocklist' });
  });
});
