/**
 * One new server into the manifest (refused when one of that name is there, unless forced) and
 * its keys into the secrets file, under the home's lock; with `dryRun`, the manifest's text only.
 */
import type { Machine } from "../environments/machine.js";
import { UsageError } from "../errors.js";
import { withLock } from "../system/files.js";
import { editManifest, schemaRefFor, serverNames, withServer } from "./edit.js";
import { reservedNameWhy } from "./reserved-names.js";
import { type ServerSpec, serverName } from "./schema.js";
import { updateSecrets } from "./secrets-file.js";
import { TOOLS_ENTRY } from "./tool-search.js";
import { parseManifestText } from "./validate.js";

/** The server to add: its name, its manifest entry, and the keys to store beside it. */
export interface NewServer {
  name: string;
  server: ServerSpec;
  newSecrets: Record<string, string>;
  /** Why the name is not the one it would have had (a reserved name), to say so. */
  renamed?: string | undefined;
  /** Why the catalogue's `share` mode suits it (said by add and init). */
  shareWhy?: string | undefined;
}

/** The manifest's text before and after (after: null when nothing changed). */
export interface ManifestEdit {
  before: string | null;
  after: string | null;
}

/** A name the manifest takes: letters, digits, - and _, and none reserved (exit 2 otherwise). */
export function assertServerName(name: string): void {
  if (serverName.safeParse(name).success) return;
  const reserved = reservedNameWhy(name);
  throw new UsageError(
    "bad-name",
    reserved
      ? `"${name}" cannot be a server name: it ${reserved}.`
      : `"${name}" cannot be a server name: use letters, digits, - and _.`,
    { hint: reserved ? "Pass another --name." : "Pass --name <name>." },
  );
}

export async function addServer(
  machine: Machine,
  file: string,
  added: NewServer,
  options: { force?: boolean | undefined; dryRun?: boolean | undefined },
): Promise<ManifestEdit> {
  const schemaRef = schemaRefFor(file, machine);
  const change = (current: string | null) => {
    // Said of the name asked for; as the manifest's problem it would have no line to point at.
    if (added.name === TOOLS_ENTRY && current !== null && parseManifestText(current, file).toolSearch)
      throw new UsageError(
        "bad-name",
        `"${TOOLS_ENTRY}" cannot be a server name here: it is the name of the toolSearch clients' one entry.`,
        { hint: "Pass another --name." },
      );
    const existing = serverNames(current, file).includes(added.name);
    if (existing && !options.force) {
      throw new UsageError("server-exists", `${added.name} is already in ${machine.shown(file)}.`, {
        hint: "Pass --force to replace it, or --name to add it under another name.",
      });
    }
    return withServer(current, file, added.name, added.server, schemaRef);
  };
  const result = await editManifest(machine, file, change, { dryRun: Boolean(options.dryRun) });
  if (!options.dryRun && Object.keys(added.newSecrets).length > 0) {
    await withLock(machine.home.dir, async () =>
      updateSecrets(machine.paths.secrets, (now) => ({ ...now, ...added.newSecrets })),
    );
  }
  return result;
}
