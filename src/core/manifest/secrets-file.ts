/**
 * The secrets file: HOME/secrets.json, mode 0600 (on a Windows drive: the ACL of the Windows
 * profile it is in), never inside a project folder. Values are only
 * ever read to be written into user-level client configs; they never reach argv, logs or output.
 */

import { createHash } from "node:crypto";
import path from "node:path";
import { isOnWindowsDrive } from "../environments/path-translation.js";
import { UsageError } from "../errors.js";
import { dict, own } from "../plain-records.js";
import { markValid, parseChecked } from "../system/checked-json.js";
import { readTextOrNull, writePrivateFile } from "../system/files.js";

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

/**
 * The stored secrets, validated: a file that does not parse, or an entry that is not a name with a
 * string value, is an error (exit 2) at its line and column — never dropped without a word (the
 * next `secret set` would then have deleted it for good). Messages never hold a value.
 */
export async function loadSecrets(file: string): Promise<Record<string, string>> {
  return dict((await readSecretsFile(file)).secrets);
}

/** The stored secrets, and the names whose value the user accepted despite its format. */
export async function loadSecretsFile(
  file: string,
): Promise<{ secrets: Record<string, string>; accepted: Set<string> }> {
  const data = await readSecretsFile(file);
  const secrets = dict(data.secrets);
  const accepted = new Set(
    Object.entries(data.accepted ?? {})
      .filter(([name, hash]) => {
        const value = own(secrets, name);
        return value !== undefined && valueHash(value) === hash;
      })
      .map(([name]) => name),
  );
  return { secrets, accepted };
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
 * Write the secrets file. Acceptances (`secret set --force`) are kept while their value is the one
 * accepted; `accept` adds the current value of these names.
 */
export async function saveSecrets(
  file: string,
  secrets: Record<string, string>,
  options: { accept?: readonly string[] } = {},
): Promise<void> {
  const sorted = dict(Object.entries(secrets).sort(([a], [b]) => a.localeCompare(b)));
  // Unreadable counts as empty: the write below says what fails.
  const previous = (await readTextOrNull(file).catch(() => null)) ?? "";
  let accepted = dict<string>();
  try {
    accepted = dict((JSON.parse(previous) as SecretsFile).accepted ?? {});
  } catch {
    // no file, or one being replaced
  }
  for (const name of Object.keys(accepted)) {
    const value = own(sorted, name);
    if (value === undefined || valueHash(value) !== accepted[name]) delete accepted[name];
  }
  for (const name of options.accept ?? []) {
    const value = own(sorted, name);
    if (value !== undefined) accepted[name] = valueHash(value);
  }
  const data: SecretsFile = {
    version: 1,
    secrets: sorted,
    ...(Object.keys(accepted).length > 0 ? { accepted } : {}),
  };
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
