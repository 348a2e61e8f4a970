/**
 * The home's secrets: in the OS keychain where one answers (secrets/keychain.ts), else in
 * HOME/secrets.json, mode 0600 (on a Windows drive: the ACL of the Windows profile it is in).
 * Values never reach argv, logs or output.
 */

import { createHash, randomUUID } from "node:crypto";
import { statSync } from "node:fs";
import path from "node:path";
import { isOnWindowsDrive } from "../environments/path-translation.js";
import { OperationError, UsageError } from "../errors.js";
import type { KeyValues } from "../ledger/sealed-keys.js";
import { dict, own } from "../plain-records.js";
import { markValid, parseChecked } from "../system/checked-json.js";
import { readTextOrNull, writePrivateFile } from "../system/files.js";
import { getEnv, runHost } from "../system/host.js";
import { type KeychainOpened, openKeychain } from "./keychain.js";

const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * What keeps the secrets file private where the home is: its mode (0600) on Linux and macOS and
 * in a WSL home; on Windows, and on a Windows drive seen from WSL — where mode bits mean nothing
 * (DrvFs without the `metadata` mount option shows every file as 0777 and ignores chmod) — the
 * ACL of the folder: the Windows profile's for the usual home (%APPDATA%\mcp-twin), whatever the
 * folder has for a home set elsewhere (MCP_TWIN_HOME on a Windows drive).
 */
export type SecretsPrivacy = "mode" | "profile" | "drive";

export function secretsPrivacy(machine: {
  host: { platform: string };
  local: { kind: string; mountRoot: string };
  home: { source: string };
  paths: { secrets: string };
}): SecretsPrivacy {
  const windows =
    machine.host.platform === "win32" ||
    (machine.local.kind === "wsl" && isOnWindowsDrive(machine.paths.secrets, machine.local.mountRoot));
  if (!windows) return "mode";
  return machine.home.source === "windows" ? "profile" : "drive";
}

/** The same, as said after the file's name: "(mode 0600)" or where the Windows ACL protects it. */
export function privacyNote(privacy: SecretsPrivacy): string {
  switch (privacy) {
    case "mode":
      return "mode 0600";
    case "profile":
      return "in your Windows profile, which its ACL keeps to your Windows account";
    case "drive":
      return "on a Windows drive, where mode bits mean nothing: its folder's ACL decides who can read it";
  }
}

interface SecretsFile {
  version: 1;
  secrets: Record<string, string>;
  /** The keys are in the OS keychain (moved or set there): a keychain that does not answer is said, not read as empty. */
  store?: "keychain";
  /**
   * Values the user stored with `secret set --force` although they fail the catalogue's format
   * check (a key of a new format): name → hash of that value. sync accepts exactly that value.
   */
  accepted?: Record<string, string>;
}

const valueHash = (value: string) => createHash("sha256").update(value).digest("hex").slice(0, 32);

/** How to get going again after a secrets file that does not load (nothing was changed). */
function secretsRecovery(file: string): string {
  return `Nothing was changed. Fix it at that position (it holds your keys: keep a copy), or move it aside (rename it to ${path.basename(file)}.broken, in the same folder) and set each key again with \`mcp-twin secret set NAME\`.`;
}

/** Where the keys of a home are kept, as said by `secret set`, `secret list` and doctor. */
export interface SecretsWhere {
  kind: "keychain" | "file";
  /** The keychain's name ("the Secret Service"); for the file, its path is said by the caller. */
  label?: string;
  /** Why the file: no keychain answered (said once, where a key is set, and by list and doctor). */
  why?: string;
  /** Names this read moved from secrets.json into the keychain (said, one line). */
  moved?: string[];
}

/**
 * The stored secrets, validated: a file that does not parse, or an entry that is not a name with a
 * string value, is an error (exit 2) at its line and column — never dropped without a word (the
 * next `secret set` would then have deleted it for good). Messages never hold a value.
 */
export async function loadSecrets(file: string): Promise<Record<string, string>> {
  return (await loadSecretsFile(file)).secrets;
}

/** The stored secrets, the names whose value the user accepted despite its format, and where they are. */
export async function loadSecretsFile(
  file: string,
): Promise<{ secrets: Record<string, string>; accepted: Set<string>; where: SecretsWhere; stamp?: string }> {
  const data = await readSecretsFile(file);
  const { secrets, where } = await storedKeys(file, data);
  const stamp = where.kind === "keychain" ? (await readStamp(file))?.text : undefined;
  const accepted = new Set(
    Object.entries(data.accepted ?? {})
      .filter(([name, hash]) => {
        const value = own(secrets, name);
        return value !== undefined && valueHash(value) === hash;
      })
      .map(([name]) => name),
  );
  return { secrets, accepted, where, ...(stamp ? { stamp } : {}) };
}

/**
 * The keys stamp, beside secrets.json: the names kept in the keychain, and a value new at every
 * write mcp-twin makes there — no key, nor any hash of one. A sync whose inputs match the running
 * bridge's knows the keys did not change (through mcp-twin) without reading the keychain.
 */
const stampFile = (file: string) => path.join(path.dirname(file), "keys-stamp.json");

export interface KeysStamp {
  /** The names of the keys kept in the keychain. */
  names: string[];
  /** The file's text: what sync's fingerprint takes in place of the keys. */
  text: string;
}

async function writeStamp(file: string, names: readonly string[]): Promise<void> {
  const stamp = { names: [...names].sort(), stamp: randomUUID() };
  await writePrivateFile(stampFile(file), `${JSON.stringify(stamp, null, 2)}\n`);
}

async function readStamp(file: string): Promise<KeysStamp | undefined> {
  // Unreadable counts as none: the keychain is read instead.
  const text = await readTextOrNull(stampFile(file)).catch(() => null);
  try {
    const d = JSON.parse(text ?? "") as { names?: unknown; stamp?: unknown };
    const names = Array.isArray(d.names) ? d.names.filter((n): n is string => typeof n === "string") : [];
    if (typeof d.stamp === "string" && names.length === (d.names as unknown[]).length)
      return { names, text: text as string };
  } catch {
    // none yet (a home whose keys moved before stamps were kept), or broken: the keychain is read
  }
  return undefined;
}

/**
 * The keys' names and stamp, when they are all in the keychain and stamped: what a run that may
 * need no value reads instead of the keychain (a read costs a process from WSL). Undefined: the
 * keychain is read as always (keys still in the file to move, the keychain off, no stamp yet).
 */
export async function peekKeys(file: string): Promise<KeysStamp | undefined> {
  if (getEnv(runHost().env, "MCP_TWIN_KEYCHAIN") === "off") return undefined;
  const data = await readSecretsFile(file);
  if (data.store !== "keychain" || Object.keys(data.secrets).length > 0) return undefined;
  return readStamp(file);
}

/**
 * What changes whenever the store's keys do, and holds none: secrets.json's identity and time (every
 * change mcp-twin makes to the keys rewrites it, the keychain's too; a hand edit changes it too).
 */
export function keysChangeMark(file: string): string {
  const st = statSync(file, { throwIfNoEntry: false, bigint: true });
  return st ? `${st.ino}:${st.mtimeNs}:${st.size}` : "none";
}

/** The stored keys, read at most once, when first asked for (what backups seal out and put back). */
export function keysOnce(file: string): KeyValues {
  let read: Promise<Record<string, string>> | undefined;
  return () => {
    read ??= loadSecrets(file);
    return read;
  };
}

let lastMove: { names: string[]; into: string; from: string } | undefined;

/** The move of this process's read from secrets.json into the keychain, once (a command says it, one line). */
export function takeKeysMoved(): { names: string[]; into: string; from: string } | undefined {
  const move = lastMove;
  lastMove = undefined;
  return move;
}

/**
 * The keys, from the keychain when one answers — the file's own keys moved into it first (each
 * read back before the file lets it go: a move that fails halfway leaves the file whole) — else
 * from the file. A home whose keys were put in the keychain never reads an empty file instead.
 */
async function storedKeys(
  file: string,
  data: SecretsFile,
): Promise<{ secrets: Record<string, string>; where: SecretsWhere; opened: KeychainOpened }> {
  const opened = await openKeychain(path.dirname(file));
  const fileKeys = dict(data.secrets);
  if ("unavailable" in opened) {
    if (data.store === "keychain")
      throw new OperationError(
        "keychain-unavailable",
        `Your keys are in the OS keychain, and ${opened.unavailable}.`,
        {
          hint: "Unlock the keychain (log in to the desktop session) and run the command again; nothing was changed.",
        },
      );
    return { secrets: fileKeys, where: { kind: "file", why: opened.unavailable }, opened };
  }
  const { keychain } = opened;
  const names = Object.keys(fileKeys);
  if (names.length === 0) {
    const secrets = dict(await keychain.list());
    // Keys moved before stamps were kept: stamped once, so later runs may leave the keychain alone.
    if (data.store === "keychain" && !(await readStamp(file))) await writeStamp(file, Object.keys(secrets));
    return { secrets, where: { kind: "keychain", label: keychain.label }, opened };
  }
  for (const name of names) await keychain.set(name, fileKeys[name] as string);
  const secrets = dict(await keychain.list());
  if (names.some((n) => own(secrets, n) !== fileKeys[n]))
    throw new OperationError(
      "keychain-move",
      `Moving your keys from ${file} into ${keychain.label} failed: a key did not read back.`,
      {
        hint: "Nothing was lost: the file still holds every key. Run the command again; MCP_TWIN_KEYCHAIN=off keeps them in the file.",
      },
    );
  await writeSecretsFile(file, {
    version: 1,
    secrets: dict(),
    store: "keychain",
    ...(data.accepted ? { accepted: data.accepted } : {}),
  });
  await writeStamp(file, Object.keys(secrets));
  lastMove = { names: names.sort(), into: keychain.label, from: file };
  return {
    secrets,
    where: { kind: "keychain", label: keychain.label, ...(names.length > 0 ? { moved: names.sort() } : {}) },
    opened,
  };
}

async function readSecretsFile(file: string): Promise<SecretsFile> {
  const text = await readTextOrNull(file);
  if (text === null || text.trim() === "") return { version: 1, secrets: dict() };
  const data = (await parseChecked(file, text, {
    what: "secrets file",
    recover: secretsRecovery,
    validate: async (d) => {
      const { firstIssue, secretsSchema } = await import("../system/stored-schemas.js");
      return firstIssue(secretsSchema, d);
    },
  })) as SecretsFile;
  return data;
}

/**
 * The stored keys as `change` makes them, stored back, under the home's lock: the whole set (a name
 * left out is removed), in the keychain when one answers, else in the file — the keychain opened
 * once for the read and the write (from WSL an opening is a powershell.exe start, a second or
 * more). Acceptances (`secret set --force`) are kept while their value is the one accepted;
 * `accept` adds the current value of these names.
 */
export async function updateSecrets(
  file: string,
  change: (keys: Record<string, string>) => Record<string, string>,
  options: { accept?: readonly string[] } = {},
): Promise<SecretsWhere> {
  const read = await storedKeys(file, await readSecretsFile(file));
  return storeKeys(file, change(dict(read.secrets)), options, read.opened, read.secrets);
}

/** updateSecrets' write: into the keychain opened (`listed`: its keys as the run just read them), else the file. */
async function storeKeys(
  file: string,
  secrets: Record<string, string>,
  options: { accept?: readonly string[] },
  opened: KeychainOpened,
  listed: Record<string, string>,
): Promise<SecretsWhere> {
  const sorted = dict(Object.entries(secrets).sort(([a], [b]) => a.localeCompare(b)));
  // Unreadable counts as empty: the write below says what fails.
  const previous = (await readTextOrNull(file).catch(() => null)) ?? "";
  let before: Partial<SecretsFile> = {};
  try {
    before = JSON.parse(previous) as SecretsFile;
  } catch {
    // no file, or one being replaced
  }
  const accepted = dict(before.accepted ?? {});
  for (const name of Object.keys(accepted)) {
    const value = own(sorted, name);
    if (value === undefined || valueHash(value) !== accepted[name]) delete accepted[name];
  }
  for (const name of options.accept ?? []) {
    const value = own(sorted, name);
    if (value !== undefined) accepted[name] = valueHash(value);
  }
  const kept = Object.keys(accepted).length > 0 ? { accepted } : {};
  if ("unavailable" in opened) {
    if (before.store === "keychain")
      throw new OperationError(
        "keychain-unavailable",
        `Your keys are in the OS keychain, and ${opened.unavailable}.`,
        {
          hint: "Unlock the keychain (log in to the desktop session) and run the command again; nothing was changed.",
        },
      );
    await writeSecretsFile(file, { version: 1, secrets: sorted, ...kept });
    return { kind: "file", why: opened.unavailable };
  }
  const { keychain } = opened;
  const now = listed;
  for (const [name, value] of Object.entries(sorted))
    if (own(now, name) !== value) await keychain.set(name, value);
  for (const name of Object.keys(now)) if (own(sorted, name) === undefined) await keychain.remove(name);
  await writeSecretsFile(file, { version: 1, secrets: dict(), store: "keychain", ...kept });
  await writeStamp(file, Object.keys(sorted));
  return { kind: "keychain", label: keychain.label };
}

async function writeSecretsFile(file: string, data: SecretsFile): Promise<void> {
  const text = `${JSON.stringify(data, null, 2)}\n`;
  await writePrivateFile(file, text);
  await markValid(file, text);
}

export function assertSecretName(name: string): void {
  if (!SECRET_NAME.test(name)) {
    throw new UsageError("secret-name", `"${name}" is not a valid secret name.`, {
      hint: "Use letters, digits and _, starting with a letter or _ (e.g. TAVILY_API_KEY).",
    });
  }
}
