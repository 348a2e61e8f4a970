/** Codex's config.toml (and any TOML config) behind the format seam. */
import { UsageError } from "../../errors.js";
import type { ConfigFormat, ParsedDocument } from "../types.js";
import { parseTomlDocument, position } from "./document.js";
import { applyTomlEntryEdits, shapeProblem, tomlEntryText } from "./splice.js";

export const tomlFormat: ConfigFormat = {
  id: "toml",
  name: "TOML",
  parse(text, file): ParsedDocument {
    const doc = parseTomlDocument(text, file);
    return {
      entries(serversPath) {
        const problem = shapeProblem(doc, serversPath);
        if (problem) {
          const { line, column } = position(doc, problem.offset);
          throw new UsageError("config-shape", `${file}:${line}:${column}: ${problem.message}.`, {
            location: { file, line, column },
            hint: `Make "${serversPath.join(".")}" a table ([${serversPath.join(".")}.<name>] tables) or remove it; mcp-twin will not guess.`,
          });
        }
        let value: unknown = doc.value;
        for (const key of serversPath) value = (value as Record<string, unknown> | undefined)?.[key];
        return structuredClone((value ?? {}) as Record<string, unknown>);
      },
      // A name defined twice is a parse error in TOML (Codex refuses the file, and so does parse).
      duplicates: () => [],
      top: () => structuredClone(doc.value),
    };
  },
  applyEntryEdits: applyTomlEntryEdits,
  // An entry's tables as written: applyTomlEntryEdits splices them back.
  entryText: tomlEntryText,
};
