/**
 * Text as a model reads it (pure): look-alike letters of other scripts and styled forms folded to
 * the Latin they imitate, and base64-wrapped text decoded, so the scan's words match either way.
 */

/**
 * Letters of other scripts drawn like Latin ones (Unicode's confusables for Cyrillic, Greek and a
 * few more): "Ignоre" with a Cyrillic о reads "Ignore" to a model, and to a person.
 */
const LOOKALIKE_FROM =
  "авеёкмнорстухіїјѕԁԛԝӏһոսցАВЕКМНОРСТХУІЇЈЅԀԚԜӀαοικνρτυχεωΑΒΕΖΗΙΚΜΝΟΡΤΥΧıɡɑℓ\u2044\u2215\uFF0F";
const LOOKALIKE_TO = "abeekmhopctyxiijsdqwlhnugABEKMHOPCTXYIIJSDQWIaoikvptuxewABEZHIKMNOPTYXigal///";
const LOOKALIKES: ReadonlyMap<string, string> = new Map(
  [...LOOKALIKE_FROM].map((ch, i) => [ch, LOOKALIKE_TO[i] ?? ch]),
);
const MARKS = /\p{M}/gu;

/** A text folded, and where each of its UTF-16 units came from in the text given (none: it is that text). */
export interface Folded {
  text: string;
  from?: number[];
}

/**
 * The text with each look-alike folded: compatibility forms (fullwidth, mathematical bold, ligatures)
 * to plain ones, accents dropped, other scripts' Latin look-alikes to Latin. ASCII is returned as it is.
 */
export function fold(text: string): Folded {
  if (/^[\u0000-\u007F]*$/.test(text)) return { text };
  let out = "";
  const from: number[] = [];
  let i = 0;
  for (const ch of text) {
    let f = ch;
    if ((ch.codePointAt(0) ?? 0) >= 0x80) {
      f = LOOKALIKES.get(ch) ?? ch.normalize("NFKD").replace(MARKS, "");
      if (f.length === 0) f = ch;
      else if (f !== ch) f = [...f].map((c) => LOOKALIKES.get(c) ?? c).join("");
    }
    out += f;
    for (let k = 0; k < f.length; k++) from.push(i);
    i += ch.length;
  }
  return out === text ? { text } : { text: out, from };
}

/** Where the words found at [start, end) of a folded text are in the text it was folded from. */
export function unfold(folded: Folded, original: string, start: number, end: number): string {
  const from = folded.from;
  if (!from) return original.slice(start, end);
  const a = from[start] ?? original.length;
  const last = from[end - 1];
  const b =
    last === undefined ? original.length : last + ((original.codePointAt(last) ?? 0) > 0xffff ? 2 : 1);
  return original.slice(a, b);
}

/** A run that may be base64 (standard or URL-safe alphabet), long enough to hide a sentence. */
const BASE64_RUN = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{24,}={0,2}/g;
const utf8 = new TextDecoder("utf-8");

/**
 * The texts hidden as base64 in a text: each run that decodes to readable UTF-8 (no control
 * characters but line breaks and tabs, and at least two words). Bounded by the text: the scan reads
 * only tools within TOOL_BOUNDS, and decodes what it decoded again once at most.
 */
export function base64Texts(text: string): string[] {
  // Tried only where a run starts: a linear pass, not 24 characters again at each one.
  if (!/(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{24}/.test(text)) return [];
  const out: string[] = [];
  for (const m of text.matchAll(BASE64_RUN)) {
    const run = m[0];
    // Both cases of letters, as base64 of any sentence has; a path or snake_case name has one.
    if (!/[a-z]/.test(run) || !/[A-Z]/.test(run) || run.length % 4 === 1) continue;
    const decoded = utf8.decode(Buffer.from(run, "base64"));
    if (
      decoded.length >= 12 &&
      !/[\u0000-\u0008\u000B-\u001F\u007F\uFFFD]/.test(decoded) &&
      /\p{L}{2,}\p{P}?\s+\p{L}{2,}/u.test(decoded)
    )
      out.push(decoded);
  }
  return out;
}
