/**
 * What `mcp-twin import` shows: the servers imported, their keys and what was skipped; or, with
 * `--json`, the same as one document.
 */

import { placeLines, resolutionText } from "../../core/import/clashes.js";
import type { ImportCandidate, ImportPlan, ImportResult } from "../../core/import/index.js";
import { untrusted } from "../../core/text/control-chars.js";
import { andList } from "../../core/text/prose-lists.js";
import { unifiedDiff } from "../diff.js";
import type { Output } from "../output.js";

/** The `import --json` document. */
export function importJson(plan: ImportPlan, result: ImportResult, dryRun: boolean) {
  const byName = new Map(plan.candidates.map((c) => [c.name, c]));
  return {
    manifest: result.manifestFile,
    dryRun,
    servers: result.servers.map((s) => {
      const c = candidateOf(byName, s.name);
      return {
        name: s.name,
        action: s.action,
        server: s.server,
        found: c.found.map((f) => ({
          env: f.env,
          client: f.client,
          scope: f.scope,
          path: f.path,
          entry: f.entry,
          runsIn: f.runsIn,
          via: f.via,
          adopted: f.adopt,
          ...(f.why ? { why: f.why } : {}),
          ...(f.ignoredByApp ? { ignoredByApp: true } : {}),
        })),
        ...(c.notes.length > 0 ? { notes: c.notes } : {}),
      };
    }),
    secrets: result.secrets,
    secretClashes: plan.clashes.map((c) => ({
      name: c.name,
      servers: c.servers,
      needsChoice: c.needsChoice,
      resolution: c.resolution ?? null,
      values: c.values,
    })),
    missingSecrets: missing(plan, result),
    envReferences: variables(plan, result),
    adopted: result.adopted,
    files: plan.files,
    ...(plan.plugins.length > 0 ? { plugins: plan.plugins } : {}),
    skipped: [...plan.skipped, ...result.skipped],
    ...(plan.notes.length > 0 ? { notes: plan.notes } : {}),
  };
}

function variables(plan: ImportPlan, result: ImportResult): string[] {
  const imported = new Set(result.servers.map((s) => s.name));
  return [...new Set(plan.candidates.filter((c) => imported.has(c.name)).flatMap((c) => c.variables))].sort();
}

function missing(plan: ImportPlan, result: ImportResult) {
  const imported = new Set(result.servers.map((s) => s.name));
  return plan.candidates
    .filter((c) => imported.has(c.name))
    .flatMap((c) => c.missing.map((m) => ({ server: c.name, ...m })));
}

export async function renderImport(
  plan: ImportPlan,
  result: ImportResult,
  out: Output,
  dryRun: boolean,
  secretsFile: string,
): Promise<void> {
  const { c, ok, warn, fail, skip, bullet } = out.theme;
  // ✔ is for what was done: a dry run's items are planned, so they carry the bullet.
  const done = dryRun ? bullet : ok;
  const shown = out.shown;
  const files = plan.files.length;
  const fileName = (f: ImportPlan["files"][number]) =>
    `${f.env} ${f.client}${f.scope === "user" ? "" : ` (${f.scope})`}${f.ignoredByApp ? ` (${f.note ?? "a file the app ignores"})` : ""}`;
  // A client of two files (Devin's settings and servers) is named once, with its count: the total adds up.
  const perName = new Map<string, number>();
  for (const f of plan.files) perName.set(fileName(f), (perName.get(fileName(f)) ?? 0) + 1);
  const names = [...perName].map(([name, n]) => (n === 1 ? name : `${name} (${n} files)`));
  out.print(
    `Read ${files} client config${files === 1 ? "" : "s"}${files > 0 ? `: ${names.join(", ")}` : ""}.`,
  );
  // Said at the end instead when it is why nothing was imported.
  const nothing = !dryRun && !result.written && result.adopted.length === 0;
  if (plan.managed.length > 0 && !nothing)
    out.print(
      c.dim(
        `${plan.managed.length} entr${plan.managed.length === 1 ? "y was" : "ies were"} written by mcp-twin already.`,
      ),
    );
  printPlugins(plan, out);
  const byName = new Map(plan.candidates.map((x) => [x.name, x]));
  if (result.servers.length > 0) out.print(c.bold(dryRun ? "Servers to import (dry run)" : "Servers"));
  for (const s of result.servers) {
    const cand = candidateOf(byName, s.name);
    // Client configs are others' files: their names, commands and URLs are shown escaped.
    const what = untrusted(
      s.server.package
        ? `npm ${s.server.package}`
        : s.server.url
          ? s.server.url
          : `command ${s.server.command}`,
    );
    const action = dryRun && s.action !== "unchanged" ? `would be ${s.action}` : s.action;
    out.print(`  ${s.action === "unchanged" ? skip : done} ${c.bold(s.name)}  ${what}  ${c.dim(action)}`);
    for (const f of cand.found)
      out.print(
        c.dim(
          `      ${f.env} ${f.client}${f.scope === "user" ? "" : ` (${f.scope})`} "${untrusted(f.entry)}" in ${shown(f.path)} via ${untrusted(f.via)}: `,
        ) +
          (f.adopt ? "adopted" : `${f.ignoredByApp ? "" : `${warn} `}not adopted: ${untrusted(f.why ?? "")}`),
      );
    for (const n of cand.notes) out.print(c.dim(`      note: ${untrusted(n)}`));
  }
  if (plan.clashes.length > 0) {
    out.print(c.bold("Keys with different values in different places (values never shown)"));
    for (const clash of plan.clashes) {
      out.print(`  ${warn} ${c.bold(clash.name)} (${clash.servers.join(", ")}): ${resolutionText(clash)}`);
      for (const line of clash.values.flatMap(placeLines)) out.print(c.dim(`      ${line}`));
    }
  }
  if (result.secrets.length > 0)
    out.print(
      `${done} Secrets ${dryRun ? "to store" : "stored"} in ${shown(secretsFile)}: ${result.secrets.join(", ")}`,
    );
  for (const m of missing(plan, result))
    out.print(
      `${warn} ${m.server}: ${m.name} needs a value (${untrusted(m.field)} in ${shown(m.path)} is a placeholder, "${untrusted(m.placeholder)}"): run \`mcp-twin secret set ${m.name}\` before sync`,
    );
  const vars = variables(plan, result);
  if (vars.length > 0)
    out.print(
      `${warn} ${vars.join(", ")}: \${env:…} references, read from the environment \`mcp-twin sync\` runs in (or store one with \`mcp-twin secret set NAME\` and write \${secret:NAME} instead)`,
    );
  for (const n of plan.notes) out.print(`${warn} ${untrusted(n)}`);
  const skipped = [...plan.skipped, ...result.skipped];
  if (skipped.length > 0) {
    out.print(c.bold("Not imported (left as they are)"));
    for (const s of skipped) {
      const where = `${shown(s.file)}${s.server !== undefined ? ` "${untrusted(s.server)}"` : ""}`;
      const reason = untrusted(s.reason.split(s.file).join(shown(s.file)));
      const text = reason.startsWith(shown(s.file)) ? reason : `${where}: ${reason}`;
      out.print(`  ${s.server === undefined ? fail : warn} ${text}`);
    }
  }
  if (dryRun) {
    if (result.after !== null && result.after !== result.before) {
      out.print("");
      out.print(await unifiedDiff(shown(result.manifestFile), result.before, result.after, out));
    }
    out.print("");
    out.print(c.dim("Dry run: nothing was written."));
    return;
  }
  // "Next: mcp-twin sync" only when servers came into the manifest; entries adopted alone say what
  // sync may now do with them.
  if (nothing) out.print(nothingImported(plan, result, skipped.length));
  else {
    if (result.written)
      out.print(`${ok} ${shown(result.manifestFile)} ${result.before === null ? "created" : "updated"}`);
    else {
      const unchanged = result.servers.filter((x) => x.action === "unchanged").map((x) => x.name);
      out.print(
        `Nothing new for the manifest${unchanged.length > 0 ? `: ${andList(unchanged)} ${unchanged.length === 1 ? "is" : "are"} in it already, as found` : ""}.`,
      );
    }
    if (result.adopted.length > 0)
      out.print(
        `${result.adopted.length} entr${result.adopted.length === 1 ? "y" : "ies"} adopted: \`mcp-twin sync\` may now rewrite ${result.adopted.length === 1 ? "it" : "them"} into the installed form.`,
      );
    if (result.written) out.print(`Next: ${c.bold("mcp-twin sync")}`);
  }
  for (const line of ignoredFileLines(plan, result, shown)) out.print(c.dim(line));
}

/**
 * A file its app ignores (the classic Claude Desktop file beside the Store build): delete it once
 * every server it holds is in the file the app reads — said as done when that is so already.
 */
function ignoredFileLines(plan: ImportPlan, result: ImportResult, shown: (file: string) => string): string[] {
  const byName = new Map(plan.candidates.map((x) => [x.name, x]));
  const found = result.servers.flatMap((s) =>
    candidateOf(byName, s.name).found.map((f) => ({ name: s.name, f })),
  );
  const ignored = [...new Set(found.filter(({ f }) => f.ignoredByApp).map(({ f }) => f.path))];
  return ignored.flatMap((file) => {
    const here = found.filter(({ f }) => f.path === file);
    const [first] = here;
    if (!first) return [];
    const { env, client } = first.f;
    // The file this app reads (the same client in the same environment, one it does not ignore).
    const reads = plan.files.find((x) => x.env === env && x.client === client && !x.ignoredByApp)?.path;
    const inReads = (name: string, entry: string) =>
      reads !== undefined &&
      (plan.managed.some((m) => m.path === reads && (m.server === name || m.server === entry)) ||
        found.some(({ name: n, f }) => f.path === reads && n === name));
    const names = [...new Set(here.map(({ name }) => name))];
    const all = reads !== undefined && here.every(({ name, f }) => inReads(name, f.entry));
    const classic = `${shown(file)} is the classic Claude Desktop file, which the Store build ignores`;
    return all && reads !== undefined
      ? `${classic}: ${names.join(", ")} ${names.length === 1 ? "is" : "are"} in the file it reads already (${shown(reads)}), so you can delete it (mcp-twin never edits it).`
      : `${classic}: once sync has written these servers into the file it reads, delete it (mcp-twin never edits it).`;
  });
}

/** The servers plugins and extensions provide: seen, not imported (each comes with its plugin). */
function printPlugins(plan: ImportPlan, out: Output): void {
  if (plan.plugins.length === 0) return;
  out.print(
    out.theme.c.dim("From plugins and extensions, not imported (each comes and goes with its plugin):"),
  );
  for (const p of plan.plugins)
    out.print(
      out.theme.c.dim(
        `  ${untrusted(p.server)}  ${p.env} ${p.client}, from ${untrusted(p.plugin)}${p.project ? ` installed for ${untrusted(p.project)}` : ""}${p.clash ? ` (the manifest's "${untrusted(p.clash)}" has its name)` : ""}`,
      ),
    );
}

/** Why this import changed nothing, said plainly. */
function nothingImported(plan: ImportPlan, result: ImportResult, skipped: number): string {
  const unchanged = result.servers.filter((s) => s.action === "unchanged").map((s) => s.name);
  const why = [
    ...(unchanged.length > 0
      ? [`${unchanged.join(", ")} ${unchanged.length === 1 ? "is" : "are"} in the manifest already, as found`]
      : []),
    ...(plan.managed.length > 0
      ? [
          `${plan.managed.length === 1 ? "the entry" : `the ${plan.managed.length} entries`} found in client configs ${plan.managed.length === 1 ? "was" : "were"} written by mcp-twin already`,
        ]
      : []),
    ...(skipped > 0 ? [`${skipped === 1 ? "one was" : `${skipped} were`} left out (above)`] : []),
  ];
  return why.length > 0 ? `Nothing to import: ${why.join("; ")}.` : "No servers found to import.";
}

/** The plan's candidate for a server the import wrote (it writes only the plan's). */
function candidateOf(byName: ReadonlyMap<string, ImportCandidate>, name: string): ImportCandidate {
  const candidate = byName.get(name);
  if (!candidate) throw new Error(`${name} was imported, but the import plan has no such server`);
  return candidate;
}
