/** JSON and JSONC files, through the merge engine (src/core/formats/json/merge.ts). */
import { getNodeValue } from "jsonc-parser";
import type { ConfigFormat, ParsedDocument } from "../types.js";
import { emptyLayoutLike } from "./empty-layout.js";
import {
  applyEntryEdits,
  entryText,
  findNode,
  parseConfig,
  readEntries,
  removeEmptyServers,
} from "./merge.js";

export const jsonFormat: ConfigFormat = {
  id: "json",
  name: "JSON",
  parse(text, file): ParsedDocument {
    const parsed = parseConfig(text, file);
    return {
      entries: (serversPath) => readEntries(parsed, serversPath, file),
      duplicates(serversPath) {
        const node = findNode(parsed.root, serversPath);
        if (node?.type !== "object") return [];
        const seen = new Set<string>();
        const twice = new Set<string>();
        for (const prop of node.children ?? []) {
          const key = prop.children?.[0]?.value;
          if (typeof key !== "string") continue;
          if (seen.has(key)) twice.add(key);
          seen.add(key);
        }
        return [...twice];
      },
      top() {
        const top: Record<string, unknown> = {};
        for (const prop of parsed.root?.children ?? []) {
          const key = prop.children?.[0]?.value;
          if (typeof key === "string" && prop.children?.[1]) top[key] = getNodeValue(prop.children[1]);
        }
        return top;
      },
    };
  },
  // JSON entries are replaced whole: no JSON client writes into mcp-twin's entries.
  applyEntryEdits: (text, serversPath, edits, file) => applyEntryEdits(text, serversPath, edits, file),
  entryText,
  removeEmptyServers,
  emptyLayoutLike,
};
