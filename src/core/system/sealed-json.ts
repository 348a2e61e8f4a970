/**
 * Cache files that check themselves: a damaged one is discarded and rebuilt — never trusted, never a
 * crash — since a cache only saves finding a fact again.
 */
import { createHash } from "node:crypto";

const sumOf = (body: string) => createHash("sha256").update(body).digest("hex").slice(0, 32);

/**
 * The text of a cache file holding `data` (JSON values only).
 *
 * Damaged: cut short by a crash on a file system without atomic renames (such as /mnt/c), a bad
 * block, a hand edit, a shape another version wrote. Each is written with a hash of its content: a
 * read that finds no JSON, or another hash, finds no cache. For caches only: records of what the
 * user decided or had (state, secrets, backups' records) are validated instead, and a damaged one is
 * an error (checked-json.ts): forgetting them is not safe.
 */
export function sealJson(data: unknown): string {
  return `${JSON.stringify({ sum: sumOf(JSON.stringify(data)), data })}\n`;
}

/** The data of a cache file's text, or undefined when there is none or it is damaged. Never throws. */
export function openSealedJson(text: string | null | undefined): unknown {
  if (!text) return undefined;
  try {
    const sealed = JSON.parse(text) as { sum?: unknown; data?: unknown } | null;
    if (!sealed || typeof sealed !== "object" || typeof sealed.sum !== "string" || !("data" in sealed))
      return undefined;
    return sumOf(JSON.stringify(sealed.data)) === sealed.sum ? sealed.data : undefined;
  } catch {
    return undefined;
  }
}
