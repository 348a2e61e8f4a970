/**
 * What a no-op sync would have the running bridge read, hashed: the manifest, the pins, the keys
 * (their stamp when they are in the keychain, else each value hashed: no key leaves this process),
 * the PATH it sends and the installed versions of the programs it runs — equal, the bridge reads nothing.
 */
import { createHash } from "node:crypto";
import { VERSION } from "../../version.js";
import type { Context } from "../context/context.js";
import { readTextOrNull } from "../system/files.js";
import { installedPrograms } from "./installed-programs.js";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * The bridge's reload reads these and nothing else sync has (its environment is its own): the
 * same fingerprint twice means the same servers, launched the same way. Keys in the keychain are
 * stood for by their stamp, which every write mcp-twin makes there changes (manifest/secrets-file.ts):
 * computing it reads no key. A server's package or program, upgraded by hand, changes it too.
 */
export async function gatewayFingerprint(
  ctx: Pick<Context, "secrets" | "stamp" | "servers" | "machine" | "loaded" | "allEnvs">,
  path: string | undefined,
): Promise<string> {
  const keys =
    ctx.stamp ??
    Object.keys(ctx.secrets)
      .sort()
      .map((name) => [name, sha256(ctx.secrets[name] ?? "")]);
  const pins = await readTextOrNull(ctx.machine.paths.pins);
  const local = ctx.allEnvs.find((e) => e.local);
  const programs = await installedPrograms(ctx.servers, local, path, ctx.machine.host.platform);
  return sha256(
    JSON.stringify([VERSION, ctx.loaded.file, ctx.loaded.text, pins, path ?? null, keys, programs]),
  );
}
