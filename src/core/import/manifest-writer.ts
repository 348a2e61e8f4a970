/**
 * Writing servers into the manifest: its JSONC text is edited in place (merge.ts), so comments,
 * key order and formatting outside the new entries stay byte for byte; the result is validated
 * with the manifest schema before it is written atomically. A missing manifest is created with a
 * `$schema` pointing at a copy of the JSON Schema beside it, so editors complete it.
 */
import path from "node:path";
import { applyEntryEdits } from "../formats/json/merge.js";
import {
  HOME_SCHEMA_FILE,
  newManifestText as sharedNewManifestText,
  writeSchemaCopy,
} from "../manifest/edit.js";
import type { Manifest, ServerSpec } from "../manifest/schema.js";
import { parseManifestText } from "../manifest/validate.js";
import { readTextOrNull, replaceFile } from "../system/files.js";

/** A new manifest, as `init` and `add` create it (its header comment included), schema beside it. */
export function newManifestText(eol: "\n" | "\r\n" = "\n"): string {
  return sharedNewManifestText(`./${HOME_SCHEMA_FILE}`, eol);
}

/**
 * The manifest text with these servers set (added, or replacing the same name). Pure; throws the
 * schema's UsageErrors (file:line:column) if the result would not validate.
 */
export function withServers(
  before: string | null,
  file: string,
  servers: ReadonlyArray<{ name: string; server: ServerSpec }>,
  eol: "\n" | "\r\n" = "\n",
): { text: string; manifest: Manifest } {
  const base = before === null || before.trim() === "" ? newManifestText(eol) : before;
  const text =
    servers.length === 0
      ? base
      : applyEntryEdits(
          base,
          ["servers"],
          servers.map((s) => ({ name: s.name, value: s.server })),
          file,
        );
  return { text, manifest: parseManifestText(text, file) };
}

/**
 * Write the manifest atomically. `compute` gets the file's current text (null: missing) and returns
 * the new text, or null for no change; if the file changes while we write, it runs again on the
 * fresh text.
 */
export async function writeManifest(
  file: string,
  compute: (current: string | null) => string | null,
): Promise<{ written: boolean; created: boolean; before: string | null; after: string | null }> {
  const existed = (await readTextOrNull(file)) !== null;
  const result = await replaceFile(file, compute, { newFileMode: 0o644 });
  if (result.written && !existed) await writeSchemaCopy(path.dirname(file), { onlyIfMissing: true });
  return {
    written: result.written,
    created: result.written && !existed,
    before: result.before,
    after: result.after,
  };
}
