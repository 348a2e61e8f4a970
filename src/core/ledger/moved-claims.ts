/**
 * mcp-twin's claims on entries of a file its client moves at start-up (ClientModule.movedFrom:
 * Devin's `config.json` → `mcp_config.json`), settled against both files as they are now.
 */
import { clientById } from "../clients/index.js";
import { besidePath } from "../clients/moved-file.js";
import { targetKey } from "../clients/targets.js";
import type { ClientModule } from "../clients/types.js";
import type { Environment } from "../environments/types.js";
import { isTwinError } from "../errors.js";
import { loadFormats, parseTarget } from "../formats/index.js";
import { dict, own } from "../plain-records.js";
import { readTextOrNull } from "../system/files.js";
import { isOurs, type State, type TargetRecord } from "./state.js";

/**
 * An earlier mcp-twin wrote a client's servers into the file the client now moves them out of, and
 * recorded them there. For each such claim: an entry the client moved, unchanged, into its user
 * file is mcp-twin's there (sync then neither takes it for the person's nor writes it twice); one
 * still in the old file stays claimed there, so uninstall still takes it out (else the client would
 * move it back in after); one in neither is no longer claimed. A record left with no claim goes.
 * The files are only read. A file that cannot be read or parsed leaves its claims as they are.
 * True when state changed (the caller saves it when it writes).
 */
export async function settleMovedClaims(
  state: State,
  environments: readonly Environment[],
): Promise<boolean> {
  let changed = false;
  for (const [oldKey, old] of Object.entries(state.targets)) {
    const client = clientById(old.client);
    if (!client?.movedFrom || old.scope !== "user" || Object.keys(old.entries).length === 0) continue;
    // Most records are of the files sync writes: no look at the environment for those.
    if (besidePath(old.path, client.movedFrom) !== old.path) continue;
    const env = environments.find((e) => e.id === old.env);
    const location = env ? await client.userConfig(env) : undefined;
    if (!env || !location || besidePath(location.path, client.movedFrom) !== old.path) continue;
    const oldFile = env.access(old.path);
    const newFile = env.access(location.path);
    if (!oldFile || !newFile) continue;
    const [before, now] = [await entriesIn(client, oldFile), await entriesIn(client, newFile)];
    if (!before || !now) continue;
    const newKey = targetKey(old.env, old.client, old.scope, location.path);
    for (const [name, record] of Object.entries(old.entries)) {
      if (
        Object.hasOwn(now, name) &&
        isOurs(record, now[name]) &&
        !own(state.targets[newKey]?.entries, name)
      ) {
        // Its hand-written form (an adopted entry) is kept with the old file's backups, not the new one's.
        const { handWritten: _, ...claim } = record;
        recordOf(state, newKey, { ...old, path: location.path }).entries[name] = claim;
        changed = true;
      }
      if (!(Object.hasOwn(before, name) && isOurs(record, before[name]))) {
        delete old.entries[name];
        changed = true;
      }
    }
    if (Object.keys(old.entries).length === 0) delete state.targets[oldKey];
  }
  return changed;
}

function recordOf(state: State, key: string, like: TargetRecord): TargetRecord {
  const found = state.targets[key];
  if (found) return found;
  const made: TargetRecord = {
    env: like.env,
    client: like.client,
    scope: like.scope,
    path: like.path,
    entries: dict(),
  };
  state.targets[key] = made;
  return made;
}

/** The entries of a client's file as they are ({} when it does not exist); undefined when it cannot be read or parsed. */
async function entriesIn(client: ClientModule, file: string): Promise<Record<string, unknown> | undefined> {
  try {
    const text = await readTextOrNull(file);
    if (text === null) return dict();
    await loadFormats([client]);
    return parseTarget({ client }, text, file).entries(client.serversPath);
  } catch (error) {
    // A file mcp-twin cannot read or parse says nothing about its entries: its claims stay.
    if (isTwinError(error) || error instanceof Error) return undefined;
    throw error;
  }
}
