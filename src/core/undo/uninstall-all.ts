/**
 * uninstall: give back what mcp-twin took — its entries removed, adopted ones put back as written,
 * hand edits kept unless --force — recorded like a sync's, so `restore` undoes it.
 */

import { removedBridgeEntries } from "../bridge-control/bridge-entries.js";
import { type BridgeRetirement, retireBridge } from "../bridge-control/retire.js";
import { detectEnvironments } from "../environments/detect.js";
import { envMatches } from "../environments/env-selector.js";
import type { Machine } from "../environments/machine.js";
import type { Environment } from "../environments/types.js";
import {
  type EntryEdit,
  editTargetEntries,
  formatOf,
  readTargetEntries,
  targetEntryText,
} from "../formats/index.js";
import { listBackups, loadHandWritten, readBackup } from "../ledger/backups.js";
import type { KeyValues } from "../ledger/sealed-keys.js";
import {
  type AutostartRecord,
  entryHash,
  isOurs,
  loadState,
  type State,
  saveState,
  type TargetRecord,
} from "../ledger/state.js";
import { keysOnce } from "../manifest/secrets-file.js";
import { forgetLogins } from "../oauth/token-store.js";
import { type InstallRow, uninstallRows } from "../packages/installs.js";
import { uninstallPackages } from "../packages/npm-prefix.js";
import { forgetOwners } from "../packages/owners.js";
import { dict, own } from "../plain-records.js";
import { selectEnvironments } from "../selectors.js";
import { withLock } from "../system/files.js";
import type { Progress } from "../system/progress.js";
import { backToModel, originalOf } from "./original-shape.js";
import {
  knownTargets,
  noOutcome,
  type Outcome,
  runUndo,
  sayMissing,
  seamOf,
  type Undo,
  type UndoResult,
  type UndoTarget,
} from "./undo-runner.js";
import { type Remains, whatStays } from "./what-stays.js";

export interface UninstallOptions {
  dryRun: boolean;
  force: boolean;
  packages: boolean;
  envs: string[];
  clients: string[];
  /** This machine's environments, when the caller has looked already (looked for otherwise). */
  environments?: Environment[];
}

export interface UninstallReport {
  targets: UndoResult[];
  packages: InstallRow[];
  /** What became of the bridge (undefined: none runs). */
  bridge: BridgeRetirement | undefined;
  /**
   * The entries removed that reached the bridge: the files whose removed entries included a relay
   * to it (it starts the bridge again), and whether any was a url entry to it (it starts nothing).
   */
  bridgeEntries: { starters: string[]; urlEntries: boolean };
  /** The bridge's start at logon sync installed: removed (planned, on a dry run), or why not. */
  autostart?: AutostartRetirement;
  /** The servers whose login mcp-twin forgot (would forget, on a dry run): no entry uses them now. */
  logins: string[];
  /**
   * What stays on the machine, and where.
   *
   * What stays, worked out when it is shown (it reads every backup).
   */
  remains: () => Promise<Remains>;
}

/**
 * Entries it never wrote are never touched. An adopted entry comes back as the very text you wrote
 * when a backup still holds it. Then the bridge is stopped once no config holds its entry
 * (bridge-control/retire.ts), and what stays is gathered for the report (what-stays.ts).
 */
export async function uninstallAll(
  machine: Machine,
  options: UninstallOptions,
  progress: Progress,
): Promise<UninstallReport> {
  const selected = (record: { env: string; client: string }) =>
    (options.clients.length === 0 || options.clients.includes(record.client)) &&
    (options.envs.length === 0 || options.envs.some((e) => envMatches(e, record.env)));
  const keys = keysOnce(machine.paths.secrets);
  const { results, state } = await runUndo(
    machine,
    async (s) =>
      (await knownTargets(s, machine.paths.backups)).filter(
        (t) => !t.fromBackups && selected(t.record) && Object.keys(t.record.entries).length > 0,
      ),
    (target) => giveBack(machine, target, options.force, keys),
    { dryRun: options.dryRun, force: options.force, recordRun: true, keys },
    progress,
  );

  // A config that does not parse was left as it is: once repaired, uninstall can do its part there.
  for (const r of results)
    if (r.unparsable && r.fix)
      r.fix = `${r.fix} Then \`mcp-twin uninstall\` removes mcp-twin's entries from it.`;

  const environments = options.environments ?? (await detectEnvironments(machine)).environments;
  const rows = options.packages ? await removePackages(machine, state, environments, options, progress) : [];
  // The start at logon sync installed for shared servers goes first: a service manager that
  // would start the bridge again must not outlive it.
  const everything = options.clients.length === 0 && options.envs.length === 0;
  const autostart = everything
    ? await retireAutostart(machine, state, environments, options.dryRun)
    : undefined;
  // The bridge: nothing reaches it once no config holds its entry.
  const bridge = await retireBridge(machine, state, environments, {
    dryRun: options.dryRun,
    // Those configs still record its entry, but what they hold cannot be told.
    unreadable: results.filter((r) => r.unparsable),
  });
  // The logins: no entry is left to use them, and a token must not outlive the entries it was for
  // (an uninstall of some clients or environments only leaves them to the others).
  const logins = everything
    ? await forgetLogins(machine.paths.oauth, options.dryRun, (server) =>
        progress.info(`Waiting for the renewal of the login to ${server} under way to finish…`),
      )
    : [];
  return {
    targets: results,
    packages: rows,
    bridge,
    bridgeEntries: bridge ? await removedBridgeEntries(results) : { starters: [], urlEntries: false },
    ...(autostart ? { autostart } : {}),
    logins,
    remains: () => whatStays(machine, state, environments),
  };
}

interface AutostartRetirement {
  action: "removed" | "planned" | "failed";
  kind: AutostartRecord["kind"];
  file: string;
  error?: string;
}

/** Remove the start at logon state records (exactly that), and forget it. */
async function retireAutostart(
  machine: Machine,
  state: State,
  environments: readonly Environment[],
  dryRun: boolean,
): Promise<AutostartRetirement | undefined> {
  const record = state.autostart;
  if (!record) return undefined;
  const base = { kind: record.kind, file: record.file };
  if (dryRun) return { ...base, action: "planned" };
  const bridge = environments.find((e) => e.id === record.env) ?? environments.find((e) => e.local);
  if (!bridge) return { ...base, action: "failed", error: `${record.env} cannot be reached from here` };
  const { removeAutostart } = await import("../bridge-control/autostart.js");
  const removed = await removeAutostart(record, bridge, environments);
  if (!removed.removed)
    return { ...base, action: "failed", ...(removed.error ? { error: removed.error } : {}) };
  await withLock(machine.home.dir, async () => {
    const now = await loadState(machine.paths.state);
    delete now.autostart;
    // Said by a restore of this uninstall, which puts entries back but not this.
    if (now.lastChange?.by === "uninstall") now.lastChange.retired = { autostart: record.kind };
    await saveState(machine.paths.state, now);
  });
  delete state.autostart;
  return { ...base, action: "removed" };
}

/** One target's undo: mcp-twin's entries out, adopted ones back as written, hand edits kept. */
async function giveBack(
  machine: Machine,
  { key, record }: UndoTarget,
  force: boolean,
  keys: KeyValues,
): Promise<Undo> {
  // Keys a backup read names but the store no longer has: what is given back says so.
  const missing: string[] = [];
  const hand = await loadHandWritten(machine.paths.backups, key, keys, missing);
  // Entries whose key is gone: their recorded hash (taken with the key) cannot match, and they are
  // given back with the reference in the key's place (said by sayMissing), not kept as mcp-twin's.
  const keyGone = new Set(
    Object.keys(hand).filter((n) => missing.some((k) => JSON.stringify(hand[n]).includes(`\${secret:${k}}`))),
  );
  const seam = seamOf(record);
  const format = formatOf(seam.client);
  const json = format.id === "json";
  const original = await originalOf(machine.paths.backups, key, seam, keys);
  const asWritten = await textsAsWritten(machine.paths.backups, key, seam, record, keys, missing);
  // mcp-twin keeps owning only what it kept; everything else is the user's again.
  const released = (outcome: Outcome): Outcome => ({
    ...outcome,
    records: { own: {}, drop: Object.keys(record.entries).filter((n) => !outcome.kept.includes(n)) },
  });
  return sayMissing(
    {
      compute: (current) => {
        const outcome = noOutcome();
        if (current === null) return { after: null, outcome: released(outcome) };
        const entries = readTargetEntries(seam, current);
        const edits = entryEdits(entries, record, { hand, keyGone }, asWritten, force, outcome);
        if (edits.length === 0) return { after: null, outcome: released(outcome) };
        // The servers key (or the whole file) was mcp-twin's doing: it goes too, when empty (a
        // TOML servers table goes with its last server table by itself).
        const after = backToModel(
          seam,
          editTargetEntries(seam, current, edits),
          original.text,
          original.shape,
        );
        if (original.shape === "absent" && after.replace(/^\uFEFF/, "").trim() === (json ? "{}" : ""))
          outcome.deleted = true;
        return { after, outcome: released(outcome) };
      },
    },
    missing,
  );
}

/** Each entry mcp-twin recorded: removed, given back (as written when a backup has it) or kept, and why. */
function entryEdits(
  entries: Readonly<Record<string, unknown>>,
  record: TargetRecord,
  { hand, keyGone }: { hand: Readonly<Record<string, unknown>>; keyGone: ReadonlySet<string> },
  asWritten: Readonly<Record<string, string>>,
  force: boolean,
  outcome: Outcome,
): EntryEdit[] {
  const edits: EntryEdit[] = [];
  for (const [name, mine] of Object.entries(record.entries)) {
    if (!Object.hasOwn(entries, name)) continue;
    const now = entries[name];
    const ours = isOurs(mine, now) || force;
    if (mine.handWritten) {
      const original = Object.hasOwn(hand, name) ? hand[name] : undefined;
      if (entryHash(now) === mine.handWritten) {
        outcome.notes.push(`${name}: left as you wrote it (mcp-twin no longer manages it)`);
      } else if (original === undefined || (entryHash(original) !== mine.handWritten && !keyGone.has(name))) {
        outcome.kept.push(name);
        outcome.notes.push(
          `${name}: kept — mcp-twin took it over from a hand-written entry, but that form is no longer in its backups`,
        );
      } else if (ours) {
        // Byte for byte when a backup still holds the text you wrote; else your values.
        const text = own(asWritten, name);
        edits.push({ name, value: original, ...(text !== undefined ? { text } : {}) });
        outcome.givenBack.push(name);
        if (text === undefined) outcome.relaid.push(name);
      } else {
        outcome.kept.push(name);
        outcome.notes.push(`${name}: edited by hand; kept (use --force to put back the form you wrote)`);
      }
    } else if (ours) {
      edits.push({ name, remove: true });
      outcome.removed.push(name);
    } else {
      outcome.kept.push(name);
      outcome.notes.push(`${name}: edited by hand; kept (use --force to remove it)`);
    }
  }
  return edits;
}

/** `--packages`: what mcp-twin installed, uninstalled from each environment (planned in a dry run). */
async function removePackages(
  machine: Machine,
  state: State,
  environments: Environment[],
  options: UninstallOptions,
  progress: Progress,
): Promise<InstallRow[]> {
  const rows: InstallRow[] = [];
  for (const env of selectEnvironments(environments, options.envs)) {
    const mine = own(state.installs, env.id) ?? {};
    const names = Object.keys(mine);
    if (names.length === 0) continue;
    if (options.dryRun || !env.usable) {
      for (const n of names)
        rows.push({
          env: env.id,
          package: n,
          version: mine[n] ?? "",
          action: options.dryRun ? "planned" : "failed",
          ...(env.usable ? {} : { error: env.reason ?? "not usable" }),
        });
      continue;
    }
    const step = progress.step(`Uninstalling ${names.join(", ")} from ${env.id}`);
    const outcome = await uninstallPackages(env, names);
    rows.push(...uninstallRows(env.id, outcome, mine));
    // No line of its own: the report lists each package once.
    step.stop();
    if (outcome.failed.length === 0) delete state.installs[env.id];
    else for (const n of outcome.installed) delete mine[n];
    forgetOwners(state, env.id, outcome.installed);
  }
  if (!options.dryRun) await withLock(machine.home.dir, () => saveState(machine.paths.state, state));
  return rows;
}

/**
 * The text each adopted entry had when you wrote it, taken from a backup of the file that holds
 * that very form (its hash is the one state recorded): so uninstall gives back your layout, not
 * only your values. Empty for a format that cannot splice text back (TOML).
 */
async function textsAsWritten(
  backupsDir: string,
  key: string,
  seam: ReturnType<typeof seamOf>,
  record: TargetRecord,
  keys: KeyValues,
  missing: string[],
): Promise<Record<string, string>> {
  const out = dict<string>();
  const wanted = Object.entries(record.entries).filter(([, r]) => r.handWritten !== undefined);
  if (wanted.length === 0 || !formatOf(seam.client).entryText) return out;
  for (const backup of await listBackups(backupsDir, key)) {
    if (wanted.every(([name]) => own(out, name) !== undefined)) break;
    const text = await readBackup(backup, keys, missing);
    if (text === null) continue;
    let entries: Record<string, unknown>;
    try {
      entries = readTargetEntries(seam, text);
    } catch {
      continue;
    }
    for (const [name, r] of wanted) {
      if (own(out, name) !== undefined || !Object.hasOwn(entries, name)) continue;
      if (entryHash(entries[name]) !== r.handWritten) continue;
      const written = targetEntryText(seam, text, name);
      if (written !== undefined) out[name] = written;
    }
  }
  return out;
}
