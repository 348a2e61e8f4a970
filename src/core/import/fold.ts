/** Folding (pure): the same server found in several places becomes one manifest entry. */

import { envMatches } from "../environments/env-selector.js";
import { type EnvInfo, translateArgs } from "../environments/path-translation.js";
import { programName } from "../environments/program.js";
import { reservedNameWhy, unreservedName } from "../manifest/reserved-names.js";
import type { ServerOverride, ServerSpec } from "../manifest/schema.js";
import { dict, own } from "../plain-records.js";
import { canonicalJson } from "../text/canonical-json.js";
import type { Form } from "./inline-keys.js";

export interface Source {
  env: string;
  client: string;
  scope: "user" | "project" | "local";
  /** Native path of the config file. */
  path: string;
  /** The target's state key; absent where mcp-twin does not manage entries (`unmanaged` says why). */
  targetKey?: string;
  /** Why entries here are not adopted, where mcp-twin does not manage them. */
  unmanaged?: string;
  /** The app does not read this file (the classic Claude Desktop file beside a Store build). */
  ignoredByApp?: boolean;
}

export interface Occurrence {
  source: Source;
  /** The entry's name in its file. */
  entry: string;
  /** The name every client accepts (normalizeServerName). */
  name: string;
  /** Environment id (or selector) where it runs. */
  runsIn: string;
  via: string;
  form: Form;
  extraKeys: string[];
  /** Secret references with no value (placeholders). */
  placeholders: number;
  notes: string[];
}

interface Placement {
  occurrence: Occurrence;
  adopt: boolean;
  why?: string;
}

export interface FoldedServer {
  name: string;
  server: ServerSpec;
  found: Placement[];
  notes: string[];
}

export interface FoldResult {
  servers: FoldedServer[];
  skipped: Array<{ occurrence: Occurrence; reason: string }>;
}

const VALID_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/**
 * A name every client accepts and no one else holds: letters, digits, `-`, `_` ("Educhain Server"
 * → "educhain-server"), and never a reserved one (the bridge's entry, Claude Code's own names:
 * "mcp-twin" → "mcp-twin-server").
 */
export function normalizeServerName(raw: string): string {
  return unreservedName(clientSafeName(raw)).name;
}

function clientSafeName(raw: string): string {
  let name = raw;
  if (!VALID_NAME.test(name)) {
    name = raw
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, "-")
      .replace(/-{2,}/g, "-")
      .replace(/^[-_]+/, "")
      .slice(0, 64)
      .replace(/[-_]+$/, "");
    if (!name) name = "server";
  }
  return name;
}

/**
 * - Same name, same package (or program, or URL): one entry. Where it runs decides overrides:
 *   args or env that differ between environments go in `overrides.<env>`; folder arguments of a
 *   package found on one side only are translated for the other (`C:\Users\a\docs` →
 *   `/mnt/c/Users/a/docs` for WSL), so it works on both.
 * - Two different launches in one environment (Claude Desktop and Cursor on Windows with different
 *   folders) cannot both fit: the most complete one wins, the other is reported and not adopted.
 * - Same name, different server: the one found most keeps the name; the others are reported.
 * - Different names, identical entry: one server, under the name found most.
 * - Programs that are not npm packages run only where they were found (`environments`).
 *
 * Each place an entry was found is adopted only when the manifest entry describes exactly it,
 * under its own name.
 */
export function fold(occurrences: readonly Occurrence[], envs: readonly EnvInfo[]): FoldResult {
  const result: FoldResult = { servers: [], skipped: [] };
  for (const [name, list] of groupBy(occurrences, (o) => o.name)) {
    const groups = [...groupBy(list, (o) => identity(o.form)).values()];
    const winner = groups.reduce((best, g) => (g.length > best.length ? g : best));
    // Every group holds an occurrence: the winner's first says what is imported.
    const [imported] = winner;
    if (!imported) continue;
    for (const g of groups) {
      if (g === winner) continue;
      for (const o of g)
        result.skipped.push({
          occurrence: o,
          reason: `another server is imported as "${name}" (${describe(imported.form)}); this one (${describe(o.form)}) is left as it is`,
        });
    }
    result.servers.push(build(name, winner, envs));
  }
  mergeIdentical(result.servers);
  return result;
}

function identity(form: Form): string {
  if (form.kind === "package") return `package:${form.package}#${form.bin ?? ""}`;
  if (form.kind === "url") return `url:${form.transport ?? "http"}:${(form.url ?? "").replace(/\/+$/, "")}`;
  return `command:${programName(form.command ?? "")}`;
}

function describe(form: Form): string {
  if (form.kind === "package") return `npm package ${form.package}${form.bin ? ` (bin ${form.bin})` : ""}`;
  if (form.kind === "url") return form.url ?? "";
  return `${form.command}${form.args.length > 0 ? ` ${form.args.join(" ")}` : ""}`;
}

/** What launches, without the version: equal keys mean one entry describes both. */
function launchKey(form: Form): string {
  const { command, url, bin, args, env, headers } = form;
  return canonicalJson({ command, url, bin, args, env, headers });
}

/**
 * Where one side holds a key inline (now `${secret:N}`) and another refers to the variable
 * (`${env:N}`), both read the secret: `${secret:N}` falls back to the environment variable anyway.
 */
function unifyReferences(occurrences: Occurrence[], notes: string[]): void {
  const secrets = new Set(
    occurrences.flatMap((o) =>
      [...JSON.stringify(o.form).matchAll(/\$\{secret:([A-Za-z0-9_]+)\}/g)].map((m) => m[1] ?? ""),
    ),
  );
  if (secrets.size === 0) return;
  const swap = (text: string) =>
    text.replace(/\$\{env:([A-Za-z0-9_]+)\}/g, (whole, n: string) =>
      secrets.has(n) ? `\${secret:${n}}` : whole,
    );
  const map = (m: Record<string, string>) =>
    Object.fromEntries(Object.entries(m).map(([k, v]) => [k, swap(v)]));
  for (const o of occurrences) {
    const before = JSON.stringify(o.form);
    o.form = { ...o.form, args: o.form.args.map(swap), env: map(o.form.env), headers: map(o.form.headers) };
    if (JSON.stringify(o.form) !== before)
      notes.push(
        `\${env:…} references in ${o.source.path} now read the stored secret of the same name (which falls back to the variable)`,
      );
  }
}

function build(name: string, occurrences: Occurrence[], envs: readonly EnvInfo[]): FoldedServer {
  const notes: string[] = [];
  unifyReferences(occurrences, notes);
  const found: Placement[] = [];
  const perEnv: Array<{ env: string; form: Form }> = [];
  for (const [env, list] of groupBy(occurrences, (o) => o.runsIn)) {
    const [best] = [...list].sort(
      (a, b) =>
        a.placeholders - b.placeholders || Object.keys(b.form.env).length - Object.keys(a.form.env).length,
    );
    if (!best) continue;
    perEnv.push({ env, form: best.form });
    for (const o of list) {
      const differs = launchKey(o.form) !== launchKey(best.form);
      found.push(
        placement(
          o,
          name,
          differs
            ? `differs from the entry in ${best.source.path} (${difference(o.form, best.form)}); only one launch per environment fits in the manifest`
            : undefined,
        ),
      );
    }
  }
  const counts = new Map<string, number>();
  for (const p of perEnv) counts.set(launchKey(p.form), (counts.get(launchKey(p.form)) ?? 0) + 1);
  const top = Math.max(...counts.values());
  // The highest count is some launch's.
  const base = perEnv.find((p) => counts.get(launchKey(p.form)) === top);
  if (!base) throw new Error("no launch was found for an imported server");
  const form = base.form;

  const server: ServerSpec = {};
  if (form.kind === "package") {
    const range = chooseRange(occurrences, notes);
    server.package = range ? `${form.package}@${range}` : (form.package ?? "");
    if (form.bin) server.bin = form.bin;
  } else if (form.kind === "command") server.command = form.command ?? "";
  else server.url = form.url ?? "";
  if (form.transport) server.transport = form.transport;
  if (form.args.length > 0) server.args = form.args;
  if (Object.keys(form.env).length > 0) server.env = form.env;
  if (Object.keys(form.headers).length > 0) server.headers = form.headers;
  if (form.kind === "command") server.environments = perEnv.map((p) => p.env);

  const overrides: Record<string, ServerOverride> = {};
  for (const p of perEnv) {
    if (p === base) continue;
    const o = overrideBetween(form, p.form);
    if (Object.keys(o).length > 0) overrides[p.env] = o;
  }
  if (form.kind === "package" && form.args.length > 0) {
    const from = envs.find((e) => envMatches(base.env, e.id));
    for (const e of envs) {
      if (!from || perEnv.some((p) => envMatches(p.env, e.id))) continue;
      const args = translateArgs(form.args, from, e);
      if (args && canonicalJson(args) !== canonicalJson(form.args)) {
        overrides[e.id] = { args };
        notes.push(`paths in args translated for ${e.id} (found only in ${base.env})`);
      }
    }
  }
  if (Object.keys(overrides).length > 0) server.overrides = overrides;
  return { name, server, found, notes };
}

function placement(o: Occurrence, name: string, differs: string | undefined): Placement {
  const why =
    differs ??
    (o.entry !== name
      ? `named "${o.entry}" there, ${nameWhy(o.entry)}: imported as "${name}", the old entry stays as it is`
      : o.extraKeys.length > 0
        ? `has ${o.extraKeys.map((k) => `"${k}"`).join(", ")}, which a rewrite by sync would drop: left as it is`
        : o.source.targetKey === undefined
          ? (o.source.unmanaged ?? "mcp-twin does not manage this file")
          : undefined);
  return why ? { occurrence: o, adopt: false, why } : { occurrence: o, adopt: true };
}

/** Why an entry could not keep its name. */
function nameWhy(entry: string): string {
  const safe = clientSafeName(entry);
  const reserved = reservedNameWhy(safe);
  if (!reserved) return "which not every client accepts";
  return safe === entry ? `which ${reserved}` : `and "${safe}" ${reserved}`;
}

function difference(a: Form, b: Form): string {
  const fields: string[] = [];
  if (a.command !== b.command) fields.push("command");
  if (canonicalJson(a.args) !== canonicalJson(b.args)) fields.push("args");
  for (const key of new Set([...Object.keys(a.env), ...Object.keys(b.env)]))
    if (own(a.env, key) !== own(b.env, key)) fields.push(`env.${key}`);
  for (const key of new Set([...Object.keys(a.headers), ...Object.keys(b.headers)]))
    if (own(a.headers, key) !== own(b.headers, key)) fields.push(`headers.${key}`);
  return fields.join(", ") || "bin";
}

function overrideBetween(base: Form, other: Form): ServerOverride {
  const o: ServerOverride = {};
  if (other.command !== base.command && other.command !== undefined) o.command = other.command;
  if (canonicalJson(other.args) !== canonicalJson(base.args)) o.args = other.args;
  const env = dict(Object.entries(other.env).filter(([k, v]) => own(base.env, k) !== v));
  if (Object.keys(env).length > 0) o.env = env;
  const headers = dict(Object.entries(other.headers).filter(([k, v]) => own(base.headers, k) !== v));
  if (Object.keys(headers).length > 0) o.headers = headers;
  return o;
}

const EXACT = /^v?(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?$/;

function chooseRange(occurrences: readonly Occurrence[], notes: string[]): string {
  const ranges = [...new Set(occurrences.map((o) => o.form.range ?? ""))];
  const exact = ranges.filter((r) => EXACT.test(r)).sort(compareVersions);
  const chosen = exact[exact.length - 1] ?? ranges.find((r) => r !== "") ?? "";
  if (ranges.length > 1)
    notes.push(
      `versions differ (${ranges.map((r) => r || "unpinned").join(", ")}): kept ${chosen || "unpinned"}`,
    );
  return chosen;
}

function compareVersions(a: string, b: string): number {
  // Both exact versions (chooseRange compares only those).
  const pa = EXACT.exec(a) ?? [];
  const pb = EXACT.exec(b) ?? [];
  for (let i = 1; i <= 3; i++) {
    const d = Number(pa[i]) - Number(pb[i]);
    if (d !== 0) return d;
  }
  return pa[4] === pb[4] ? 0 : pa[4] === undefined ? 1 : pb[4] === undefined ? -1 : pa[4] < pb[4] ? -1 : 1;
}

/** Identical entries under different names are one server, named as it was found most. */
function mergeIdentical(servers: FoldedServer[]): void {
  for (let i = 0; i < servers.length; i++) {
    for (let j = i + 1; j < servers.length; j++) {
      const a = servers[i];
      const b = servers[j];
      if (!a || !b || canonicalJson(a.server) !== canonicalJson(b.server)) continue;
      const [keep, drop] = b.found.length > a.found.length ? [b, a] : [a, b];
      for (const p of drop.found)
        keep.found.push({
          occurrence: p.occurrence,
          adopt: false,
          why: `the same server as "${keep.name}": kept under its own name "${p.occurrence.entry}" there`,
        });
      keep.notes.push(`also found as "${drop.name}"`);
      servers[i] = keep;
      servers.splice(j, 1);
      j--;
    }
  }
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}
