/**
 * The bridge's side of the token: checks `Authorization: Bearer <token>` in constant time against
 * the token file (or, on its one share, a client token derived from it); notices a rotation.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { statSync } from "node:fs";
import { bearerToken, tokenNow, verifyClientToken } from "../core/bridge-link/index.js";

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * Checks `Authorization: Bearer <token>` against the token file, reloading it when its mtime
 * changes (a rotation takes effect on the next request, no restart needed).
 */
export class TokenGuard {
  #token: string;
  #digest: Buffer;
  #mtimeMs: number;
  readonly file: string;
  /**
   * Per connection: the header it presented that matched, the token's digest it matched, and the
   * share it opens (null: the bridge token, which opens every route).
   */
  readonly #verified = new WeakMap<object, { header: string; digest: Buffer; share: string | null }>();

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

  /**
   * True when the header carries the current token (every route), or — with `share`, the request
   * is for `/share/<share>` — a client token derived from it for that share
   * (core/bridge-link/client-token.ts); a client token opens nothing else. `connection`: where
   * the request came from; a connection that presents again the header that matched, under the
   * same token, is not hashed again. That comparison is only ever made with a header this
   * connection proved, so its timing tells nothing about the token.
   */
  check(authorization: string | undefined, connection?: object, share?: string): boolean {
    this.#refresh();
    const seen = connection && this.#verified.get(connection);
    if (
      seen &&
      seen.digest === this.#digest &&
      seen.header === authorization &&
      (seen.share === null || seen.share === share)
    )
      return true;
    const bearer = bearerToken(authorization);
    // Always hash and compare, so a missing header costs the same as a wrong one.
    const presented = bearer ?? "";
    const equal = timingSafeEqual(digest(presented), this.#digest);
    const scoped = bearer !== undefined && !equal ? verifyClientToken(this.#token, presented) : undefined;
    const ok = bearer !== undefined && (equal || (scoped !== undefined && scoped.share === share));
    // ok: the header matched, so there is one.
    if (ok && connection && authorization)
      this.#verified.set(connection, {
        header: authorization,
        digest: this.#digest,
        share: equal ? null : (share ?? null),
      });
    return ok;
  }

  #refresh(): void {
    const mtime = safeMtime(this.file);
    if (mtime === this.#mtimeMs || mtime === 0) return;
    // Unreadable or empty: the token we have stays, and the file is read again at the next request.
    const text = tokenNow(this.file);
    if (!text) return;
    this.#token = text;
    this.#digest = digest(text);
    this.#mtimeMs = mtime;
  }
}

function safeMtime(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}
