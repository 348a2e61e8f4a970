/**
 * The one writer of the manifest: its JSONC text is changed at the servers or fields edited, so
 * the user's comments and layout survive; every result is validated, then written atomically.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Machine } from "../environments/machine.js";
import { applyEntryEdits, parseConfig, readEntries } from "../formats/index.js";
import { replaceFile, withLock, writeHelperFile } from "../system/files.js";
import { packageRoot } from "../system/package-root.js";
import type { ServerSpec } from "./schema.js";
import { parseEditedManifest, refuseEmptyManifest } from "./validate.js";

const HOME_SCHEMA_FILE = "mcp-twin.schema.json";
const PUBLISHED_SCHEMA = "https://unpkg.com/mcp-twin/schema/manifest.schema.json";

/** `$schema` for a manifest: the copy beside the home manifest, else the published one. */
export function schemaRefFor(file: string, machine: Machine): string {
  return path.resolve(file) === path.resolve(machine.paths.manifest)
    ? `./${HOME_SCHEMA_FILE}`
    : PUBLISHED_SCHEMA;
}

/** A new manifest: a header saying what it is, `$schema`, no servers (init, add and import alike). */
export function newManifestText(schemaRef: string, eol: "\n" | "\r\n" = "\n"): string {
  return [
    "// mcp-twin manifest: the MCP servers to set up in every environment and client.",
    "// Edit it by hand or with `mcp-twin add` / `mcp-twin remove`, then run `mcp-twin sync`.",
    "{",
    `  "$schema": ${JSON.stringify(schemaRef)},`,
    '  "servers": {}',
    "}",
    "",
  ].join(eol);
}

/** The manifest text with `name` set to `server` (the file created when there is none). */
export function withServer(
  text: string | null,
  file: string,
  name: string,
  server: ServerSpec,
  schemaRef: string,
): string {
  const base = text ?? newManifestText(schemaRef);
  return applyEntryEdits(base, ["servers"], [{ name, value: server }], file);
}

/** The manifest text with the bridge enabled (`"bridge": { "enabled": true }`). */
export function withBridgeEnabled(text: string | null, file: string, schemaRef: string): string {
  return withBridgeFields(text, file, schemaRef, { enabled: true });
}

/** The manifest text with these fields set in its `bridge` section, the others it holds kept. */
export function withBridgeFields(
  text: string | null,
  file: string,
  schemaRef: string,
  fields: { enabled?: true; port?: number },
): string {
  const base = text ?? newManifestText(schemaRef);
  const held = readEntries(parseConfig(base, file), [], file).bridge;
  const current = held && typeof held === "object" && !Array.isArray(held) ? held : {};
  return applyEntryEdits(base, [], [{ name: "bridge", value: { ...current, ...fields } }], file);
}

/**
 * The manifest text with these servers set (added, or replacing the same name), a missing manifest
 * created with the schema copy beside it. Throws the schema's UsageErrors (file:line:column) when
 * the result would not validate — and for a blank `text`, which is a manifest that lost what it held.
 */
export function withServers(
  text: string | null,
  file: string,
  servers: ReadonlyArray<{ name: string; server: ServerSpec }>,
): string {
  if (text !== null) refuseEmptyManifest(text, file);
  const base = text ?? newManifestText(`./${HOME_SCHEMA_FILE}`);
  const next =
    servers.length === 0
      ? base
      : applyEntryEdits(
          base,
          ["servers"],
          servers.map((s) => ({ name: s.name, value: s.server })),
          file,
        );
  parseEditedManifest(text, next, file);
  return next;
}

/** A change to one field of a server (`path` under it): a new value, or the field removed. */
export interface ServerFieldEdit {
  path: string[];
  value?: unknown;
  remove?: true;
}

/** The manifest text with `server`'s fields changed where the edits say, nothing else touched. */
export function withServerFields(
  text: string,
  file: string,
  server: string,
  edits: readonly ServerFieldEdit[],
): string {
  let out = text;
  for (const e of edits) {
    const parent = ["servers", server, ...e.path.slice(0, -1)];
    const name = e.path[e.path.length - 1] ?? "";
    out = applyEntryEdits(out, parent, [e.remove ? { name, remove: true } : { name, value: e.value }], file);
  }
  return out;
}

export function withoutServer(text: string, file: string, name: string): string {
  return applyEntryEdits(text, ["servers"], [{ name, remove: true }], file);
}

export function serverNames(text: string | null, file: string): string[] {
  if (!text) return [];
  return Object.keys(readEntries(parseConfig(text, file), ["servers"], file));
}

/**
 * Change the manifest under the home lock: `change` gets the current text (null when missing) and
 * returns the new text, or null to leave it. With `dryRun` nothing is written.
 */
export async function editManifest(
  machine: Machine,
  file: string,
  change: (current: string | null) => string | null,
  options: { dryRun?: boolean } = {},
): Promise<{ before: string | null; after: string | null }> {
  if (options.dryRun) {
    let before: string | null = null;
    try {
      before = readFileSync(file, "utf8");
    } catch {
      // none yet
    }
    return { before, after: validated(change, file)(before) };
  }
  return withLock(machine.home.dir, async () => {
    const result = await writeManifest(machine, file, change);
    return { before: result.before, after: result.written ? result.after : null };
  });
}

export interface ManifestWrite {
  written: boolean;
  /** The file did not exist before. */
  created: boolean;
  before: string | null;
  after: string | null;
}

/**
 * Write the manifest, the caller holding the home lock: `compute` gets the file's current text
 * (null: missing) and returns the new text, or null for no change; the result must validate. If
 * the file changes while it is written, `compute` runs again on the fresh text. The home
 * manifest's schema copy is refreshed; a new manifest elsewhere that names the copy gets one.
 */
export async function writeManifest(
  machine: Machine,
  file: string,
  compute: (current: string | null) => string | null,
): Promise<ManifestWrite> {
  const result = await replaceFile(file, validated(compute, file), { newFileMode: 0o644 });
  const created = result.written && result.before === null;
  if (path.resolve(file) === path.resolve(machine.paths.manifest)) await writeSchemaCopy(machine.home.dir);
  else if (created && result.after?.includes(`"./${HOME_SCHEMA_FILE}"`))
    await writeSchemaCopy(path.dirname(file), { onlyIfMissing: true });
  return { written: result.written, created, before: result.before, after: result.after };
}

/**
 * `compute`, its every result checked against the manifest schema before it can be written. An
 * existing file with nothing in it is refused before `compute` sees it: an edit would fill it with
 * one server, and the servers it lost would then leave every client at the next sync.
 */
function validated(
  compute: (current: string | null) => string | null,
  file: string,
): (current: string | null) => string | null {
  return (current) => {
    if (current !== null) refuseEmptyManifest(current, file);
    const next = compute(current);
    if (next !== null) parseEditedManifest(current, next, file);
    return next;
  };
}

/**
 * The JSON Schema beside a manifest (the home's, or one import creates), so editors complete it on
 * Windows and in WSL alike: the copy shipped in the package. `onlyIfMissing` leaves one there.
 * Only editor completion depends on it: a failure is ignored.
 */
async function writeSchemaCopy(dir: string, options: { onlyIfMissing?: boolean } = {}): Promise<void> {
  let schema: string;
  try {
    schema = readFileSync(path.join(packageRoot(), "schema", "manifest.schema.json"), "utf8");
  } catch {
    return;
  }
  await writeHelperFile(path.join(dir, HOME_SCHEMA_FILE), schema, options);
}
