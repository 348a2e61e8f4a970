/**
 * Applying an import plan: chosen servers into the manifest, their secrets into the secrets file (mode
 * 0600), and the entries they came from adopted in state — in that order, under the home's lock.
 */

import type { Machine } from "../environments/machine.js";
import { UsageError, UsageErrors } from "../errors.js";
import { backupProblems, saveHandWritten } from "../ledger/backups.js";
import { loadState, type State, saveState } from "../ledger/state.js";
import { withServers, writeManifest } from "../manifest/edit.js";
import type { ServerSpec } from "../manifest/schema.js";
import { assertSecretName, keysOnce, updateSecrets } from "../manifest/secrets-file.js";
import { parseManifestText } from "../manifest/validate.js";
import { readTextOrNull, withLock } from "../system/files.js";
import { placeLines, settleHint } from "./clashes.js";
import { compareWithManifest } from "./compare.js";
import { handWrittenKey, type ImportCandidate, type ImportPlan, type Skipped } from "./types.js";

export interface ImportSelection {
  /** Names of the candidates to import (default: all). */
  servers?: Iterable<string>;
  /** Replace manifest servers of the same name with a different definition. */
  force?: boolean;
  /** Compute everything, write nothing. */
  dryRun?: boolean;
  /**
   * Values for secrets the plan lists as missing (placeholders), e.g. answered in `init`: stored
   * with the others when an imported server refers to them.
   */
  secrets?: Readonly<Record<string, string>>;
}

export interface ImportResult {
  manifestFile: string;
  /** Manifest text before (null: it did not exist) and after. */
  before: string | null;
  after: string | null;
  written: boolean;
  servers: Array<{ name: string; action: "added" | "replaced" | "unchanged"; server: ServerSpec }>;
  /** Secret names stored (values never leave the secrets file). */
  secrets: string[];
  adopted: Array<{ env: string; client: string; scope: string; path: string; server: string }>;
  /** Candidates not imported: name conflicts without force, duplicates. */
  skipped: Skipped[];
}

/**
 * That order means an interrupted run leaves at worst a stored secret nobody refers to yet, or
 * entries that still look foreign. The manifest is read again inside the lock: a name that appeared
 * there since the scan is treated as a conflict then. With `dryRun` nothing is written.
 */
export async function applyImport(
  machine: Machine,
  plan: ImportPlan,
  selection: ImportSelection = {},
): Promise<ImportResult> {
  for (const name of Object.keys(selection.secrets ?? {})) assertSecretName(name);
  const wanted = selection.servers ? new Set(selection.servers) : undefined;
  const chosen = plan.candidates.filter((c) => !wanted || wanted.has(c.name));
  refuseUnsettled(plan, chosen);
  const run = async (): Promise<ImportResult> => {
    const before = await readTextOrNull(plan.manifestFile);
    const { result, imported } = compareChosen(plan, chosen, before, Boolean(selection.force));
    const edits = result.servers.filter((s) => s.action !== "unchanged");
    if (edits.length > 0) result.after = withServers(before, plan.manifestFile, edits);
    const names = new Set(imported.flatMap((c) => c.secrets));
    const store = Object.fromEntries(
      Object.entries({ ...plan.secretValues, ...selection.secrets }).filter(
        ([name, v]) => names.has(name) && v !== "",
      ),
    );
    result.secrets = Object.keys(store).sort();
    for (const c of imported)
      for (const f of c.found)
        if (f.adopt && f.targetKey)
          result.adopted.push({ env: f.env, client: f.client, scope: f.scope, path: f.path, server: c.name });
    if (selection.dryRun) return result;

    // Bookkeeping that does not load stops the import before anything is written (exit 2).
    const state = result.adopted.length > 0 ? await loadState(machine.paths.state) : undefined;
    const corrupt = await backupProblems(
      machine.paths.backups,
      imported.flatMap((c) => c.found.flatMap((f) => (f.adopt && f.targetKey ? [f.targetKey] : []))),
    );
    if (corrupt.length > 0) throw new UsageErrors(corrupt);

    if (result.secrets.length > 0)
      await updateSecrets(machine.paths.secrets, (now) => ({ ...now, ...store }));
    if (edits.length > 0) {
      const write = await writeManifest(machine, plan.manifestFile, (text) =>
        text === before ? result.after : withServers(text, plan.manifestFile, edits),
      );
      result.written = write.written;
      result.after = write.after;
    }
    if (state) await adoptFound(machine, plan, imported, state);
    return result;
  };
  return selection.dryRun ? run() : withLock(machine.home.dir, run);
}

/** A key with different values in different places is never settled silently. */
function refuseUnsettled(plan: ImportPlan, chosen: readonly ImportCandidate[]): void {
  const chosenNames = new Set(chosen.map((c) => c.name));
  const unsettled = plan.clashes.filter(
    (c) => c.needsChoice && !c.resolution && c.servers.some((s) => chosenNames.has(s)),
  );
  if (unsettled.length > 0)
    throw new UsageErrors(
      unsettled.map(
        (c) =>
          new UsageError(
            "secret-clash",
            [
              `${c.name} (${c.servers.join(", ")}) has different values in different places, and mcp-twin does not pick one for you:`,
              ...c.values.flatMap(placeLines).map((l) => `    ${l}`),
            ].join("\n"),
            { hint: settleHint(c) },
          ),
      ),
    );
}

/**
 * Each chosen server against the manifest as it is now (read again inside the lock): added,
 * replaced (only with `force`), unchanged, or skipped — a duplicate, or a name taken since the scan.
 */
function compareChosen(
  plan: ImportPlan,
  chosen: readonly ImportCandidate[],
  before: string | null,
  force: boolean,
): { result: ImportResult; imported: ImportCandidate[] } {
  const current = before === null ? { servers: {} } : parseManifestText(before, plan.manifestFile);
  const result: ImportResult = {
    manifestFile: plan.manifestFile,
    before,
    after: before,
    written: false,
    servers: [],
    secrets: [],
    adopted: [],
    skipped: [],
  };
  const imported: ImportCandidate[] = [];
  for (const c of chosen) {
    const compared = compareWithManifest(current.servers, c.name, c.server);
    if (compared.status === "duplicate") {
      result.skipped.push({
        file: plan.manifestFile,
        server: c.name,
        reason: `already in the manifest as "${compared.duplicateOf}"`,
      });
      continue;
    }
    if (compared.status === "conflict" && !force) {
      result.skipped.push({
        file: plan.manifestFile,
        server: c.name,
        reason: `the manifest already has "${c.name}" with another definition: left alone (use --force to replace it)`,
      });
      continue;
    }
    imported.push(c);
    result.servers.push(
      compared.status === "same"
        ? { name: c.name, action: "unchanged", server: compared.existing }
        : { name: c.name, action: compared.status === "conflict" ? "replaced" : "added", server: c.server },
    );
  }
  return { result, imported };
}

/** The entries the servers came from, recorded as mcp-twin's; their hand-written form kept for uninstall. */
async function adoptFound(
  machine: Machine,
  plan: ImportPlan,
  imported: readonly ImportCandidate[],
  state: State,
): Promise<void> {
  // Read after the import stored its keys: a hand-written form holding one keeps it sealed.
  const keys = keysOnce(machine.paths.secrets);
  for (const c of imported)
    for (const f of c.found) {
      if (!f.adopt || !f.targetKey) continue;
      const id = { key: f.targetKey, env: f.env, client: f.client, scope: f.scope, path: f.path };
      // The hand-written form, kept with the target's backups: uninstall gives it back.
      const key = handWrittenKey(f.targetKey, f.entry);
      const value =
        plan.handWritten && Object.hasOwn(plan.handWritten, key) ? plan.handWritten[key] : undefined;
      if (value !== undefined) await saveHandWritten(machine.paths.backups, id, { [c.name]: value }, keys);
      const record = state.targets[f.targetKey] ?? {
        env: f.env,
        client: f.client,
        scope: f.scope,
        path: f.path,
        entries: {},
      };
      state.targets[f.targetKey] = record;
      record.entries[c.name] = {
        hash: f.hash,
        ...(value !== undefined ? { handWritten: f.hash } : {}),
      };
    }
  await saveState(machine.paths.state, state);
}
