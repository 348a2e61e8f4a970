/**
 * The older file beside a client's user file whose servers the client moves into it at start-up
 * (ClientModule.movedFrom: Devin's `config.json`), as a target's environment names and reaches it.
 */
import type { Target } from "./types.js";

/** A native path with its last part replaced by `name` (either path syntax). */
export function besidePath(nativePath: string, name: string): string {
  return nativePath.replace(/[^\\/]+$/, name);
}

/** The moved-from file of a user target whose client has one: its native path and the path opened here. */
export function movedFileOf(target: Target): { path: string; file: string } | undefined {
  const name = target.client.movedFrom;
  if (!name || target.scope !== "user") return undefined;
  const native = besidePath(target.path, name);
  const file = target.env.access(native);
  return file ? { path: native, file } : undefined;
}
