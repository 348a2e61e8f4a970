/**
 * What stays on the machine after `uninstall`, read from the files themselves so the account uninstall
 * ends with is true; nothing here changes anything.
 */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { bridgeHome, bridgeHomeIn } from "../bridge-link/index.js";
import type { Machine } from "../environments/machine.js";
import type { Environment } from "../environments/types.js";
import type { State } from "../ledger/state.js";
import { loadSecretsFile } from "../manifest/secrets-file.js";
import { looksLikeSecret } from "../secrets/mask.js";
import { secretFields } from "../secrets/secret-fields-json.js";
import { readTextOrNull } from "../system/files.js";

export interface Remains {
  /** mcp-twin's home: the manifest, secrets.json, state.json and backups/. */
  home: {
    path: string;
    /** The user-level manifest is there. */
    manifest: boolean;
    /** secrets.json is there. */
    secrets: boolean;
    /** Where the keys you stored stay: "secrets.json", or the keychain's name; absent: none stored (or it did not answer). */
    keysIn?: string;
    /** Backup files of your configs (and of entries you wrote by hand that mcp-twin adopted). */
    backups: number;
    /** Of those, the ones that hold a key in plain text. */
    backupsWithKeys: number;
  } | null;
  /** Packages mcp-twin installed that are still installed (uninstall without --packages). */
  packages: Array<{ env: string; package: string; version: string }>;
  /** The bridge's state folders that exist (token, memory, notes, hand-off queue). */
  bridgeState: Array<{ env: string; path: string }>;
}

/**
 * uninstall removes only client entries (and, with `--packages`, packages): mcp-twin's home
 * (manifest, secrets.json, state, and the backups — a stored key sealed in them, a key the store
 * does not know as it was: those are counted), the packages it installed and did not uninstall,
 * and the bridge's state folders (token, memory, notes) stay.
 */
export async function whatStays(
  machine: Machine,
  state: State,
  environments: readonly Environment[],
): Promise<Remains> {
  // No secrets file (or unreadable, or a keychain not answering): no secret values to leave out.
  const stored = await loadSecretsFile(machine.paths.secrets).catch(() => undefined);
  const secretValues = Object.values(stored?.secrets ?? {});
  const keysIn = secretValues.length === 0 ? undefined : (stored?.where.label ?? "secrets.json");
  const packages = Object.entries(state.installs).flatMap(([env, names]) =>
    Object.entries(names).map(([name, version]) => ({ env, package: name, version })),
  );
  return {
    home: existsSync(machine.home.dir)
      ? { ...(await homeFacts(machine, secretValues)), ...(keysIn ? { keysIn } : {}) }
      : null,
    packages,
    bridgeState: bridgeFolders(machine, environments),
  };
}

async function homeFacts(
  machine: Machine,
  secretValues: readonly string[],
): Promise<NonNullable<Remains["home"]>> {
  const files: string[] = [];
  // What mcp-twin last wrote to each config is a copy of it too (restore repairs to it).
  for (const folder of entries(machine.paths.backups))
    for (const name of entries(path.join(machine.paths.backups, folder)))
      if (name.endsWith(".bak") || name === "hand-written.json" || name === "last-written.txt")
        files.push(path.join(machine.paths.backups, folder, name));
  let backupsWithKeys = 0;
  for (const file of files) if (holdsKey((await readTextOrNull(file)) ?? "", secretValues)) backupsWithKeys++;
  return {
    path: machine.home.dir,
    manifest: existsSync(machine.paths.manifest),
    secrets: existsSync(machine.paths.secrets),
    backups: files.length,
    backupsWithKeys,
  };
}

/** A text holds a key: one of the secrets file's values, or a credential-like value where keys sit. */
function holdsKey(text: string, secretValues: readonly string[]): boolean {
  if (secretValues.some((v) => v.length >= 4 && text.includes(v))) return true;
  try {
    return secretFields(text).some((f) => looksLikeSecret(f.value));
  } catch {
    return false;
  }
}

/** The bridge's state folder of each environment where one exists, in that environment's paths. */
function bridgeFolders(machine: Machine, environments: readonly Environment[]): Remains["bridgeState"] {
  const out: Remains["bridgeState"] = [];
  for (const env of environments) {
    if (env.local) {
      const dir = bridgeHome(machine.host);
      if (existsSync(dir)) out.push({ env: env.id, path: dir });
      continue;
    }
    if (!env.home) continue;
    const native = bridgeHomeIn(env.kind, env.vars, env.home);
    const seen = env.access(native);
    if (seen && existsSync(seen)) out.push({ env: env.id, path: native });
  }
  return out;
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}
