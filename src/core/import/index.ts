/**
 * import: every server already configured in any client of any environment, as manifest entries.
 *
 * `scanImports` reads (never writes) every client config in every environment, recognises each
 * entry (recognize.ts), moves inline keys out (secrets.ts), folds the same server found in several
 * places into one entry (fold.ts) and compares it with the manifest: a plan, as plain data, for
 * the `import` command to apply and for `init` to offer as choices. `applyImport` (apply.ts)
 * writes the chosen entries, stores their secrets and adopts the entries they came from.
 * Client configs are never edited: an adopted entry is only recorded in state as mcp-twin's, so
 * the next sync may rewrite it into the installed form.
 */
import path from "node:path";
import { detectEnvironments } from "../environments/detect.js";
import { loadFormats, ownedView } from "../formats/index.js";
import type { Machine } from "../machine.js";
import { loadManifest, locateManifest, userManifest } from "../manifest/load.js";
import { loadSecrets } from "../manifest/secrets.js";
import { dict, own } from "../own.js";
import type { Progress } from "../progress.js";
import { checkSelectors, selectEnvironments } from "../selectors.js";
import { entryHash, isOurs, loadState } from "../state.js";
import { discoverTargets } from "../targets.js";
import { compareWithManifest } from "./compare.js";
import { fold, type Occurrence, type Source } from "./fold.js";
import { CLASSIC_DESKTOP_NOTE, envInfo, occurrence, readTarget } from "./read.js";
import { allocateSecrets, type Form, type SecretUse } from "./secrets.js";
import { handWrittenKey, type ImportFilters, type ImportPlan } from "./types.js";

export { applyImport, type ImportResult, type ImportSelection } from "./apply.js";
export type { FoundAt, ImportCandidate, ImportFilters, ImportPlan, MissingSecret, Skipped } from "./types.js";

export async function scanImports(
  machine: Machine,
  filters: ImportFilters = {},
  progress?: Progress,
): Promise<ImportPlan> {
  checkSelectors({ clients: filters.clients ?? [], envs: filters.envs ?? [] });
  // Servers of user-level configs go into the user-level manifest, never a project's
  // ./mcp-twin.jsonc; with --project, that project's manifest is the place.
  const choice = { manifest: filters.manifest, cwd: machine.host.cwd, homeManifest: machine.paths.manifest };
  const manifestFile = filters.project ? locateManifest(choice) : userManifest(choice);
  const [loaded, stored, state] = await Promise.all([
    loadManifest(manifestFile, { cacheDir: machine.paths.cache, caches: machine.caches }),
    loadSecrets(machine.paths.secrets),
    loadState(machine.paths.state),
  ]);
  const step = progress?.step("Reading every client config");
  const { environments } = await detectEnvironments(machine);
  const selected = selectEnvironments(environments, filters.envs ?? []);
  const clients = filters.clients ?? [];
  const targets = await discoverTargets(selected, { clients, includeAbsent: true });
  if (filters.project)
    targets.push(
      ...(await discoverTargets(environments, { clients, project: filters.project, includeAbsent: true })),
    );
  await loadFormats(targets.map((t) => t.client));
  step?.stop();

  const plan: ImportPlan = {
    manifestFile,
    manifestExists: !loaded.missing,
    candidates: [],
    secrets: [],
    secretValues: {},
    skipped: [],
    managed: [],
    files: [],
    notes: [],
  };
  const found: Array<{ occurrence: Occurrence; uses: SecretUse[]; value: unknown }> = [];
  const seen = new Set<string>();
  const project = filters.project ? path.resolve(machine.host.cwd, filters.project) : undefined;
  for (const target of targets) {
    if (seen.has(target.file)) continue;
    seen.add(target.file);
    const sets = await readTarget(target, project, plan);
    for (const set of sets) {
      const where = set.ignoredFile ?? target.path;
      plan.files.push({
        env: target.env.id,
        client: target.client.id,
        scope: set.scope,
        path: where,
        entries: Object.keys(set.entries).length,
        ...(set.ignoredFile ? { ignoredByApp: true, note: CLASSIC_DESKTOP_NOTE } : {}),
      });
      // Sync compares (and records) only the keys it owns in an entry (Codex keeps its own there).
      const compared = ownedView(set.entries, target.client.ownedKeys);
      const managed = set.scope !== "local" && set.ignoredFile === undefined;
      for (const [entry, value] of Object.entries(set.entries)) {
        if (managed && isOurs(own(state.targets[target.key]?.entries, entry), compared[entry])) {
          plan.managed.push({ path: target.path, server: entry });
          continue;
        }
        const source: Source = {
          env: target.env.id,
          client: target.client.id,
          scope: set.scope,
          path: where,
          ...(managed
            ? { targetKey: target.key }
            : set.ignoredFile
              ? {
                  unmanaged: `${CLASSIC_DESKTOP_NOTE}; sync writes the file the app reads instead`,
                  ignoredByApp: true,
                }
              : { unmanaged: "Claude Code's local scope (~/.claude.json projects): mcp-twin does not manage it" }),
        };
        const occ = occurrence(target, source, entry, value, environments);
        if ("reason" in occ) plan.skipped.push({ file: target.path, server: entry, reason: occ.reason });
        else found.push({ ...occ, value: compared[entry] });
      }
    }
  }

  // One name per distinct secret value (across files and the secrets already stored).
  const withValues = found.flatMap((f) => f.uses.filter((u) => u.value !== undefined)) as Array<
    SecretUse & { value: string }
  >;
  const allocation = allocateSecrets(withValues, stored);
  for (const r of allocation.renamed)
    plan.notes.push(`${r.from} is already used for another value: this one is stored as ${r.to}`);
  for (const f of found) {
    const names = new Map(
      f.uses.filter((u) => u.value !== undefined).map((u) => [u.name, allocation.rename(u.name, u.value!)]),
    );
    f.occurrence.form = renameSecrets(f.occurrence.form, names);
    for (const u of f.uses) if (u.value !== undefined) u.name = names.get(u.name)!;
  }
  const known = (name: string) =>
    own(stored, name) !== undefined || own(allocation.store, name) !== undefined;
  for (const f of found)
    f.occurrence.placeholders = f.uses.filter((u) => u.value === undefined && !known(u.name)).length;

  const folded = fold(
    found.map((f) => f.occurrence),
    environments.map((e) => envInfo(e)),
  );
  for (const s of folded.skipped)
    plan.skipped.push({ file: s.occurrence.source.path, server: s.occurrence.entry, reason: s.reason });

  const foundBy = new Map(found.map((f) => [f.occurrence, f]));
  const servers = loaded.manifest.servers;
  for (const f of folded.servers) {
    const refs = [
      ...new Set([...JSON.stringify(f.server).matchAll(/\$\{secret:([A-Za-z0-9_]+)\}/g)].map((m) => m[1]!)),
    ];
    const uses = f.found.flatMap((p) =>
      foundBy.get(p.occurrence)!.uses.map((u) => ({ u, path: p.occurrence.source.path })),
    );
    const compared = compareWithManifest(servers, f.name, f.server);
    plan.candidates.push({
      name: f.name,
      server: f.server,
      status: compared.status,
      ...(compared.status === "conflict" || compared.status === "same"
        ? { existing: compared.existing }
        : {}),
      ...(compared.status === "duplicate" ? { duplicateOf: compared.duplicateOf } : {}),
      found: f.found.map((p) => ({
        env: p.occurrence.source.env,
        client: p.occurrence.source.client,
        scope: p.occurrence.source.scope,
        path: p.occurrence.source.path,
        entry: p.occurrence.entry,
        runsIn: p.occurrence.runsIn,
        via: p.occurrence.via,
        adopt: p.adopt,
        ...(p.why ? { why: p.why } : {}),
        ...(p.occurrence.source.targetKey ? { targetKey: p.occurrence.source.targetKey } : {}),
        ...(p.occurrence.source.ignoredByApp ? { ignoredByApp: true } : {}),
        hash: entryHash(foundBy.get(p.occurrence)!.value),
      })),
      secrets: refs,
      variables: [
        ...new Set([...JSON.stringify(f.server).matchAll(/\$\{env:([A-Za-z0-9_]+)\}/g)].map((m) => m[1]!)),
      ],
      missing: uniqueBy(
        uses
          .filter(({ u }) => u.value === undefined && refs.includes(u.name) && !known(u.name))
          .map(({ u, path }) => ({ name: u.name, placeholder: u.placeholder ?? "", path, field: u.field })),
        (m) => `${m.name}\u0000${m.path}`,
      ),
      notes: [...new Set([...f.notes, ...f.found.flatMap((p) => p.occurrence.notes)])],
    });
  }

  const values = dict<string>();
  for (const [name, value] of Object.entries(allocation.store)) {
    values[name] = value;
    const from = found.flatMap((f) =>
      f.uses
        .filter((u) => u.name === name && u.value !== undefined)
        .map((u) => ({ path: f.occurrence.source.path, server: f.occurrence.entry, field: u.field })),
    );
    plan.secrets.push({ name, from });
  }
  plan.secretValues = values;
  const handWritten: Record<string, unknown> = {};
  for (const f of found)
    if (f.occurrence.source.targetKey)
      handWritten[handWrittenKey(f.occurrence.source.targetKey, f.occurrence.entry)] = f.value;
  plan.handWritten = handWritten;
  return plan;
}

/** `${secret:OLD}` → `${secret:NEW}` everywhere in a form. */
function renameSecrets(form: Form, names: ReadonlyMap<string, string>): Form {
  if ([...names].every(([a, b]) => a === b)) return form;
  const swap = (s: string) =>
    s.replace(/\$\{secret:([A-Za-z0-9_]+)\}/g, (w, n: string) =>
      names.has(n) ? `\${secret:${names.get(n)}}` : w,
    );
  const map = (m: Record<string, string>) =>
    Object.fromEntries(Object.entries(m).map(([k, v]) => [k, swap(v)]));
  return {
    ...form,
    args: form.args.map(swap),
    env: map(form.env),
    headers: map(form.headers),
    ...(form.url !== undefined ? { url: swap(form.url) } : {}),
  };
}

function uniqueBy<T>(items: T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((t) => {
    const k = key(t);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
