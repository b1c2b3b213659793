/** Scripts written without spaces between words: each character is a caption word. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}]/u;
const EDGE_PUNCT = /^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu;
const WORDLIKE = /[\p{L}\p{N}]/u;

/** The words a caption highlights, in order: space-separated tokens, CJK per character, no edge punctuation. */
export function captionWords(text: string): string[] {
  const words: string[] = [];
  for (const token of text.split(/\s+/u)) {
    let run = '';
    const flush = () => {
      const w = run.replace(EDGE_PUNCT, '');
      if (WORDLIKE.test(w)) words.push(w);
      run = '';
    };
    for (const ch of token) {
      if (UNSPACED.test(ch)) {
        flush();
        words.push(ch);
      } else if (/[\p{P}]/u.test(ch) && !/['’\-.]/u.test(ch) && run) {
        // Full-width and clause punctuation glued to a word ("好，" "end;") ends it.
        flush();
      } else {
        run += ch;
      }
    }
    flush();
  }
  return words;
}

const CLAUSE_END = /[,.;:!?，。；：！？、…]+(?=\s|$|[^\p{L}\p{N}])|[，。；：！？、]/u;

/** Caption words grouped by clause (split at clause punctuation), for timing without phones. */
export function clauseWords(text: string): string[][] {
  return text.split(CLAUSE_END).map(captionWords).filter((c) => c.length > 0);
}
