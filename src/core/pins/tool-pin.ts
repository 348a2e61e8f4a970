/**
 * What of a tool is pinned — its name, title, description, input and output schemas and
 * annotations, everything a client sends the model of it — and that definition's canonical hash.
 */
import { createHash } from "node:crypto";
import { isPlain } from "../plain-records.js";
import { canonicalJson } from "../text/canonical-json.js";

/** One tool as a server lists it (`tools/list`); nothing of it is trusted to have any shape. */
export interface ListedTool {
  name: string;
  [member: string]: unknown;
}

/** The members of a tool that reach the model (its `_meta`, `icons` and `execution` do not). */
const PINNED = ["name", "title", "description", "inputSchema", "outputSchema", "annotations"] as const;

export type PinnedDef = Partial<Record<(typeof PINNED)[number], unknown>> & { name: string };

/** The members of a listed tool that are pinned, as it listed them. */
export function pinnedDef(tool: ListedTool): PinnedDef {
  const def: Record<string, unknown> = {};
  for (const key of PINNED) if (tool[key] !== undefined) def[key] = tool[key];
  return { ...def, name: tool.name };
}

/** The hash a pin keeps of a definition: its canonical JSON (keys sorted), SHA-256. */
export function defHash(def: PinnedDef): string {
  return createHash("sha256").update(canonicalJson(def)).digest("base64url");
}

/** The tools of a `tools/list` result (or a bare array), each with a string name. */
export function listedTools(value: unknown): ListedTool[] | undefined {
  const tools = isPlain(value) ? value.tools : value;
  if (!Array.isArray(tools)) return undefined;
  return tools.filter((t): t is ListedTool => isPlain(t) && typeof t.name === "string");
}
