/**
 * The bridge's bearer token in its state folder: 32 random bytes, base64url, in `<state>/token`
 * (0600), created on first start, replaced by `serve --rotate-token`.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { OperationError } from "../errors.js";
import { createPrivateFileOnce, readTextOrNull, writePrivateFile } from "../system/files.js";

/** A new token; the bridge checks the one in its file with `TokenGuard` (bridge-server/token-guard.ts). */
function newToken(): string {
  return randomBytes(32).toString("base64url");
}

export async function readToken(file: string): Promise<string | null> {
  return (await readTextOrNull(file))?.trim() || null;
}

/** The token as its file holds it now, read at once (a proven agent reads it at each connection). */
export function tokenNow(file: string): string | null {
  try {
    return readFileSync(file, "utf8").trim() || null;
  } catch {
    // No token file (or not readable): nothing to prove a connection with.
    return null;
  }
}

/** The token file as doctor judges it: its text and mode (undefined: there is none to read). */
export async function tokenFile(file: string): Promise<{ text: string; mode: number } | undefined> {
  try {
    return { text: readFileSync(file, "utf8").trim(), mode: statSync(file).mode };
  } catch {
    // Missing or unreadable: doctor says the token is missing.
  }
}

/**
 * The token, created when missing. Creation is exclusive (temp file + hard link), so two
 * processes starting at once agree on one token.
 */
export async function ensureToken(file: string): Promise<{ token: string; created: boolean }> {
  const existing = await readToken(file);
  if (existing) return { token: existing, created: false };
  const token = newToken();
  if (await createPrivateFileOnce(file, `${token}\n`)) return { token, created: true };
  const other = await readToken(file);
  if (!other) throw new OperationError("bridge-token", `The bridge token ${file} is empty.`);
  return { token: other, created: false };
}

export async function rotateToken(file: string): Promise<string> {
  const token = newToken();
  await writePrivateFile(file, `${token}\n`);
  return token;
}
