/**
 * Splits message text into plain text and http(s) links. Nothing here produces HTML: the segments are
 * rendered as text nodes and <a> elements by Vue, so markup in a message stays visible as text.
 */

/** One piece of a message: text to show as is, or an http(s) link. */
export type TextSegment = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'link'; readonly text: string; readonly href: string };

// Candidates only; each is then checked with the URL parser. `\b` keeps "xhttp://" from matching.
const CANDIDATE_RE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
// Punctuation that ends a sentence rather than a URL.
const TRAILING_RE = /[.,;:!?'"*_~]+$/;
const MAX_LINK_LENGTH = 2048; // the links:open channel refuses longer ones

/** Drops trailing punctuation, and closing brackets that have no opening partner inside the URL. */
function trimCandidate(raw: string): string {
  let s = raw;
  for (;;) {
    const before = s;
    s = s.replace(TRAILING_RE, '');
    const last = s.at(-1);
    const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
    if (last !== undefined && last in pairs) {
      const open = pairs[last] as string;
      const opens = s.split(open).length - 1;
      const closes = s.split(last).length - 1;
      if (closes > opens) s = s.slice(0, -1);
    }
    if (s === before) return s;
  }
}

/** The URL to open for a candidate, or null when it is not a usable http(s) URL. */
export function safeHttpUrl(candidate: string): string | null {
  if (candidate.length > MAX_LINK_LENGTH) return null;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.hostname === '' || url.username !== '' || url.password !== '') return null;
  return url.href.length <= MAX_LINK_LENGTH ? url.href : null;
}

/** Splits text into text and link segments; only http:// and https:// URLs become links. */
export function linkify(text: string): TextSegment[] {
  const out: TextSegment[] = [];
  let last = 0;
  const pushText = (t: string): void => {
    if (t === '') return;
    const prev = out.at(-1);
    if (prev?.kind === 'text') out[out.length - 1] = { kind: 'text', text: prev.text + t };
    else out.push({ kind: 'text', text: t });
  };
  for (const m of text.matchAll(CANDIDATE_RE)) {
    const start = m.index;
    const candidate = trimCandidate(m[0]);
    const href = safeHttpUrl(candidate);
    if (href === null) continue;
    pushText(text.slice(last, start));
    out.push({ kind: 'link', text: candidate, href });
    last = start + candidate.length;
  }
  pushText(text.slice(last));
  return out;
}
