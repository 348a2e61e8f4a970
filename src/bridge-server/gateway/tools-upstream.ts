/**
 * The upstream a client of `/tools` calls (tools-route.ts keeps one per client, folder and session):
 * `tools/list` and `tools/call` answered by tools on demand (core/tool-search/search-and-call.ts) for
 * what one client gets, each `call_tool` made that client's own call of the server behind, once.
 */

import { RPC, rpcError } from "../../core/jsonrpc/codes.js";
import { SERVER_INFO_KEY } from "../../core/jsonrpc/envelope-headers.js";
import type { KeptIndex } from "../../core/tool-search/kept-index.js";
import type { OnDemand, OnDemandCall } from "../../core/tool-search/search-and-call.js";
import { VERSION } from "../../version.js";
import type { Call } from "./call.js";
import { type Said, saidBy, type Upstream, type UpstreamEvents } from "./upstream.js";
import type { Json } from "./wire-json.js";

/** What `/tools` says it is; its name is what a client's tool list of the `tools` entry comes from. */
const DISCOVER = {
  supportedVersions: ["2026-07-28"],
  capabilities: { tools: { listChanged: true } },
  instructions: "search_tools finds the tools of the servers behind this one; call_tool calls one.",
  _meta: { [SERVER_INFO_KEY]: { name: "mcp-twin-tools", version: VERSION } },
};

/** Why `/tools` refuses a client token (403): its client is not one the manifest's toolSearch names. */
export const NOT_NAMED =
  "Forbidden: /tools serves the clients the manifest's toolSearch names, each with its own client token (mcp-twin sync writes it)";

/** What one upstream finds its tools with for a call (`call`: how a `call_tool` reaches the server behind). */
type FindOnDemand = (call: OnDemand["call"]) => OnDemand | undefined;
/** The call of a tool of a server behind `/tools`, made as `c`'s own. */
type Through = (c: Call, tool: OnDemandCall) => Promise<Json>;
type Options = { find: FindOnDemand; through: Through; kept: KeptIndex; events: UpstreamEvents };
type Answers = typeof import("../../core/tool-search/search-and-call.js");

/** What it answers is found again for each request (a reload's rules apply at once), and told again when `kept` changes. */
export class ToolsUpstream implements Upstream {
  readonly said: Said = saidBy(DISCOVER);
  readonly #o: Options;
  readonly #answers: Answers;
  /** The index was brought up to date: its client is told when its tools changed with it. */
  readonly #tell = () => {
    const now = this.#tools();
    if (now === this.#listed) return;
    this.#listed = now;
    this.#o.events.notified("notifications/tools/list_changed", undefined);
  };
  /** Its tools when it started or last told a change: an index change is told only when it changes them. */
  #listed: string | undefined;

  constructor(o: Options, answers: Answers) {
    this.#o = o;
    this.#answers = answers;
    this.#listed = this.#tools();
    o.kept.told.add(this.#tell);
  }

  /** Its tools now, as JSON (none: its token no longer names a client of toolSearch). */
  #tools(): string | undefined {
    const o = this.#o.find(() => Promise.reject(new Error("no call")));
    return o && JSON.stringify(this.#answers.onDemandTools(o));
  }

  async close(): Promise<void> {
    this.#o.kept.told.delete(this.#tell);
  }

  request(method: string): Promise<Json> {
    return this.#answer(method, {});
  }

  call(c: Call): Promise<Json> {
    return this.#answer(c.request.method, c.request.params ?? {}, c);
  }

  async #answer(method: string, params: Json, c?: Call): Promise<Json> {
    if (method !== "tools/list" && method !== "tools/call")
      throw rpcError(`Method not found: ${method}`, RPC.methodNotFound);
    const o = this.#o.find((tool) => (c ? this.#o.through(c, tool) : Promise.reject(new Error("no call"))));
    // Its client taken out by a reload (the route refuses its next request the same way: 403).
    if (!o) throw rpcError(NOT_NAMED, RPC.serverError);
    if (method === "tools/list") return { tools: this.#answers.onDemandTools(o) };
    // Tidied by the one route (share-call.ts); the server's identity off it: the gateway stamps its own.
    const { _meta, ...rest } = await this.#answers.onDemandCall(o, params.name, params.arguments);
    const { [SERVER_INFO_KEY]: _, ...meta } = (_meta ?? {}) as Json;
    return Object.keys(meta).length > 0 ? { ...rest, _meta: meta } : rest;
  }
}
