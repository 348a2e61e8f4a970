/**
 * Lossless text for files people own: bytes that are not valid UTF-8 survive a read and a write
 * unchanged (as Python's `surrogateescape` does).
 */
import { isUtf8 } from "node:buffer";

/**
 * Bytes to text; every byte that is not part of valid UTF-8 becomes U+DC80..U+DCFF.
 *
 * A config may hold bytes that are not valid UTF-8 (a Latin-1 comment, a truncated character);
 * decoding them the usual way turns each into U+FFFD, and writing the file back would then change
 * bytes mcp-twin never meant to touch. So each invalid byte 0xNN is decoded to the lone surrogate
 * U+DCNN — a code unit valid UTF-8 can never produce — and encoded back to the same byte.
 * Everything else is ordinary UTF-8 (a BOM stays in the text as U+FEFF).
 */
export function decodeLossless(bytes: Buffer): string {
  if (isUtf8(bytes)) return bytes.toString("utf8");
  let out = "";
  let start = 0;
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    out += bytes.toString("utf8", start, i) + String.fromCharCode(0xdc00 + (bytes[i] ?? 0));
    i++;
    start = i;
  }
  return out + bytes.toString("utf8", start, bytes.length);
}

/** Text to bytes; the inverse of decodeLossless (escaped bytes go back as they were). */
export function encodeLossless(text: string): Buffer {
  if (!hasEscapedBytes(text)) return Buffer.from(text, "utf8");
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (!isEscapedByte(text, i)) continue;
    parts.push(Buffer.from(text.slice(start, i), "utf8"), Buffer.from([text.charCodeAt(i) - 0xdc00]));
    start = i + 1;
  }
  parts.push(Buffer.from(text.slice(start), "utf8"));
  return Buffer.concat(parts);
}

const LONE_ESCAPE = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/;

/** Does the text hold bytes that were not valid UTF-8? */
function hasEscapedBytes(text: string): boolean {
  return LONE_ESCAPE.test(text);
}

/** Show escaped bytes as `\xNN` (a terminal would print U+FFFD for a lone surrogate). */
export function showEscapedBytes(text: string): string {
  if (!hasEscapedBytes(text)) return text;
  let out = "";
  for (let i = 0; i < text.length; i++)
    out += isEscapedByte(text, i)
      ? `\\x${(text.charCodeAt(i) - 0xdc00).toString(16).toUpperCase()}`
      : text[i];
  return out;
}

function isEscapedByte(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 0xdc80 || c > 0xdcff) return false;
  // A low surrogate right after a high one is half of a real character (e.g. U+10080), not a byte.
  const previous = i > 0 ? text.charCodeAt(i - 1) : 0;
  return !(previous >= 0xd800 && previous <= 0xdbff);
}

/** Length of the well-formed UTF-8 sequence at `i` (Unicode table 3-7), 0 when there is none. */
function sequenceLength(b: Buffer, i: number): number {
  const c = b[i] ?? 0;
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) =>
    i + k < b.length && (b[i + k] ?? 0) >= lo && (b[i + k] ?? 0) <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}
