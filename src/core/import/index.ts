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
import { readFileSync } from "node:fs";
import path from "node:path";
import { getNodeValue } from "jsonc-parser";
import type { Target } from "../clients/types.js";
import { projectKey } from "../doctor/read-configs.js";
import { detectEnvironments } from "../environments/detect.js";
import type { Environment } from "../environments/types.js";
import { envMatches, joinNative } from "../environments/types.js";
import { isTwinError, UsageError } from "../errors.js";
import { readTextOrNull } from "../files.js";
import type { Machine } from "../machine.js";
import { loadManifest, locateManifest } from "../manifest/load.js";
import type { ServerSpec } from "../manifest/schema.js";
import { loadSecrets } from "../manifest/secrets.js";
import { findNode, parseConfig, readEntries } from "../merge.js";
import type { Progress } from "../progress.js";
import { entryHash, isOurs, loadState } from "../state.js";
import { discoverTargets } from "../targets.js";
import { compareWithManifest } from "./compare.js";
import { type EnvInfo, fold, normalizeServerName, type Occurrence, type Source } from "./fold.js";
import { type PackageJson, type RunsIn, recognizeEntry } from "./recognize.js";
import { allocateSecrets, extractSecrets, type Form, type SecretUse } from "./secrets.js";

export { applyImport, type ImportResult, type ImportSelection } from "./apply.js";

export interface ImportFilters {
  /** --env selectors; empty: every environment. */
  envs?: readonly string[];
  /** --client ids; empty: every client. */
  clients?: readonly string[];
  /** --project DIR: also its project files (.mcp.json, …) and Claude Code's local scope for it. */
  project?: string | undefined;
  /** --manifest; default: ./mcp-twin.jsonc when present, else the home's. */
  manifest?: string | undefined;
}

export interface FoundAt {
  env: string;
  client: string;
  scope: "user" | "project" | "local";
  path: string;
  /** The entry's name in that file. */
  entry: string;
  /** Where it runs (a WSL distro for `wsl.exe …` entries of Windows clients). */
  runsIn: string;
  /** How it was launched, e.g. "cmd /c npx", "wsl npx", "node <installed script>". */
  via: string;
  /** Recorded as mcp-twin's when imported (else `why`). */
  adopt: boolean;
  why?: string;
  /** State key of that config (for adoption). */
  targetKey?: string;
  /** Hash of the entry as it is in the file: what adoption records in state. */
  hash: string;
}

export interface MissingSecret {
  name: string;
  /** What the file held instead of a value (safe to show). */
  placeholder: string;
  path: string;
  field: string;
}

export interface ImportCandidate {
  name: string;
  server: ServerSpec;
  /**
   * new: not in the manifest · same: already there (the same launch, whatever version it pins) ·
   * conflict: the name holds another definition (replaced only with force) · duplicate: the
   * manifest has it under another name.
   */
  status: "new" | "same" | "conflict" | "duplicate";
  existing?: ServerSpec;
  duplicateOf?: string;
  found: FoundAt[];
  /** Secret names the entry refers to. */
  secrets: string[];
  /** Environment variables it refers to (`${env:NAME}`): they must be set wherever sync runs. */
  variables: string[];
  /** Placeholders found where a key belongs, with no value stored: `mcp-twin secret set NAME`. */
  missing: MissingSecret[];
  notes: string[];
}

export interface Skipped {
  file: string;
  server?: string;
  reason: string;
  line?: number;
  column?: number;
}

export interface ImportPlan {
  manifestFile: string;
  manifestExists: boolean;
  candidates: ImportCandidate[];
  /** Secrets to store (names and where they were found). */
  secrets: Array<{ name: string; from: Array<{ path: string; server: string; field: string }> }>;
  /** Their values: store them, mask them in anything shown, never print them. */
  secretValues: Readonly<Record<string, string>>;
  /** Entries not understood, config files that do not parse, names already taken. */
  skipped: Skipped[];
  /** Entries mcp-twin wrote itself (already in the manifest). */
  managed: Array<{ path: string; server: string }>;
  /** Config files read, and how many entries each holds. */
  files: Array<{ env: string; client: string; scope: string; path: string; entries: number }>;
  notes: string[];
}

export async function scanImports(
  machine: Machine,
  filters: ImportFilters = {},
  progress?: Progress,
): Promise<ImportPlan> {
  const manifestFile = locateManifest({
    manifest: filters.manifest,
    cwd: machine.host.cwd,
    homeManifest: machine.paths.manifest,
  });
  const [loaded, stored, state] = await Promise.all([
    loadManifest(manifestFile, { cacheDir: machine.paths.cache }),
    loadSecrets(machine.paths.secrets),
    loadState(machine.paths.state),
  ]);
  const step = progress?.step("Reading every client config");
  const { environments } = await detectEnvironments(machine);
  const selected = environments.filter(
    (e) => !filters.envs?.length || filters.envs.some((s) => envMatches(s, e.id)),
  );
  const clients = filters.clients ?? [];
  const targets = await discoverTargets(selected, { clients, includeAbsent: true });
  if (filters.project)
    targets.push(
      ...(await discoverTargets(environments, { clients, project: filters.project, includeAbsent: true })),
    );
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
      plan.files.push({
        env: target.env.id,
        client: target.client.id,
        scope: set.scope,
        path: target.path,
        entries: Object.keys(set.entries).length,
      });
      for (const [entry, value] of Object.entries(set.entries)) {
        if (set.scope !== "local" && isOurs(state.targets[target.key]?.entries[entry], value)) {
          plan.managed.push({ path: target.path, server: entry });
          continue;
        }
        const source: Source = {
          env: target.env.id,
          client: target.client.id,
          scope: set.scope,
          path: target.path,
          ...(set.scope === "local" ? {} : { targetKey: target.key }),
        };
        const occ = occurrence(target, source, entry, value, environments);
        if ("reason" in occ) plan.skipped.push({ file: target.path, server: entry, reason: occ.reason });
        else found.push({ ...occ, value });
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
  const known = (name: string) => stored[name] !== undefined || allocation.store[name] !== undefined;
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

  const values: Record<string, string> = {};
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
  return plan;
}

interface EntrySet {
  scope: "user" | "project" | "local";
  entries: Record<string, unknown>;
}

/** A config's entries (and Claude Code's local scope for the project); a file that does not parse is skipped. */
async function readTarget(
  target: Target,
  project: string | undefined,
  plan: ImportPlan,
): Promise<EntrySet[]> {
  let text: string | null;
  try {
    text = await readTextOrNull(target.file);
  } catch (error) {
    plan.skipped.push({ file: target.path, reason: `cannot be read: ${(error as Error).message}` });
    return [];
  }
  if (text === null) return [];
  try {
    const parsed = parseConfig(text, target.path);
    const sets: EntrySet[] = [
      { scope: target.scope, entries: readEntries(parsed, target.serversPath, target.path) },
    ];
    if (project && target.client.id === "claude-code" && target.scope === "user" && target.env.local) {
      const projects = findNode(parsed.root, ["projects"]);
      const key = projects
        ? projectKey(getNodeValue(projects), project, target.env.style === "win32")
        : undefined;
      if (key !== undefined)
        sets.push({
          scope: "local",
          entries: readEntries(parsed, ["projects", key, "mcpServers"], target.path),
        });
    }
    return sets;
  } catch (error) {
    if (!isTwinError(error)) throw error;
    plan.skipped.push({
      file: target.path,
      reason: error.message,
      ...(error.location.line !== undefined
        ? { line: error.location.line, column: error.location.column ?? 1 }
        : {}),
    });
    return [];
  }
}

function occurrence(
  target: Target,
  source: Source,
  entry: string,
  value: unknown,
  environments: readonly Environment[],
): { occurrence: Occurrence; uses: SecretUse[] } | { reason: string } {
  const recognized = recognizeEntry(value, {
    client: target.client.id,
    envKind: target.env.kind,
    readPackageJson: (dir, runsIn) => readPackageJson(envFor(runsIn, target.env, environments), dir),
  });
  if (recognized.kind === "unknown") return { reason: recognized.reason };
  const name = normalizeServerName(entry);
  const extracted = extractSecrets(recognized, name, target.client.id);
  if ("problem" in extracted) return { reason: extracted.problem };
  const runsIn =
    recognized.kind === "url" ? target.env.id : runsInId(recognized.runsIn, target.env, environments);
  return {
    occurrence: {
      source,
      entry,
      name,
      runsIn,
      via: recognized.via,
      form: extracted.form,
      extraKeys: recognized.extraKeys,
      placeholders: 0,
      notes: [
        ...extracted.notes,
        ...extracted.empty.map((f) => `${f} is empty in ${target.path}: kept empty (not a secret to store)`),
      ],
    },
    uses: extracted.secrets,
  };
}

function runsInId(runsIn: RunsIn, here: Environment, environments: readonly Environment[]): string {
  if (runsIn.where === "here") return here.id;
  const distros = environments.filter((e) => e.kind === "wsl");
  if (runsIn.distro) {
    const match = distros.find((e) => e.distro?.toLowerCase() === runsIn.distro!.toLowerCase());
    return match?.id ?? `wsl:${runsIn.distro}`;
  }
  return distros.length === 1 ? distros[0]!.id : "wsl";
}

function envFor(
  runsIn: RunsIn,
  here: Environment,
  environments: readonly Environment[],
): Environment | undefined {
  if (runsIn.where === "here") return here;
  const id = runsInId(runsIn, here, environments);
  return environments.find((e) => e.id === id) ?? environments.find((e) => e.kind === "wsl");
}

function readPackageJson(env: Environment | undefined, dir: string): PackageJson | undefined {
  if (!env) return undefined;
  const file = env.access(joinNative(env.kind === "windows" ? "windows" : "linux", dir, "package.json"));
  if (!file) return undefined;
  try {
    const data = JSON.parse(readFileSync(file, "utf8")) as unknown;
    return data && typeof data === "object" ? (data as PackageJson) : undefined;
  } catch {
    return undefined;
  }
}

function envInfo(e: Environment): EnvInfo {
  return {
    id: e.id,
    kind: e.kind,
    ...(e.distro ? { distro: e.distro } : {}),
    ...(e.vars.WSL_MOUNT_ROOT ? { mountRoot: e.vars.WSL_MOUNT_ROOT } : {}),
  };
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

/** --env values must name environments. */
export function assertEnvFilters(envs: readonly string[]): void {
  for (const e of envs)
    if (!/^(windows|wsl|wsl:[^\s:/\\]+|macos|linux)$/.test(e))
      throw new UsageError(
        "bad-env",
        `--env ${e}: not an environment (windows, wsl, wsl:<distro>, macos, linux).`,
      );
}
