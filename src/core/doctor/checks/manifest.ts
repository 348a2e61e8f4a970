/** The manifest: which file is used, whether it is valid, and stray second manifests (pure). */
import { type Check, check } from "../types.js";

export interface ManifestFacts {
  file: string;
  missing: boolean;
  /** A project manifest (./mcp-twin.jsonc) rather than the home's. */
  project: boolean;
  errors: string[];
  servers: number;
  /** Other manifests that exist but are not read. */
  stray: string[];
}

export function checkManifest(f: ManifestFacts): Check[] {
  const out: Check[] = [];
  if (f.missing)
    out.push(
      check("manifest.found", "warn", {}, `no manifest at ${f.file}: only the client configs were checked.`, {
        fix: "Run `mcp-twin init` (or `mcp-twin import` to adopt the servers your clients already have).",
      }),
    );
  else {
    out.push(
      check(
        "manifest.found",
        "pass",
        {},
        `manifest ${f.file}${f.project ? " (this project's: it drives only this project's files, never user-level configs)" : ""}.`,
      ),
    );
    if (f.errors.length > 0)
      out.push(
        check(
          "manifest.valid",
          "fail",
          {},
          `the manifest is not valid (${f.errors.length} problem${f.errors.length > 1 ? "s" : ""}).`,
          {
            fix: "Fix it at the positions shown (your editor checks it against its $schema).",
            detail: f.errors,
          },
        ),
      );
    else
      out.push(
        check(
          "manifest.valid",
          "pass",
          {},
          `the manifest is valid (${f.servers} server${f.servers === 1 ? "" : "s"}).`,
        ),
      );
  }
  for (const stray of f.stray)
    out.push(
      check(
        "manifest.stray",
        "warn",
        {},
        `another manifest at ${stray} is not read (mcp-twin uses ${f.file}); edits there change nothing.`,
        {
          fix: `Merge what you need into ${f.file} and delete ${stray}.`,
        },
      ),
    );
  if (f.stray.length === 0) out.push(check("manifest.stray", "pass", {}, "no stray second manifest."));
  return out;
}
