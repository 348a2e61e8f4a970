/**
 * Which tools of a shared server one client gets through the gateway (pure): the client its client
 * token names, the manifest's rules for it, its `tools/list` narrowed and a call outside it refused.
 */
import type { IncomingHttpHeaders } from "node:http";
import { presentedLabel } from "../../core/bridge-link/index.js";
import type { ShareToolRules } from "../../core/entries/share-launch.js";
import { RPC } from "../../core/jsonrpc/codes.js";
import { type AppliedRule, ruleField, rulesFor, toolsFor } from "../../core/manifest/tool-rules.js";
import { headerOf } from "../http-guards.js";
import type { Json } from "./wire-json.js";

/** The rules that apply to one client of one shared server, and where the manifest writes them. */
export interface ToolFilter {
  server: string;
  client: string;
  rules: AppliedRule[];
  where: ShareToolRules;
}

/**
 * The client a request's client token was minted for (its label is `<env>:<client>`, entries'
 * tokenLabel, which the relay's `--as` presents too; a client id has no `:`); undefined for
 * the bridge token.
 */
export function clientOf(headers: IncomingHttpHeaders | Headers | undefined): string | undefined {
  const label = presentedLabel(headerOf(headers, "authorization"));
  return label === undefined ? undefined : label.slice(label.lastIndexOf(":") + 1);
}

/** The filter for `client` of server `name` (undefined: no rule applies, every tool gets through). */
export function toolFilter(
  name: string,
  rules: ShareToolRules | undefined,
  client: string | undefined,
): ToolFilter | undefined {
  if (!rules || client === undefined) return undefined;
  const applied = rulesFor(rules, name, client);
  return applied.length === 0 ? undefined : { server: name, client, rules: applied, where: rules };
}

/** A `tools/list` result with only the tools the client gets (the same object when nothing is left out). */
export function keptTools(filter: ToolFilter | undefined, result: Json): Json {
  const tools = result.tools;
  if (!filter || !Array.isArray(tools)) return result;
  const names = tools.map((t) => String((t as Json | null)?.name));
  const kept = new Set(toolsFor(filter.rules, names).kept);
  if (kept.size === names.length) return result;
  return { ...result, tools: tools.filter((_, i) => kept.has(names[i] ?? "")) };
}

/**
 * The JSON-RPC error (an unknown tool's, -32602) for a call to a tool the client does not get, naming
 * the rule and where, or naming no tool by a string (closed by default: a server may read `["x"]` as
 * `x`); undefined: the call goes through.
 */
export function refusal(
  filter: ToolFilter | undefined,
  tool: unknown,
): { code: number; message: string; data: Json } | undefined {
  if (!filter) return undefined;
  const { file } = filter.where;
  const message = `Invalid params: a call must name its tool with a string; the manifest's rules (${file}) keep ${filter.client}'s tools of ${filter.server} by name`;
  if (typeof tool !== "string") return { code: RPC.invalidParams, message, data: { file } };
  const why = toolsFor(filter.rules, [tool]).ruleFor(tool);
  if (!why) return undefined;
  const field = ruleField(why.path, why.part);
  const at = filter.where.at[field];
  const where = at ? `${file}:${at.line}:${at.column}` : file;
  const how = why.part === "allow" ? "does not allow it" : `denies it ("${why.pattern ?? ""}")`;
  return {
    code: RPC.invalidParams,
    message: `the tool "${tool}" of ${filter.server} is not available to ${filter.client}: the manifest's ${field} (${where}) ${how}`,
    data: { rule: field, file, ...(at ?? {}) },
  };
}
