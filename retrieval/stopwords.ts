/**
 * Function words dropped before matching. One list for all Latin-script languages, not
 * one per room language: viewers mix languages ("c'est combien the price?"), and the few
 * words that are content in one language and function in another (German "die") cost
 * less than English filler in a French room.
 *
 * Interrogatives (when/where/who/why/how, quand/où/comment, wann/wo/wie) are kept: they
 * tell "when is the show" from "where is the show".
 */
export const LATIN_STOPWORDS: ReadonlySet<string> = new Set([
  // English
  'a', 'an', 'the', 'is', 'are', 'was', 'were', 'be', 'been', 'being', 'am', 'do', 'does', 'did', 'done',
  'have', 'has', 'had', 'having', 'i', 'you', 'he', 'she', 'it', 'we', 'they', 'me', 'my', 'mine', 'your',
  'yours', 'our', 'their', 'its', 'this', 'that', 'these', 'those', 'what', 'which', 'to', 'of', 'in', 'on',
  'at', 'by', 'for', 'with', 'from', 'about', 'as', 'into', 'than', 'then', 'so', 'and', 'or', 'but', 'if',
  'there', 'here', 'please', 'pls', 'plz', 'tell', 'can', 'could', 'would', 'should', 'will', 'shall', 'may',
  'might', 'must', 'any', 'some', 'just', 'also', 'too', 'very', 'us', 'him', 'her', 'them', 'hi', 'hello',
  'hey', 'guys', 'lol', 'ok', 'okay', 'u', 'ur', 'ya', 'yo', 'rn', 'thanks', 'thx', 'really', 'actually',
  'get', 'got', 'know', 'want', 'wanna', 'gonna', 'like', 'one', 'ones', 'thing', 'things',
  's', 't', 're', 'll', 've', 'd', 'm', 'don', 'doesn', 'didn', 'isn', 'aren', 'whats', 'wheres', 'whens',
  // French
  'le', 'la', 'les', 'un', 'une', 'des', 'de', 'du', 'et', 'est', 'en', 'que', 'qui', 'quoi', 'ce', 'cet',
  'cette', 'ces', 'il', 'elle', 'je', 'tu', 'nous', 'vous', 'ils', 'elles', 'au', 'aux', 'pour', 'par',
  'sur', 'dans', 'avec', 'ne', 'pas', 'l', 'j', 'c', 'qu', 'n', 'y', 'ou', 'on', 'se', 'sa', 'son', 'ses',
  'mon', 'ma', 'mes', 'ton', 'ta', 'tes', 'notre', 'votre', 'leur', 'leurs', 'a', 't', 'peut', 'peux',
  'puis', 'faire', 'fait', 'sont', 'etre', 'avoir', 'bonjour', 'merci', 'svp', 'quel', 'quelle', 'quels',
  'quelles', 'est-ce',
  // German
  'der', 'die', 'das', 'ein', 'eine', 'einer', 'eines', 'einem', 'einen', 'dem', 'den', 'des', 'und',
  'ist', 'sind', 'war', 'ich', 'du', 'er', 'sie', 'es', 'wir', 'ihr', 'euer', 'eure', 'zu', 'von', 'mit',
  'im', 'auf', 'fur', 'bei', 'auch', 'kann', 'konnen', 'gibt', 'hallo', 'danke',
  'bitte', 'mal', 'noch', 'schon', 'habt', 'hat', 'haben', 'ja', 'nein', 'welche', 'welcher', 'welches',
]);

/**
 * Cut points inside runs of Chinese characters, longest first so 为什么 wins over 什么.
 * Chinese has no spaces; cutting at these function and question words keeps bigrams
 * such as 么多 or 吗运 out of the index.
 */
export const CJK_STOPWORDS: readonly string[] = [
  '什么时候', '是不是', '有没有', '能不能', '可不可以', '为什么', '怎么样', '多长时间',
  '什么', '怎么', '怎样', '哪里', '哪儿', '哪个', '哪些', '多少', '几点', '时候', '请问', '可以',
  '我们', '你们', '他们', '她们', '一下', '一个', '知道', '告诉', '这个', '那个', '这款', '现在',
  '吗', '呢', '吧', '啊', '呀', '嘛', '的', '了', '是', '我', '你', '他', '她', '它', '这', '那',
  '和', '与', '也', '都', '就', '还', '很', '在', '着', '过', '么', '请', '要', '会', '能', '有', '几', '不',
];

/**
 * Words that frame a question rather than say what it is about: kept (they tell "how
 * long" from "how much", "when" from "where") but weighed at FRAME_WEIGHT, so that
 * "how much should I tip" finds the entry about tipping, not the one that starts with
 * "how much". Stems, as the tokenizer makes them.
 */
export const FRAME_WORDS: ReadonlySet<string> = new Set([
  'how', 'when', 'where', 'why', 'who', 'whi', 'much', 'long', 'mani', 'many', 'need', 'best', 'good', 'way', 'take', 'go',
  'comment', 'quand', 'ou', 'combien', 'pourquoi',
  'wie', 'wann', 'wo', 'warum', 'viel', 'lang', 'lange',
]);
export const FRAME_WEIGHT = 0.3;
