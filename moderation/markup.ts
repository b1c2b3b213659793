import { markupIn, sanitizeText } from '../protocol/index.js';

/**
 * Markup in an answer line: what a voice would drop or read out as symbols instead of
 * words. Two sources, one answer:
 *
 * - what `spokenText` (protocol/text-hygiene.ts) removes before a voice speaks — tags and
 *   SSML (`<break time="1s"/>`, `<speak>`), comments, espeak-ng phoneme spans `[[…]]` —
 *   found by `markupIn`, the same patterns, so the check and the voice cannot disagree;
 * - Markdown, which hygiene leaves alone because a viewer may type an asterisk: emphasis
 *   (`**`, `__`, `~~`, `*word*`, `_word_`), code (backticks), links (`[text](url)`),
 *   headings, bullets, quotes and table rules at the start of a line.
 *
 * Numbered steps ("1. Unplug the router.") are not flagged: read aloud they sound right.
 * Every pattern has one bounded quantifier, so a line costs linear time.
 */
const MARKDOWN: ReadonlyArray<[RegExp, string]> = [
  [/\*\*|__|~~|`/, 'Markdown emphasis or code'],
  [/\[[^\]\n]{0,300}\]\(/, 'a Markdown link'],
  [/(?:^|\s)\*[^\s*][^*\n]{0,300}\*(?=$|[\s.,;:!?)])/, 'Markdown emphasis'],
  [/(?:^|\s)_[^\s_][^_\n]{0,300}_(?=$|[\s.,;:!?)])/, 'Markdown emphasis'],
  [/(?:^|\n)[ \t]{0,3}(?:#{1,6}|[-*+•>])[ \t]/, 'a Markdown heading, bullet or quote'],
  [/\|[ \t]{0,3}:?-{3,}/, 'a Markdown table'],
];

/** A description of the first markup in `line` ("a tag: <break/>"), or null when it is plain text. */
export function findMarkup(line: string): string | null {
  const hidden = markupIn(line);
  if (hidden !== null) return `markup the voice would drop: ${hidden.slice(0, 60)}`;
  const text = sanitizeText(line, { multiline: true });
  for (const [pattern, what] of MARKDOWN) {
    const m = pattern.exec(text);
    if (m) return `${what}: ${m[0].trim().slice(0, 60)}`;
  }
  return null;
}
