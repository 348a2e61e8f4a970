/**
 * The bridge's bearer token file: 32 random bytes, base64url, in `<state>/token` (mode 0600),
 * created on first start, replaced by `serve --rotate-token`. Read here by everything that talks
 * to the bridge; the bridge itself checks it with `TokenGuard` (src/bridge-server/token-guard.ts).
 */
import { randomBytes } from "node:crypto";
import { OperationError } from "../errors.js";
import { createPrivateFileOnce, readTextOrNull, writePrivateFile } from "../system/files.js";

function newToken(): string {
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
