/**
 * status: every server × target, read-only, each entry in the state ownership.ts gives it (the
 * rule sync plans with): synced, missing, drifted (edited by hand), foreign (same name, not ours),
 * stale (ours, but out of date or no longer wanted: the next sync changes it).
 */

import type { Target } from "./clients/types.js";
import { loadContext, readTargetTexts } from "./context.js";
import { entriesNow, wireBridge } from "./desired.js";
import { readEntry } from "./doctor/entry-view.js";
import { resolveEntry } from "./doctor/resolve.js";
import type { BuiltEntry } from "./entries.js";
import type { Environment } from "./environments/types.js";
import { UsageErrors } from "./errors.js";
import { readTargetEntries } from "./formats/index.js";
import { isNodeProgram } from "./launch/program.js";
import type { Machine } from "./machine.js";
import { classifyTarget, type EntryState } from "./ownership.js";
import { startAgain } from "./program-check.js";
import { installAdvice, programHint } from "./program-hints.js";
import type { Progress } from "./progress.js";
import { checkSelectors } from "./selectors.js";

/** Who owns each entry, as sync sees it (ownership.ts). */
type StatusState = EntryState;

export interface StatusRow {
  server: string;
  env: string;
  client: string;
  scope: string;
  path: string;
  state: StatusState;
  detail?: string;
  /**
   * `missing` although the entry is in the file: what it starts (its program, or its package's
   * script) is not there. The spec's state stays `missing` (it will not start); the text says
   * what is true (status's matrix: "not installed").
   */
  notInstalled?: true;
}

export async function computeStatus(
  machine: Machine,
  options: { manifest?: string | undefined; envs: string[]; clients: string[]; project?: string | undefined },
  progress: Progress,
): Promise<{ manifest: string; scope: "user" | "project"; rows: StatusRow[] }> {
  checkSelectors({ clients: options.clients, envs: options.envs });
  const ctx = await loadContext(machine, options, progress);
  // A file that does not parse stops status too (exit 2), as it stops sync.
  const { texts, unreadable, unparsable } = await readTargetTexts(ctx);
  if (unreadable.length + unparsable.length > 0) throw new UsageErrors([...unreadable, ...unparsable]);
  const bridge = await wireBridge(machine, ctx.manifest, ctx.allEnvs, { createToken: false });
  const desired = await entriesNow(machine, { ...ctx, bridge }, ctx.state);
  const rows: StatusRow[] = [];
  for (const target of ctx.targets) {
    const text = texts.get(target.key) ?? null;
    const current = readTargetEntries(target, text ?? "");
    const owned = ctx.state.targets[target.key]?.entries ?? {};
    const base = { env: target.env.id, client: target.client.id, scope: target.scope, path: target.path };
    const wanted = desired.get(target.key) ?? new Map<string, BuiltEntry>();
    for (const entry of classifyTarget(current, owned, wanted)) {
      const built = wanted.get(entry.name);
      const row: StatusRow = { ...base, server: entry.name, state: entry.state };
      if (entry.state === "synced") {
        // What the file holds is what sync writes: but is what it starts still there?
        const gone = await missingParts(target, current[entry.name], {
          machine,
          envs: ctx.allEnvs,
          project: ctx.project ?? machine.host.cwd,
        });
        rows.push(gone ? { ...row, state: "missing", notInstalled: true, detail: gone } : row);
        continue;
      }
      const detail = !entry.wanted
        ? "no longer in the manifest for this client"
        : entry.state === "missing" && built && !built.ok
          ? built.reason
          : entry.state === "stale"
            ? "out of date: sync will update it"
            : undefined;
      rows.push(detail ? { ...row, detail } : row);
    }
  }
  return { manifest: ctx.loaded.file, scope: ctx.located.scope, rows };
}

/**
 * Does the entry's program (and, for `node <script>`, its script) still exist where it runs? File
 * stats only, no process. Returns what is gone and what to do, or undefined when all is there (or
 * cannot be told from here).
 */
async function missingParts(
  target: Target,
  entry: unknown,
  ctx: { machine: Machine; envs: readonly Environment[]; project: string },
): Promise<string | undefined> {
  const view = readEntry(entry, target.client.id);
  if (view.kind !== "stdio" || !view.command) return undefined;
  const r = await resolveEntry(target, view, ctx);
  const program = r.command.exists === false ? r.command : r.inner?.exists === false ? r.inner : undefined;
  const gone = program ?? (r.script?.exists === false ? r.script : undefined);
  if (!gone) return undefined;
  const env = ctx.envs.find((e) => e.id === gone.env);
  const known = program && env && programHint(program.path, env.kind);
  const what = program ? `its program \`${program.path}\`` : `its script ${gone.path}`;
  // The same advice as sync's for a program that is not there (program-check.ts).
  const then = `then ${startAgain(target.client)}`;
  if (known)
    return `the entry is there, but ${what} is not found in ${gone.env}. ${installAdvice(program.path, env).replace(/\.$/, "")}; ${then}.`;
  // sync installs packages (and writes the node it finds), never a program of its own.
  if (program && !isNodeProgram(program.path))
    return `the entry is there, but ${what} is not found in ${gone.env}: install it there, or set "command" to its absolute path; ${then}.`;
  return `the entry is there, but ${what} is not found in ${gone.env}: \`mcp-twin sync\` installs it again; ${then}.`;
}
