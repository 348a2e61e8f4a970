/**
 * YAML configs (Goose's and Continue's config.yaml) behind the format seam, through the `yaml`
 * library's parser.
 */
import { isMap, isScalar, isSeq } from "yaml";
import { UsageError } from "../../errors.js";
import type { ConfigFormat, ParsedDocument } from "../types.js";
import { nodeAt, parseYamlDocument, position } from "./yaml-document.js";
import { emptyLayoutLike } from "./yaml-layout.js";
import { listEntries } from "./yaml-list.js";
import { applyYamlEntryEdits, removeEmptyYamlServers, yamlEntryLines } from "./yaml-splice.js";

export const yamlFormat: ConfigFormat = {
  id: "yaml",
  name: "YAML",
  parse(text, file, options): ParsedDocument {
    const doc = parseYamlDocument(text, file);
    const listKey = options?.listKey;
    return {
      entries(serversPath) {
        const node = nodeAt(doc, serversPath);
        if (node === undefined || node === null || (isScalar(node) && node.value === null)) return {};
        if (listKey && isSeq(node))
          return structuredClone(listEntries(valueAtPath(doc.value, serversPath), listKey));
        if (listKey || !isMap(node)) {
          const { line, column } = position(doc, node.range?.[0] ?? 0);
          const what = isScalar(node) ? "a value" : isMap(node) ? "a map" : "a list";
          const want = listKey ? `a list of servers (- ${listKey}: …)` : "a map of servers";
          throw new UsageError(
            "config-shape",
            `${file}:${line}:${column}: "${serversPath.join(".")}" is ${what}, not ${want}.`,
            {
              location: { file, line, column },
              hint: `Make "${serversPath.join(".")}" ${want} or remove it; mcp-twin will not guess.`,
            },
          );
        }
        return structuredClone(valueAtPath(doc.value, serversPath) as Record<string, unknown>);
      },
      // A key defined twice is a parse error (Goose's reader refuses the file too); a list's name
      // may appear twice.
      duplicates(serversPath) {
        const list = listKey ? valueAtPath(doc.value, serversPath) : undefined;
        if (!Array.isArray(list)) return [];
        const names = list.map((i) =>
          i && typeof i === "object" ? (i as Record<string, unknown>)[listKey ?? ""] : undefined,
        );
        return [
          ...new Set(names.filter((n, i): n is string => typeof n === "string" && names.indexOf(n) !== i)),
        ];
      },
      top: () => structuredClone(doc.value),
    };
  },
  applyEntryEdits: (text, serversPath, edits, file, _owned, options) =>
    applyYamlEntryEdits(text, serversPath, edits, file, options?.listKey),
  removeEmptyServers: removeEmptyYamlServers,
  // An entry's lines as written (key line included): applyYamlEntryEdits splices them back.
  entryText: yamlEntryLines,
  emptyLayoutLike,
};

function valueAtPath(root: Record<string, unknown>, path: readonly string[]): unknown {
  let value: unknown = root;
  for (const key of path) value = (value as Record<string, unknown>)[key];
  return value;
}
