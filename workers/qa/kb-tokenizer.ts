/**
 * Terms for knowledge-base retrieval, the same for documents and questions.
 *
 * Latin text: NFKC, lowercase, diacritics stripped ("Café" = "cafe"), function words
 * dropped, a light suffix stemmer ("starts", "started", "starting" → "start").
 * Interrogatives (when/where/who/why/how) are kept: they tell "when is the show" from
 * "where is the show".
 *
 * CJK text has no spaces: a run is cut at function words and question words
 * (什么, 吗, 的 …) and each piece becomes overlapping character bigrams ("直播开始" →
 * 直播, 播开, 开始), the standard approach of CJK analyzers (Lucene's CJKAnalyzer).
 */

const LATIN_STOP = new Set([
  // English
  'a', 'an', 'the', 'is', 'are', 'was', 'were', 'be', 'been', 'being', 'am', 'do', 'does', 'did',
  'have', 'has', 'had', 'i', 'you', 'he', 'she', 'it', 'we', 'they', 'me', 'my', 'your', 'our',
  'their', 'its', 'this', 'that', 'these', 'those', 'what', 'which', 'to', 'of', 'in', 'on', 'at',
  'by', 'for', 'with', 'from', 'about', 'as', 'into', 'than', 'then', 'so', 'and', 'or', 'but',
  'if', 'there', 'here', 'please', 'tell', 'can', 'could', 'would', 'should', 'will', 'shall',
  'may', 'might', 'must', 'any', 'some', 'just', 'also', 'too', 'very', 'us', 'him', 'her', 'them',
  'hi', 'hello', 'hey', 's', 't', 're', 'll', 've', 'd', 'm',
  // French
  'le', 'la', 'les', 'un', 'une', 'des', 'de', 'du', 'et', 'est', 'en', 'que', 'qui', 'quoi', 'ce',
  'cet', 'cette', 'ces', 'il', 'elle', 'je', 'tu', 'nous', 'vous', 'ils', 'elles', 'au', 'aux',
  'pour', 'par', 'sur', 'dans', 'avec', 'ne', 'pas', 'l', 'j', 'c', 'qu', 'n', 'y', 'ou',
  // German
  'der', 'die', 'das', 'ein', 'eine', 'einer', 'eines', 'einem', 'einen', 'dem', 'den', 'des', 'und',
  'ist', 'sind', 'war', 'ich', 'du', 'er', 'sie', 'es', 'wir', 'ihr', 'zu', 'von', 'mit', 'im',
  'auf', 'fur', 'an', 'bei', 'auch', 'was',
]);

/** Cut points inside CJK runs, longest first so 为什么 wins over 什么. */
const CJK_STOP = [
  '什么时候', '是不是', '有没有', '能不能', '为什么', '怎么样',
  '什么', '怎么', '怎样', '哪里', '哪儿', '哪个', '哪些', '多少', '几点', '时候', '请问', '可以',
  '我们', '你们', '他们', '她们', '一下', '一个', '知道', '告诉',
  '吗', '呢', '吧', '啊', '呀', '嘛', '的', '了', '是', '我', '你', '他', '她', '它', '这', '那',
  '和', '与', '也', '都', '就', '还', '很', '在', '着', '过', '么', '请', '要', '会', '能', '有', '几',
];
const CJK_STOP_MAX = Math.max(...CJK_STOP.map((w) => w.length));
const CJK_STOP_SET = new Set(CJK_STOP);

const RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+|[\p{L}\p{N}]+/gu;
const CJK = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

export function tokenize(text: string): string[] {
  const out: string[] = [];
  const normalized = text.normalize('NFKC').toLowerCase();
  for (const match of normalized.matchAll(RUN)) {
    const run = match[0];
    if (CJK.test(run)) cjkTerms(run, out);
    else {
      const word = stem(run.normalize('NFD').replace(/\p{M}+/gu, ''));
      if (word && !LATIN_STOP.has(word)) out.push(word);
    }
  }
  return out;
}

/** Light, language-agnostic suffix stripping; the same on both sides, so it need not be exact. */
function stem(word: string): string {
  if (LATIN_STOP.has(word) || word.length <= 3 || /\d/u.test(word)) return word;
  if (word.endsWith('ies') && word.length > 4) return `${word.slice(0, -3)}y`;
  if (word.endsWith('sses')) return word.slice(0, -2);
  if (word.endsWith('ing') && word.length > 5) return word.slice(0, -3);
  if (word.endsWith('ed') && word.length > 4) return word.slice(0, -2);
  if (word.endsWith('s') && !/(ss|us|is)$/u.test(word)) return word.slice(0, -1);
  return word;
}

function cjkTerms(run: string, out: string[]): void {
  const chars = [...run];
  let piece: string[] = [];
  const emit = (): void => {
    if (piece.length === 1) out.push(piece[0]!);
    for (let i = 0; i + 1 < piece.length; i++) out.push(piece[i]! + piece[i + 1]!);
    piece = [];
  };
  for (let i = 0; i < chars.length;) {
    let stop = 0;
    for (let len = Math.min(CJK_STOP_MAX, chars.length - i); len >= 1; len--) {
      if (CJK_STOP_SET.has(chars.slice(i, i + len).join(''))) {
        stop = len;
        break;
      }
    }
    if (stop) {
      emit();
      i += stop;
    } else {
      piece.push(chars[i]!);
      i++;
    }
  }
  emit();
}
