/**
 * The bridge's bearer token: 32 random bytes, base64url, in `<state>/token` (mode 0600), created
 * on first start, replaced by `serve --rotate-token`. Compared in constant time; a running bridge
 * notices a rotation on the next request.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { chmod, link, mkdir, stat, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { OperationError } from "../core/errors.js";
import { readTextOrNull, writePrivateFile } from "../core/files.js";

export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

export async function readToken(file: string): Promise<string | null> {
  const text = await readTextOrNull(file);
  const token = text?.trim();
  return token ? token : null;
}

/**
 * The token, created when missing. Creation is exclusive (temp file + hard link), so two
 * processes starting at once agree on one token.
 */
export async function ensureToken(file: string): Promise<{ token: string; created: boolean }> {
  const existing = await readToken(file);
  if (existing) return { token: existing, created: false };
  await mkdir(path.dirname(file), { recursive: true });
  const token = newToken();
  const temp = `${file}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
  await writeFile(temp, `${token}\n`, { mode: 0o600 });
  await chmod(temp, 0o600).catch(() => {});
  try {
    await link(temp, file);
    return { token, created: true };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EEXIST") {
      // No hard links here (some network file systems): fall back to a plain atomic write.
      if (code === "EPERM" || code === "ENOTSUP" || code === "EXDEV") {
        await writePrivateFile(file, `${token}\n`);
        return { token, created: true };
      }
      throw error;
    }
    const other = await readToken(file);
    if (!other) throw new OperationError("bridge-token", `The bridge token ${file} is empty.`);
    return { token: other, created: false };
  } finally {
    await unlink(temp).catch(() => {});
  }
}

export async function rotateToken(file: string): Promise<string> {
  const token = newToken();
  await writePrivateFile(file, `${token}\n`);
  return token;
}

/** When the token was created or last rotated (the file's mtime). */
export async function tokenCreatedAt(file: string): Promise<Date | null> {
  try {
    return (await stat(file)).mtime;
  } catch {
    return null;
  }
}

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
