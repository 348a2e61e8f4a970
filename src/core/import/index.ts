/**
 * import: every server already configured in any client of any environment becomes one manifest
 * entry. The same server written three ways (`npx -y pkg` in WSL's Claude Code, `cmd /c npx pkg` in
 * Windows' Claude Desktop, an installed path in Cursor) folds into one entry with its package;
 * inline keys move to the secrets file; the entries found are adopted (recorded in state as
 * mcp-twin's) so the next sync rewrites them into the installed form. What is not understood is
 * reported and left alone. Client configs are never edited here.
 */
import { readFileSync } from "node:fs";
import { detectEnvironments } from "../environments/detect.js";
import type { Environment } from "../environments/types.js";
import { isTwinError } from "../errors.js";
import { readTextOrNull, withLock } from "../files.js";
import type { Machine } from "../machine.js";
import { editManifest, schemaRefFor, withServer } from "../manifest/edit.js";
import { loadManifest } from "../manifest/load.js";
import { type ServerSpec, serverName } from "../manifest/schema.js";
import { loadSecrets, saveSecrets } from "../manifest/secrets.js";
import { canonicalJson, parseConfig, readEntries } from "../merge.js";
import { entryHash, isOurs, loadState, saveState } from "../state.js";
import { discoverTargets } from "../targets.js";
import { type Recognized, recognize } from "./recognize.js";
import { classifyValue, secretNameFor, secretPrefix } from "./values.js";

export interface Occurrence {
  file: string;
  path: string;
  env: string;
  client: string;
  scope: string;
  targetKey: string;
  /** The entry's name in that file. */
  entry: string;
  value: unknown;
  recognized: Exclude<Recognized, { kind: "unknown" }>;
}

export interface ImportCandidate {
  name: string;
  server: ServerSpec;
  occurrences: Occurrence[];
  /** `new`: not in the manifest; `same`: already there as is; `conflict`: the name means something else there. */
  status: "new" | "same" | "conflict";
  notes: string[];
}

export interface ImportPlan {
  manifestFile: string;
  candidates: ImportCandidate[];
  /** Secret values found inline, under the names the manifest refers to. */
  secrets: Record<string, string>;
  skipped: Array<{ file: string; server?: string; reason: string; line?: number; column?: number }>;
}

export interface ImportFilters {
  envs?: readonly string[];
  clients?: readonly string[];
  project?: string | undefined;
}

export async function scanImports(
  machine: Machine,
  manifestFile: string,
  filters: ImportFilters = {},
): Promise<ImportPlan> {
  const { environments } = await detectEnvironments(machine);
  const targets = await discoverTargets(environments, { ...filters, includeAbsent: true });
  const state = await loadState(machine.paths.state);
  const { manifest } = await loadManifest(manifestFile, { cacheDir: machine.paths.cache });
  const plan: ImportPlan = { manifestFile, candidates: [], secrets: {}, skipped: [] };
  const occurrences: Occurrence[] = [];

  for (const target of targets) {
    const text = await readTextOrNull(target.file);
    if (text === null) continue;
    let entries: Record<string, unknown>;
    try {
      entries = readEntries(parseConfig(text, target.file), target.serversPath, target.file);
    } catch (error) {
      if (!isTwinError(error)) throw error;
      plan.skipped.push({
        file: target.path,
        reason: error.message,
        ...(error.location.line ? { line: error.location.line, column: error.location.column } : {}),
      });
      continue;
    }
    for (const [entry, value] of Object.entries(entries)) {
      // Entries mcp-twin wrote are already in the manifest.
      if (isOurs(state.targets[target.key]?.entries[entry], value)) continue;
      const recognized = recognize(value, { packageAt: (dir) => packageAt(dir, environments) });
      if (recognized.kind === "unknown") {
        plan.skipped.push({ file: target.path, server: entry, reason: recognized.reason });
        continue;
      }
      occurrences.push({
        file: target.file,
        path: target.path,
        env: target.env.id,
        client: target.client.id,
        scope: target.scope,
        targetKey: target.key,
        entry,
        value,
        recognized,
      });
    }
  }

  const groups = new Map<string, Occurrence[]>();
  // One server = one launch under one name: the same package under two names (Smithery's runner
  // for 19 different servers, say) stays two servers.
  for (const o of occurrences) {
    const key = `${identity(o.recognized)}\u0000${normalizeName(o.entry)}`;
    groups.set(key, [...(groups.get(key) ?? []), o]);
  }
  const taken = new Set<string>();
  for (const group of groups.values()) {
    const candidate = fold(group, taken, plan);
    const existing = manifest.servers[candidate.name];
    candidate.status = !existing
      ? "new"
      : canonicalJson(existing) === canonicalJson(candidate.server)
        ? "same"
        : "conflict";
    plan.candidates.push(candidate);
  }
  return plan;
}

function identity(r: Occurrence["recognized"]): string {
  if (r.kind === "package") return `package:${r.name}`;
  if (r.kind === "url") return `url:${r.url.replace(/\/+$/, "")}`;
  return `command:${r.command} ${r.args.join(" ")}`;
}

/** A name every client accepts: letters, digits, - and _. */
export function normalizeName(raw: string): string {
  if (serverName.safeParse(raw).success) return raw;
  const clean = raw
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^[-_]+|[-_]+$/g, "")
    .replace(/-{2,}/g, "-")
    .slice(0, 64);
  return clean && serverName.safeParse(clean).success ? clean : `server-${clean || "imported"}`.slice(0, 64);
}

function fold(group: Occurrence[], taken: Set<string>, plan: ImportPlan): ImportCandidate {
  const notes: string[] = [];
  const first = group[0]!;
  let name = normalizeName(first.entry);
  if (name !== first.entry)
    notes.push(`"${first.entry}" is named ${name}: clients accept letters, digits, - and _ only`);
  for (let n = 2; taken.has(name); n++) name = `${normalizeName(first.entry)}-${n}`;
  taken.add(name);
  const otherNames = [...new Set(group.map((o) => o.entry))].filter((e) => e !== first.entry);
  if (otherNames.length > 0) notes.push(`also found as ${otherNames.join(", ")}`);

  const values = (map: Record<string, string>, kind: "env" | "headers") => {
    const out: Record<string, string> = {};
    for (const [key, raw] of Object.entries(map)) {
      const c = classifyValue(key, raw);
      if (c.kind === "placeholder") {
        plan.skipped.push({
          file: first.path,
          server: first.entry,
          reason: `${kind}.${key} holds a placeholder, not a real value: set it with \`mcp-twin secret set\``,
        });
        continue;
      }
      if (c.kind === "reference") out[key] = c.text;
      else if (c.kind === "plain") out[key] = raw;
      else {
        let secret = secretNameFor(name, key);
        for (let n = 2; plan.secrets[secret] !== undefined && plan.secrets[secret] !== c.secret; n++)
          secret = `${secretNameFor(name, key)}_${n}`;
        if (secret !== secretNameFor(name, key))
          notes.push(`${key} has different values in different configs: the second is ${secret}`);
        plan.secrets[secret] = c.secret;
        out[key] = `${c.prefix}\${secret:${secret}}`;
      }
    }
    return out;
  };

  // Keys passed on the command line (`--api-key X`): moved to the secrets file like env values.
  const argValues = (args: string[]) => {
    const dropped = new Set<number>();
    const out = args.map((arg, i) => {
      const flag = /^--?([A-Za-z][\w-]*)=(.*)$/.exec(arg);
      const key = flag ? flag[1]! : /^--?([A-Za-z][\w-]*)$/.exec(args[i - 1] ?? "")?.[1];
      const value = flag ? flag[2]! : arg;
      if (!key || !/(key|token|secret|password|pat)$/i.test(key) || value.startsWith("-")) return arg;
      const envKey = key.replace(/-/g, "_").toUpperCase();
      const c = classifyValue(envKey, value);
      if (c.kind === "placeholder") {
        plan.skipped.push({
          file: first.path,
          server: first.entry,
          reason: `argument ${flag ? `--${key}=` : `after --${key}`} holds a placeholder ("${value}"), not a real value: left out`,
        });
        dropped.add(i);
        if (!flag) dropped.add(i - 1);
        return arg;
      }
      if (c.kind !== "secret") return arg;
      const secret = `${secretPrefix(name)}_${envKey}`;
      plan.secrets[secret] = c.secret;
      notes.push(`the value of --${key} moved to the secrets file as ${secret}`);
      return flag ? `--${key}=\${secret:${secret}}` : `\${secret:${secret}}`;
    });
    return out.filter((_, i) => !dropped.has(i));
  };

  const r = first.recognized;
  let server: ServerSpec;
  if (r.kind === "url") {
    const headers = Object.assign(
      {},
      ...group.map((o) => values((o.recognized as typeof r).headers, "headers")),
    ) as Record<string, string>;
    server = { url: r.url, ...(Object.keys(headers).length > 0 ? { headers } : {}) };
  } else {
    const env = Object.assign(
      {},
      ...group.map((o) => values((o.recognized as Exclude<typeof r, { kind: "url" }>).env, "env")),
    ) as Record<string, string>;
    const argsOf = (o: Occurrence) => (o.recognized as Exclude<typeof r, { kind: "url" }>).args;
    const base =
      r.kind === "package"
        ? { package: r.range ? `${r.name}@${r.range}` : r.name, ...(r.bin ? { bin: r.bin } : {}) }
        : { command: r.command };
    const args = argValues(r.args);
    server = {
      ...base,
      ...(args.length > 0 ? { args } : {}),
      ...(Object.keys(env).length > 0 ? { env } : {}),
    };
    // Arguments that differ per environment (folders, mostly) become overrides.
    const overrides: Record<string, { args: string[] }> = {};
    for (const o of group.slice(1)) {
      const where = runsIn(o);
      if (canonicalJson(argsOf(o)) !== canonicalJson(r.args) && where !== runsIn(first))
        overrides[where] = { args: argsOf(o) };
    }
    if (Object.keys(overrides).length > 0) server.overrides = overrides;
    if (r.kind === "command") server.environments = [...new Set(group.map(runsIn))];
  }
  return { name, server, occurrences: group, status: "new", notes };
}

/** The environment an occurrence's server really runs in (a `wsl.exe …` entry runs in WSL). */
function runsIn(o: Occurrence): string {
  const r = o.recognized;
  if (r.kind !== "url" && r.wsl) return r.wsl === "default" ? "wsl" : `wsl:${r.wsl}`;
  return o.env;
}

function packageAt(
  dir: string,
  environments: readonly Environment[],
): { name: string; version?: string } | undefined {
  const windowsStyle = /^[A-Za-z]:\\/.test(dir);
  for (const env of environments) {
    if (windowsStyle !== (env.kind === "windows")) continue;
    const file = env.access(`${dir}${windowsStyle ? "\\" : "/"}package.json`);
    if (!file) continue;
    try {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name) return { name: pkg.name, ...(pkg.version ? { version: pkg.version } : {}) };
    } catch {
      // not there
    }
  }
  return undefined;
}

export interface ImportResult {
  added: string[];
  adopted: Array<{ path: string; client: string; env: string; name: string }>;
  secrets: string[];
  before: string | null;
  after: string | null;
}

/**
 * Write the chosen candidates (all `new` ones, and `conflict` ones with `force`), store their
 * secrets and adopt the entries found under the same name.
 */
export async function applyImport(
  machine: Machine,
  plan: ImportPlan,
  options: { select?: ReadonlySet<string>; force?: boolean; dryRun?: boolean } = {},
): Promise<ImportResult> {
  const chosen = plan.candidates.filter(
    (c) => (!options.select || options.select.has(c.name)) && (c.status !== "conflict" || options.force),
  );
  const writes = chosen.filter((c) => c.status !== "same");
  const schemaRef = schemaRefFor(plan.manifestFile, machine);
  const edit = await editManifest(
    machine,
    plan.manifestFile,
    (current) =>
      writes.length === 0
        ? null
        : writes.reduce(
            (text: string | null, c) => withServer(text, plan.manifestFile, c.name, c.server, schemaRef),
            current,
          ),
    { dryRun: Boolean(options.dryRun) },
  );
  const used = new Set(
    chosen.flatMap((c) =>
      [...JSON.stringify(c.server).matchAll(/\$\{secret:([A-Za-z0-9_]+)\}/g)].map((m) => m[1]!),
    ),
  );
  const secrets = Object.fromEntries(Object.entries(plan.secrets).filter(([k]) => used.has(k)));
  const adopted = chosen.flatMap((c) =>
    c.occurrences.filter((o) => o.entry === c.name).map((o) => ({ o, name: c.name })),
  );
  if (!options.dryRun) {
    await withLock(machine.home.dir, async () => {
      if (Object.keys(secrets).length > 0)
        await saveSecrets(machine.paths.secrets, {
          ...(await loadSecrets(machine.paths.secrets)),
          ...secrets,
        });
      if (adopted.length === 0) return;
      const state = await loadState(machine.paths.state);
      for (const { o, name } of adopted) {
        state.targets[o.targetKey] ??= {
          env: o.env,
          client: o.client,
          scope: o.scope,
          path: o.path,
          entries: {},
        };
        const rec = state.targets[o.targetKey]!;
        rec.entries[name] = { hash: entryHash(o.value) };
      }
      await saveState(machine.paths.state, state);
    });
  }
  return {
    added: writes.map((c) => c.name),
    adopted: adopted.map(({ o, name }) => ({ path: o.path, client: o.client, env: o.env, name })),
    secrets: Object.keys(secrets),
    before: edit.before,
    after: edit.after,
  };
}
