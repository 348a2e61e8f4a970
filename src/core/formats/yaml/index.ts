/** YAML configs (Goose's config.yaml) behind the format seam, through the `yaml` library's parser. */
import { isMap, isScalar } from "yaml";
import { UsageError } from "../../errors.js";
import type { ConfigFormat, ParsedDocument } from "../types.js";
import { nodeAt, parseYamlDocument, position } from "./yaml-document.js";
import { applyYamlEntryEdits, removeEmptyYamlServers } from "./yaml-splice.js";

export const yamlFormat: ConfigFormat = {
  id: "yaml",
  name: "YAML",
  parse(text, file): ParsedDocument {
    const doc = parseYamlDocument(text, file);
    return {
      entries(serversPath) {
        const node = nodeAt(doc, serversPath);
        if (node === undefined || node === null || (isScalar(node) && node.value === null)) return {};
        if (!isMap(node)) {
          const { line, column } = position(doc, node.range?.[0] ?? 0);
          const what = isScalar(node) ? "a value" : "a list";
          throw new UsageError(
            "config-shape",
            `${file}:${line}:${column}: "${serversPath.join(".")}" is ${what}, not a map of servers.`,
            {
              location: { file, line, column },
              hint: `Make "${serversPath.join(".")}" a map (name: {…} lines) or remove it; mcp-twin will not guess.`,
            },
          );
        }
        let value: unknown = doc.value;
        for (const key of serversPath) value = (value as Record<string, unknown>)[key];
        return structuredClone(value as Record<string, unknown>);
      },
      // A key defined twice is a parse error here (Goose's reader refuses the file too).
      duplicates: () => [],
      top: () => structuredClone(doc.value),
    };
  },
  applyEntryEdits: (text, serversPath, edits, file) => applyYamlEntryEdits(text, serversPath, edits, file),
  removeEmptyServers: removeEmptyYamlServers,
};
