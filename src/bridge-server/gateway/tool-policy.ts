/**
 * Which tools of a server one client gets through the gateway — listed (`tools/list` at
 * `/share/<name>`), found (`search_tools` at `/tools`) and called (either) — decided here and
 * nowhere else (pure): the manifest's rules for its client, and what the pins hold back from all.
 */
import type { IncomingHttpHeaders } from "node:http";
import { presentedLabel } from "../../core/bridge-link/index.js";
import type { ShareToolRules } from "../../core/entries/share-launch.js";
import { RPC } from "../../core/jsonrpc/codes.js";
import { ruleField, rulesFor, toolsFor } from "../../core/manifest/tool-rules.js";
import { type HeldTool, heldIn, heldRefusal } from "../../core/pins/hold-back.js";
import type { PinBook } from "../../core/pins/pin-file.js";
import { headerOf } from "../http-guards.js";
import type { Json } from "./wire-json.js";

/** What one client gets of one server's tools: every use (list, search, call) asks this. */
export interface ToolPolicy {
  /** Whether it gets `tool`. */
  admits(tool: string): boolean;
  /** A `tools/list` result with only the tools it gets (the same object when nothing is left out). */
  list(result: Json): Json;
  /**
   * The JSON-RPC error (an unknown tool's, -32602) for a call of a tool it does not get, naming the
   * rule and where, or naming no tool by a string (closed by default: a server may read `["x"]` as
   * `x`); undefined: the call goes through.
   */
  refusal(tool: unknown): { code: number; message: string; data: Json } | undefined;
  /** What decides it, as text: two policies with the same key admit the same tools (search keeps an index per key). */
  readonly key: string;
}

/** What the gateway holds back of a server from every client (core/pins): the pins, and its tools as last listed. */
export interface Pinned {
  pins: PinBook | undefined;
  listed: unknown;
}

const NONE: ReadonlyMap<string, HeldTool> = new Map();

/**
 * The client a client token was minted for, by its label (`<env>:<client>`, entries' tokenLabel,
 * which the relay's `--as` presents too; a client id has no `:`) or by the request's headers;
 * undefined for the bridge token.
 */
export function clientOf(from: string | IncomingHttpHeaders | Headers | undefined): string | undefined {
  const label = typeof from === "object" ? presentedLabel(headerOf(from, "authorization")) : from;
  return label === undefined ? undefined : label.slice(label.lastIndexOf(":") + 1);
}

/**
 * What `client` gets of server `name` (undefined: every tool): the manifest's rules for it (its
 * `tools`, `clientTools.<client>`; none for the bridge token), but never a tool its last list
 * (`pinned`) holds back — a lookup of that list's verdict, judged once.
 */
export function toolPolicy(
  name: string,
  rules: ShareToolRules | undefined,
  client: string | undefined,
  pinned?: Pinned,
): ToolPolicy | undefined {
  const applied = rules && client !== undefined ? rulesFor(rules, name, client) : [];
  const { pins: book, listed }: Partial<Pinned> = pinned ?? {};
  const held = book && typeof listed === "object" && listed ? heldIn(book, name, listed) : NONE;
  if (applied.length === 0 && held.size === 0) return undefined;
  const file = rules?.file ?? "";
  const choose = (names: string[]) => toolsFor(applied, names);
  const ruleKey = JSON.stringify(applied.map((a) => a.rule));
  return {
    key: held.size === 0 ? ruleKey : `${ruleKey} held ${JSON.stringify([...held.keys()])}`,
    admits: (tool) => !held.has(tool) && choose([tool]).kept.length === 1,
    list(result) {
      const tools = result.tools;
      if (!Array.isArray(tools)) return result;
      const names = tools.map((t) => String((t as Json | null)?.name));
      const kept = new Set(choose(names).kept.filter((n) => !held.has(n)));
      if (kept.size === names.length) return result;
      return { ...result, tools: tools.filter((_, i) => kept.has(names[i] ?? "")) };
    },
    refusal(tool) {
      const heldBack = typeof tool === "string" ? heldRefusal(name, tool, held.get(tool)) : undefined;
      if (heldBack || applied.length === 0) return heldBack;
      const message = `Invalid params: a call must name its tool with a string; the manifest's rules (${file}) keep ${client}'s tools of ${name} by name`;
      if (typeof tool !== "string") return { code: RPC.invalidParams, message, data: { file } };
      const why = choose([tool]).ruleFor(tool);
      if (!why) return undefined;
      const field = ruleField(why.path, why.part);
      const at = rules?.at[field];
      const where = at ? `${file}:${at.line}:${at.column}` : file;
      const how = why.part === "allow" ? "does not allow it" : `denies it ("${why.pattern ?? ""}")`;
      return {
        code: RPC.invalidParams,
        message: `the tool "${tool}" of ${name} is not available to ${client}: the manifest's ${field} (${where}) ${how}`,
        data: { rule: field, file, ...(at ?? {}) },
      };
    },
  };
}

/** The refusal of a call of a tool not on its server's list as last read and judged (whole: one with a `nextCursor` judges nothing). */
export function unlisted(name: string, listed: unknown, tool: unknown): ReturnType<ToolPolicy["refusal"]> {
  const tools = (listed as Json | undefined)?.tools;
  const whole = Array.isArray(tools) && (listed as Json).nextCursor === undefined;
  if (!whole || tools.some((t) => (t as Json | null)?.name === tool)) return undefined;
  const message = `the tool ${JSON.stringify(tool)} is not on ${name}'s tools list as the gateway last read it: a tool is called only once listed (the server's list_changed, or mcp-twin sync, reads it again)`;
  return { code: RPC.invalidParams, message, data: { listed: false } };
}
