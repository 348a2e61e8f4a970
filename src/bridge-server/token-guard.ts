/**
 * The bridge's side of the token: checks `Authorization: Bearer <token>` in constant time against
 * the token file, and notices a rotation on the next request.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync, statSync } from "node:fs";

const digest = (s: string) => createHash("sha256").update(s).digest();

/** Constant-time comparison (hashes first, so lengths leak nothing either). */
export function tokenEquals(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/**
 * Checks `Authorization: Bearer <token>` against the token file, reloading it when its mtime
 * changes (a rotation takes effect on the next request, no restart needed).
 */
export class TokenGuard {
  #token: string;
  #digest: Buffer;
  #mtimeMs: number;
  readonly file: string;

  constructor(file: string, token: string) {
    this.file = file;
    this.#token = token;
    this.#digest = digest(token);
    this.#mtimeMs = safeMtime(file);
  }

  get token(): string {
    this.#refresh();
    return this.#token;
  }

  get createdAt(): Date {
    return new Date(this.#mtimeMs);
  }

  /** True when the header carries the current token. */
  check(authorization: string | undefined): boolean {
    this.#refresh();
    const match = authorization ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization) : null;
    // Always hash and compare, so a missing header costs the same as a wrong one.
    return timingSafeEqual(digest(match?.[1] ?? ""), this.#digest) && match !== null;
  }

  #refresh(): void {
    const mtime = safeMtime(this.file);
    if (mtime === this.#mtimeMs || mtime === 0) return;
    try {
      const text = readFileSync(this.file, "utf8").trim();
      if (text) {
        this.#token = text;
        this.#digest = digest(text);
      }
      this.#mtimeMs = mtime;
    } catch {
      // keep the token we have
    }
  }
}

function safeMtime(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}
