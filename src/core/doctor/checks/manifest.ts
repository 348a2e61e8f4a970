/** The manifest: which file is used, whether it is valid, and stray second manifests (pure). */

import { defineCheck } from "../check-def.js";
import { finding } from "../types.js";

export const manifestChecks = [
  defineCheck({
    id: "manifest.found",
    scope: "machine",
    doc: "which manifest is used; none found (warn: only client configs are checked).",
    fix: "`mcp-twin init` or `mcp-twin import`.",
    run: ({ manifest: f }, show) => {
      if (!f) return [];
      if (f.missing)
        return [
          finding("warn", {}, `no manifest at ${show.path(f.file)}: only the client configs were checked.`, {
            fix: "Run `mcp-twin init` (or `mcp-twin import` to adopt the servers your clients already have).",
          }),
        ];
      return [
        finding(
          "pass",
          {},
          `manifest ${show.path(f.file)}${f.project ? " (this project's: it drives only this project's files, never user-level configs)" : ""}.`,
        ),
      ];
    },
  }),
  defineCheck({
    id: "manifest.valid",
    scope: "machine",
    doc: "the manifest does not parse or breaks the schema (each problem with file:line:column), or holds nothing at all (empty, only whitespace or comments: never read as no servers).",
    fix: 'fix it at those positions; an empty one: put its servers back, or write `{ "servers": {} }` in it to mean none.',
    run: ({ manifest: f }, show) => {
      if (!f || f.missing) return [];
      if (f.errors.length > 0)
        return [
          finding(
            "fail",
            {},
            `the manifest is not valid (${f.errors.length} problem${f.errors.length > 1 ? "s" : ""}).`,
            {
              fix: f.fix ?? "Fix it at the positions shown (your editor checks it against its $schema).",
              detail: f.errors.map((e) => show.text(e)),
            },
          ),
        ];
      return [
        finding("pass", {}, `the manifest is valid (${f.servers} server${f.servers === 1 ? "" : "s"}).`),
      ];
    },
  }),
  defineCheck({
    id: "manifest.stray",
    scope: "machine",
    doc: "a second manifest where it is not read (e.g. `~/.config/mcp-twin/` while the home is %APPDATA%\\mcp-twin, `~/mcp-twin.jsonc`).",
    fix: "merge it into the one in use and delete it.",
    run: ({ manifest: f }, show) => {
      if (!f) return [];
      if (f.stray.length === 0) return [finding("pass", {}, "no stray second manifest.")];
      return f.stray.map((stray) =>
        finding(
          "warn",
          {},
          `another manifest at ${show.path(stray)} is not read (mcp-twin uses ${show.path(f.file)}); edits there change nothing.`,
          { fix: `Merge what you need into ${show.path(f.file)} and delete ${show.path(stray)}.` },
        ),
      );
    },
  }),
] as const;
