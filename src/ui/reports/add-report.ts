/**
 * What `mcp-twin add` shows: the server added (or, with --dry-run, the manifest's diff and the keys
 * it would store), what it will run and what to know about it; and `add --list`, the catalogue.
 */
import type { Catalogue } from "../../core/catalogue/index.js";
import type { Machine } from "../../core/environments/machine.js";
import type { ManifestEdit, NewServer } from "../../core/manifest/add-server.js";
import { privacyNote, secretsPrivacy } from "../../core/manifest/secrets-file.js";
import type { FoundServer } from "../../core/registry/find-server.js";
import { canonicalJson } from "../../core/text/canonical-json.js";
import { untrusted } from "../../core/text/control-chars.js";
import { unifiedDiff } from "../diff.js";
import type { Output } from "../output.js";
import { launchLines, shareLine } from "./server-launch.js";

/** What was added (or, with --dry-run, the manifest's diff and the keys it would store). */
export async function renderAdded(
  out: Output,
  where: { machine: Machine; file: string },
  found: FoundServer,
  added: NewServer,
  result: ManifestEdit,
  dryRun: boolean,
): Promise<void> {
  const { machine, file } = where;
  const keys = Object.keys(added.newSecrets);
  if (dryRun) {
    if (result.after !== null)
      out.print(await unifiedDiff(machine.shown(file), result.before, result.after, out));
    if (keys.length > 0)
      out.print(`(would store ${keys.join(", ")} in ${machine.shown(machine.paths.secrets)})`);
  } else {
    const changed = result.after !== null && canonicalJson(result.after) !== canonicalJson(result.before);
    out.print(
      `${out.theme.ok} ${changed ? "Added" : "Kept"} ${added.name} in ${machine.shown(file)}${found.template?.notes ? `\n  ${untrusted(found.template.notes)}` : ""}`,
    );
    if (keys.length > 0)
      out.print(
        `${out.theme.ok} Stored ${keys.join(", ")} in ${machine.shown(machine.paths.secrets)} (${privacyNote(secretsPrivacy(machine))})`,
      );
  }
  // What it will run, before anything starts it (the question to sync comes after).
  for (const line of launchLines(added.server)) out.print(line);
  const shared = shareLine(added);
  if (shared) out.print(`  ${shared}`);
  for (const note of found.notes) out.print(`  ${note}`);
}

/** `add --list`: the catalogue, one line per template, and the templates skipped (with why). */
export function renderCatalogue(out: Output, machine: Machine, catalogue: Catalogue): void {
  const { templates, problems } = catalogue;
  if (out.json) {
    out.result({
      templates: templates.map(({ name, title, description, runtime, categories, secrets }) => ({
        name,
        title,
        description,
        runtime,
        categories,
        secrets: (secrets ?? []).map((s) => s.name),
      })),
      problems,
    });
    return;
  }
  const width = Math.max(...templates.map((t) => t.name.length));
  for (const t of templates)
    out.print(`${t.name.padEnd(width)}  ${out.theme.c.dim(t.runtime.padEnd(6))}  ${t.description}`);
  for (const p of problems)
    out.warn(`${machine.shown(p.file)}${p.line ? `:${p.line}:${p.column}` : ""}: ${p.message} (skipped)`);
}
