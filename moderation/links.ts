/**
 * Finds what a viewer or a voice should not pass on: URLs, bare domains, e-mail addresses
 * and @handles — written ("shop.example.com/sale", "ana@example.com") or spelled out the
 * way a voice would read them ("example dot com", "ana at example dot com").
 *
 * Runs on every chat message on the server's event loop, so it is one pass over
 * whitespace-separated words and a few string operations per word: time linear in the
 * text, no regular expression with nested quantifiers.
 */

export type LinkKind = 'url' | 'domain' | 'email' | 'handle';

export interface FoundLink {
  kind: LinkKind;
  /** As written (cut to 80 characters), for the verdict's detail. */
  text: string;
}

/**
 * Top-level domains that appear in spam and in real shops' links. A closed list, so
 * "e.g.", "Node.js", "3.50" and "end.Then" are not domains; a TLD missing here lets a
 * bare domain through (a URL with a scheme or www. is caught whatever its TLD).
 */
const TLDS = new Set((
  'com net org edu gov mil int info biz name pro io co ai app dev shop store online site xyz top club live link click win vip '
  + 'tech news blog me tv gg ly to ws cc fm am sh so ly cash money loan bet casino xxx porn sex '
  + 'us uk de fr cn eu ca au nl es it ru jp in br ch at be se no dk fi pl pt ie nz sg hk tw kr mx ar za tk ml ga cf gq'
).split(' '));

const EDGE_PUNCTUATION = new Set([...'()[]{}<>"\'“”‘’«»,.;:!?…']);
const SCHEMES = ['http://', 'https://', 'ftp://', 'www.'];
const MAX_WORD = 512;

function trimPunctuation(word: string): string {
  let start = 0;
  let end = word.length;
  while (start < end && EDGE_PUNCTUATION.has(word[start]!)) start++;
  while (end > start && EDGE_PUNCTUATION.has(word[end - 1]!)) end--;
  return word.slice(start, end);
}

function isLabel(label: string): boolean {
  if (label.length === 0 || label.length > 63) return false;
  for (let i = 0; i < label.length; i++) {
    const c = label.charCodeAt(i);
    const ok = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45;
    if (!ok) return false;
  }
  return true;
}

/** `host` is a domain: two or more labels ending in a lower-case TLD from the list ("ASP.NET" is not). */
function isDomain(host: string): boolean {
  const labels = host.split('.');
  if (labels.length < 2 || labels.length > 10) return false;
  const tld = labels[labels.length - 1]!;
  if (!TLDS.has(tld)) return false;
  return labels.every(isLabel);
}

function hostOf(word: string): string {
  let end = word.length;
  for (let i = 0; i < word.length; i++) {
    const c = word[i];
    if (c === '/' || c === '?' || c === '#' || c === ':') {
      end = i;
      break;
    }
  }
  return word.slice(0, end);
}

function isHandle(word: string): boolean {
  if (word.length < 3 || word.length > 31 || word[0] !== '@') return false;
  for (let i = 1; i < word.length; i++) {
    const c = word.charCodeAt(i);
    const ok = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46;
    if (!ok) return false;
  }
  return true;
}

function isEmail(word: string): boolean {
  const at = word.indexOf('@');
  if (at <= 0 || at !== word.lastIndexOf('@')) return false;
  const local = word.slice(0, at);
  for (let i = 0; i < local.length; i++) {
    const c = local.charCodeAt(i);
    const ok = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || '._%+-'.includes(local[i]!);
    if (!ok) return false;
  }
  return isDomain(word.slice(at + 1));
}

function classify(word: string): LinkKind | null {
  const lower = word.toLowerCase();
  if (SCHEMES.some((s) => lower.startsWith(s)) || lower.includes('://')) return 'url';
  if (word.includes('@')) {
    if (isHandle(word)) return 'handle';
    return isEmail(word) ? 'email' : null;
  }
  return isDomain(hostOf(word)) ? 'domain' : null;
}

/**
 * Every link-like thing in `text`, in order; at most `limit` (enough to decide, without
 * collecting thousands from a pasted list).
 */
export function findLinks(text: string, limit = 50): FoundLink[] {
  const found: FoundLink[] = [];
  const words = text.split(/\s+/u);
  const lowerWords: string[] = [];
  for (let i = 0; i < words.length && found.length < limit; i++) {
    const word = trimPunctuation(words[i]!.slice(0, MAX_WORD));
    lowerWords[i] = word.toLowerCase();
    if (!word) continue;
    const kind = classify(word);
    if (kind) found.push({ kind, text: word.slice(0, 80) });
  }
  // Spelled out: "<name> dot <tld>", and "<name> at <name> dot <tld>" for an address.
  for (let i = 1; i + 1 < lowerWords.length && found.length < limit; i++) {
    if (lowerWords[i] !== 'dot' || !TLDS.has(lowerWords[i + 1] ?? '') || !isLabel(lowerWords[i - 1] ?? '')) continue;
    const email = i >= 3 && lowerWords[i - 2] === 'at' && isLabel(lowerWords[i - 3] ?? '');
    const from = email ? i - 3 : i - 1;
    found.push({ kind: email ? 'email' : 'domain', text: words.slice(from, i + 2).join(' ').slice(0, 80) });
  }
  return found;
}
