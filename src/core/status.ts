/**
 * status: every server × target, read-only. synced (file holds what sync would write), missing
 * (it should be there and is not), drifted (we wrote it, someone edited it since), foreign (same
 * name, not ours), stale (ours, but out of date or no longer wanted: the next sync changes it).
 */

import type { Target } from "./clients/types.js";
import { readEntry } from "./doctor/entry-view.js";
import { resolveEntry } from "./doctor/resolve.js";
import type { Environment } from "./environments/types.js";
import { readTargetEntries } from "./formats/index.js";
import { exactVersion, splitSpec } from "./install.js";
import type { Machine } from "./machine.js";
import { own } from "./own.js";
import { packageServers, readInstalledIndex } from "./packages.js";
import { installHint } from "./program-hints.js";
import type { Progress } from "./progress.js";
import { checkSelectors } from "./selectors.js";
import { entryHash, isOurs } from "./state.js";
import { desiredEntries, openManifest, prepare } from "./sync.js";

export type StatusState = "synced" | "missing" | "drifted" | "foreign" | "stale";

export interface StatusRow {
  server: string;
  env: string;
  client: string;
  scope: string;
  path: string;
  state: StatusState;
  detail?: string;
}

export async function computeStatus(
  machine: Machine,
  options: { manifest?: string | undefined; envs: string[]; clients: string[]; project?: string | undefined },
  progress: Progress,
): Promise<{ manifest: string; scope: "user" | "project"; rows: StatusRow[] }> {
  checkSelectors({ clients: options.clients, envs: options.envs });
  const { located, loaded, project } = await openManifest(machine, options);
  const prepared = await prepare(
    machine,
    loaded,
    { ...options, ...(project ? { project } : {}), checkReferences: false },
    progress,
  );
  const pkgs = packageServers(prepared.manifest, prepared.envs);
  const index = await readInstalledIndex(pkgs);
  const versions = new Map<string, string>();
  for (const p of pkgs) {
    const v = exactVersion(splitSpec(p.spec).range) ?? own(prepared.state.packages, p.name)?.version;
    if (v) versions.set(p.name, v);
  }
  const desired = await desiredEntries(machine, prepared, index, versions);
  const rows: StatusRow[] = [];
  for (const target of prepared.targets) {
    const text = prepared.texts.get(target.key) ?? null;
    const current = readTargetEntries(target, text ?? "");
    const owned = prepared.state.targets[target.key]?.entries ?? {};
    const base = { env: target.env.id, client: target.client.id, scope: target.scope, path: target.path };
    const wanted = desired.get(target.key) ?? new Map();
    for (const [server, built] of wanted) {
      const has = Object.hasOwn(current, server);
      const record = own(owned, server);
      if (!has) {
        rows.push({ ...base, server, state: "missing", ...(built.ok ? {} : { detail: built.reason }) });
      } else if (record && !isOurs(record, current[server])) {
        rows.push({ ...base, server, state: "drifted" });
      } else if (!record && (!built.ok || entryHash(current[server]) !== entryHash(built.value))) {
        rows.push({ ...base, server, state: "foreign" });
      } else if (built.ok && entryHash(current[server]) !== entryHash(built.value)) {
        rows.push({ ...base, server, state: "stale", detail: "out of date: sync will update it" });
      } else {
        // What the file holds is what sync writes: but is what it starts still there?
        const gone = await missingParts(target, current[server], {
          machine,
          envs: prepared.allEnvs,
          project: project ?? machine.host.cwd,
        });
        rows.push({ ...base, server, state: gone ? "missing" : "synced", ...(gone ? { detail: gone } : {}) });
      }
    }
    for (const [server, record] of Object.entries(owned)) {
      if (wanted.has(server) || !Object.hasOwn(current, server)) continue;
      rows.push({
        ...base,
        server,
        state: isOurs(record, current[server]) ? "stale" : "drifted",
        detail: "no longer in the manifest for this client",
      });
    }
  }
  return { manifest: loaded.file, scope: located.scope, rows };
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
  const kind = ctx.envs.find((e) => e.id === gone.env)?.kind;
  const hint = program && kind ? installHint(program.path, kind) : undefined;
  const what = program ? `its program \`${program.path}\`` : `its script ${gone.path}`;
  return `${what} is not found in ${gone.env}: ${hint ? `install it with: ${hint}` : "`mcp-twin sync` installs it again"}`;
}
