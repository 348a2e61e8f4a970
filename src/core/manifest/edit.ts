/**
 * Editing the manifest the way sync edits client configs: the JSONC text is changed at the one
 * server being added or removed, so the user's comments and layout survive. Every result is
 * validated before it is written (atomically, under the home lock).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { packageRoot } from "../catalogue/index.js";
import { applyEntryEdits, parseConfig, readEntries } from "../formats/json/merge.js";
import { replaceFile, withLock, writeHelperFile } from "../system/files.js";
import type { Machine } from "../system/machine.js";
import type { ServerSpec } from "./schema.js";
import { parseManifestText } from "./validate.js";

export const HOME_SCHEMA_FILE = "mcp-twin.schema.json";
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
  const base = text ?? newManifestText(schemaRef);
  return applyEntryEdits(base, [], [{ name: "bridge", value: { enabled: true } }], file);
}

export function withoutServer(text: string, file: string, name: string): string {
  return applyEntryEdits(text, ["servers"], [{ name, remove: true }], file);
}

export function serverNames(text: string | null, file: string): string[] {
  if (!text) return [];
  return Object.keys(readEntries(parseConfig(text, file), ["servers"], file));
}

/**
 * Change the manifest: `change` gets the current text (null when missing) and returns the new
 * text, or null to leave it. The result must validate; with `dryRun` nothing is written.
 */
export async function editManifest(
  machine: Machine,
  file: string,
  change: (current: string | null) => string | null,
  options: { dryRun?: boolean } = {},
): Promise<{ before: string | null; after: string | null }> {
  const check = (current: string | null) => {
    const next = change(current);
    if (next !== null) parseManifestText(next, file);
    return next;
  };
  if (options.dryRun) {
    let before: string | null = null;
    try {
      before = readFileSync(file, "utf8");
    } catch {
      // none yet
    }
    return { before, after: check(before) };
  }
  return withLock(machine.home.dir, async () => {
    const result = await replaceFile(file, check, { newFileMode: 0o644 });
    if (path.resolve(file) === path.resolve(machine.paths.manifest)) await writeSchemaCopy(machine.home.dir);
    return { before: result.before, after: result.written ? result.after : null };
  });
}

/**
 * The JSON Schema beside a manifest (the home's, or one import creates), so editors complete it on
 * Windows and in WSL alike: the copy shipped in the package. `onlyIfMissing` leaves one there.
 * Only editor completion depends on it: a failure is ignored.
 */
export async function writeSchemaCopy(dir: string, options: { onlyIfMissing?: boolean } = {}): Promise<void> {
  let schema: string;
  try {
    schema = readFileSync(path.join(packageRoot(), "schema", "manifest.schema.json"), "utf8");
  } catch {
    return;
  }
  await writeHelperFile(path.join(dir, HOME_SCHEMA_FILE), schema, options);
}
