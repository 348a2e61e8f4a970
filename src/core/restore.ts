/**
 * restore and uninstall: undo mcp-twin's own entries. restore puts back the entries the last sync
 * touched, as they were in that sync's backup — only those entries, never the rest of the file,
 * because apps (Claude Code) keep their own state in the same file. uninstall removes every entry
 * mcp-twin wrote. Both keep hand-edited entries unless --force.
 */

import { CLIENTS } from "./clients/index.js";
import { detectEnvironments } from "./environments/detect.js";
import { type Environment, envMatches } from "./environments/types.js";
import { backupFile, readTextOrNull, replaceFile, withLock } from "./files.js";
import { uninstallPackages } from "./install.js";
import type { Machine } from "./machine.js";
import { applyEntryEdits, type EntryEdit, parseConfig, readEntries } from "./merge.js";
import type { InstallRow } from "./packages.js";
import type { Progress } from "./progress.js";
import { selectEnvironments, unknownName } from "./selectors.js";
import { entryHash, isOurs, loadState, type State, saveState, type TargetRecord } from "./state.js";
import { targetSlug } from "./targets.js";

export interface UndoResult {
  env: string;
  client: string;
  scope: string;
  path: string;
  action: "updated" | "unchanged" | "skipped" | "failed";
  restored: string[];
  removed: string[];
  kept: string[];
  message?: string;
  before?: string | null;
  after?: string | null;
}

interface UndoPlan {
  key: string;
  record: TargetRecord;
  file: string;
  /** Edits to apply to whatever the file holds when we write. */
  edits: (current: Record<string, unknown>) => {
    edits: EntryEdit[];
    restored: string[];
    removed: string[];
    kept: string[];
  };
  /** Ownership after the write. */
  commit: (state: State, current: Record<string, unknown>) => void;
}

function accessFor(record: TargetRecord, envs: readonly Environment[]): string | undefined {
  if (record.scope === "project") return record.path;
  return envs.find((e) => e.id === record.env)?.access(record.path);
}

function serversPathOf(record: TargetRecord): readonly string[] {
  return CLIENTS.find((c) => c.id === record.client)?.serversPath ?? ["mcpServers"];
}

async function runUndo(
  machine: Machine,
  select: (key: string, record: TargetRecord) => boolean,
  makePlan: (
    key: string,
    record: TargetRecord,
    file: string,
    backupText: string | null,
  ) => UndoPlan | undefined,
  options: { dryRun: boolean },
  progress: Progress,
): Promise<{ results: UndoResult[]; state: State }> {
  const body = async () => {
    const state = await loadState(machine.paths.state);
    const { environments } = await detectEnvironments(machine);
    const results: UndoResult[] = [];
    for (const [key, record] of Object.entries(state.targets)) {
      if (!select(key, record)) continue;
      const base = { env: record.env, client: record.client, scope: record.scope, path: record.path };
      const file = accessFor(record, environments);
      if (!file) {
        results.push({
          ...base,
          action: "skipped",
          restored: [],
          removed: [],
          kept: [],
          message: `${record.env} is not reachable from here`,
        });
        continue;
      }
      const backupText = record.lastRun?.backup ? await readTextOrNull(record.lastRun.backup) : null;
      const plan = makePlan(key, record, file, backupText);
      if (!plan) continue;
      const step = progress.step(`Updating ${record.path}`);
      try {
        const before = await readTextOrNull(file);
        let summary = { restored: [] as string[], removed: [] as string[], kept: [] as string[] };
        let finalCurrent: Record<string, unknown> = {};
        const compute = (current: string | null) => {
          if (current === null) return null;
          const entries = readEntries(parseConfig(current, file), serversPathOf(record), file);
          const { edits, ...rest } = plan.edits(entries);
          summary = rest;
          finalCurrent = entries;
          return edits.length > 0 ? applyEntryEdits(current, serversPathOf(record), edits, file) : null;
        };
        if (options.dryRun) {
          const after = compute(before);
          results.push({
            ...base,
            action: after === null ? "unchanged" : "updated",
            ...summary,
            before,
            after,
          });
          step.stop();
          continue;
        }
        const written = await replaceFile(file, compute, {
          beforeRename: async (current) => {
            if (current !== null)
              await backupFile(machine.paths.backups, targetSlug(key), current, machine.host.now());
          },
        });
        plan.commit(state, finalCurrent);
        results.push({ ...base, action: written.written ? "updated" : "unchanged", ...summary });
        step.succeed(`${record.path}: ${written.written ? "updated" : "unchanged"}`);
      } catch (error) {
        step.fail();
        results.push({
          ...base,
          action: "failed",
          restored: [],
          removed: [],
          kept: [],
          message: (error as Error).message,
        });
      }
    }
    if (!options.dryRun) await saveState(machine.paths.state, state);
    return { results, state };
  };
  return options.dryRun ? body() : withLock(machine.home.dir, body);
}

/** `target`: a path (as recorded or as opened here) or `env:client` / `client`. */
function matchTarget(spec: string | undefined, record: TargetRecord): boolean {
  if (!spec) return true;
  if (spec === record.path || spec === record.client || spec === `${record.env}:${record.client}`)
    return true;
  return record.path.replace(/\\/g, "/").endsWith(spec.replace(/\\/g, "/"));
}

export async function restoreTargets(
  machine: Machine,
  options: { target?: string | undefined; dryRun: boolean },
  progress: Progress,
): Promise<UndoResult[]> {
  const stateNow = await loadState(machine.paths.state);
  const candidates = Object.entries(stateNow.targets).filter(
    ([, r]) => r.lastRun && matchTarget(options.target, r),
  );
  if (options.target && candidates.length === 0) {
    const changed = Object.values(stateNow.targets).filter((r) => r.lastRun);
    throw unknownName({
      code: "unknown-target",
      given: "restore",
      name: options.target,
      isNot: "no target of that name was changed by a sync",
      knownAs: "Targets the last sync changed (env:client, or the file's path)",
      known: [...new Set(changed.map((r) => `${r.env}:${r.client}`))],
      noneKnown: "No sync has changed a target yet.",
      candidates: [...new Set(changed.flatMap((r) => [`${r.env}:${r.client}`, r.client, r.path]))],
    });
  }
  const { results } = await runUndo(
    machine,
    (_key, record) => Boolean(record.lastRun) && matchTarget(options.target, record),
    (key, record, file, backupText) => {
      const touched = record.lastRun!.touched;
      let previous: Record<string, unknown> = {};
      if (backupText !== null)
        previous = readEntries(parseConfig(backupText, file), serversPathOf(record), file);
      return {
        key,
        record,
        file,
        edits: (current) => {
          const edits: EntryEdit[] = [];
          const restored: string[] = [];
          const removed: string[] = [];
          for (const name of touched) {
            if (Object.hasOwn(previous, name)) {
              if (entryHash(current[name]) !== entryHash(previous[name])) {
                edits.push({ name, value: previous[name] });
                restored.push(name);
              }
            } else if (Object.hasOwn(current, name)) {
              edits.push({ name, remove: true });
              removed.push(name);
            }
          }
          return { edits, restored, removed, kept: [] };
        },
        commit: (state) => {
          const rec = state.targets[key];
          if (!rec) return;
          for (const name of touched) {
            if (Object.hasOwn(previous, name)) rec.entries[name] = { hash: entryHash(previous[name]) };
            else delete rec.entries[name];
          }
          delete rec.lastRun;
        },
      };
    },
    { dryRun: options.dryRun },
    progress,
  );
  return results;
}

export async function uninstallAll(
  machine: Machine,
  options: { dryRun: boolean; force: boolean; packages: boolean; envs: string[]; clients: string[] },
  progress: Progress,
): Promise<{ targets: UndoResult[]; packages: InstallRow[] }> {
  const selected = (record: TargetRecord) =>
    (options.clients.length === 0 || options.clients.includes(record.client)) &&
    (options.envs.length === 0 || options.envs.some((e) => envMatches(e, record.env)));
  const { results, state } = await runUndo(
    machine,
    (_key, record) => selected(record),
    (key, record, file) => ({
      key,
      record,
      file,
      edits: (current) => {
        const edits: EntryEdit[] = [];
        const removed: string[] = [];
        const kept: string[] = [];
        for (const [name, mine] of Object.entries(record.entries)) {
          if (!Object.hasOwn(current, name)) continue;
          if (isOurs(mine, current[name]) || options.force) {
            edits.push({ name, remove: true });
            removed.push(name);
          } else {
            kept.push(name);
          }
        }
        return { edits, restored: [], removed, kept };
      },
      commit: (s, current) => {
        const rec = s.targets[key];
        if (!rec) return;
        for (const name of Object.keys(rec.entries)) {
          if (!Object.hasOwn(current, name) || isOurs(rec.entries[name], current[name]) || options.force)
            delete rec.entries[name];
        }
        if (Object.keys(rec.entries).length === 0) delete s.targets[key];
      },
    }),
    { dryRun: options.dryRun },
    progress,
  );

  const rows: InstallRow[] = [];
  if (options.packages) {
    const { environments } = await detectEnvironments(machine);
    for (const env of selectEnvironments(environments, options.envs)) {
      const mine = state.installs[env.id] ?? {};
      const names = Object.keys(mine);
      if (names.length === 0) continue;
      if (options.dryRun || !env.usable) {
        for (const n of names)
          rows.push({
            env: env.id,
            package: n,
            version: mine[n]!,
            action: options.dryRun ? "planned" : "failed",
            ...(env.usable ? {} : { error: env.reason ?? "not usable" }),
          });
        continue;
      }
      const step = progress.step(`Uninstalling ${names.join(", ")} from ${env.id}`);
      const outcome = await uninstallPackages(env, names);
      for (const n of outcome.installed)
        rows.push({ env: env.id, package: n, version: mine[n]!, action: "removed" });
      for (const f of outcome.failed)
        rows.push({ env: env.id, package: f.spec, version: mine[f.spec]!, action: "failed", error: f.error });
      if (outcome.failed.length === 0) {
        delete state.installs[env.id];
        step.succeed(`Uninstalled ${names.join(", ")} from ${env.id}`);
      } else step.fail();
    }
    if (!options.dryRun) await withLock(machine.home.dir, () => saveState(machine.paths.state, state));
  }
  return { targets: results, packages: rows };
}
