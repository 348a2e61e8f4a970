/**
 * What a no-op sync would have the running bridge read, hashed: the manifest, the pins, each key's
 * value (hashed: no key leaves this process) and the PATH it sends — equal, the bridge reads nothing.
 */
import { createHash } from "node:crypto";
import { VERSION } from "../../version.js";
import type { Context } from "../context/context.js";
import { readTextOrNull } from "../system/files.js";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * The bridge's reload reads these and nothing else sync has (its environment and installed
 * packages are its own): the same fingerprint twice means the same servers, launched the same way.
 */
export async function gatewayFingerprint(ctx: Context, path: string | undefined): Promise<string> {
  const keys = Object.keys(ctx.secrets)
    .sort()
    .map((name) => [name, sha256(ctx.secrets[name] ?? "")]);
  const pins = await readTextOrNull(ctx.machine.paths.pins);
  return sha256(JSON.stringify([VERSION, ctx.loaded.file, ctx.loaded.text, pins, path ?? null, keys]));
}
