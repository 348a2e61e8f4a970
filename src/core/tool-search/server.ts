/**
 * The server a client of the gateway's `/tools` talks to: tools only, `tools/list` and `tools/call`
 * answered by search-and-call.ts for what one client gets, in 2026-07-28, as a shared server's
 * process answers the gateway over its pipe — here in the gateway's own process.
 */
import type { JSONRPCMessage } from "@modelcontextprotocol/server";
import { VERSION } from "../../version.js";
import { errorObject, RPC, rpcError } from "../jsonrpc/codes.js";
import { SERVER_INFO_KEY } from "../jsonrpc/envelope-headers.js";
import { isPlain } from "../plain-records.js";
import type { KeptIndex } from "./kept-index.js";
import type { OnDemand } from "./search-and-call.js";

type Json = Record<string, unknown>;

/** Its `server/discover` answer; its name is what the client's tool list of the `tools` entry comes from. */
const DISCOVER = {
  supportedVersions: ["2026-07-28"],
  capabilities: { tools: { listChanged: true } },
  instructions: "search_tools finds the tools of the servers behind this one; call_tool calls one.",
  _meta: { [SERVER_INFO_KEY]: { name: "mcp-twin-tools", version: VERSION } },
};

/** Why `/tools` refuses a client token (403): its client is not one the manifest's toolSearch names. */
export const NOT_NAMED =
  "Forbidden: /tools serves the clients the manifest's toolSearch names, each with its own client token (mcp-twin sync writes it)";

/**
 * One upstream of `/tools` (gateway/tools-route.ts keeps one per client, folder and session): what
 * it answers is found again for each request (a project folder's list, once its process has listed
 * it, replaces its server's; a reload's rules apply at once), and told again when `kept` changes.
 */
export class OnDemandServer {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  readonly #find: () => OnDemand | undefined;
  readonly #kept: KeptIndex;
  readonly #tell = () => this.#indexChanged();
  // Loaded with its first start (zod checks the arguments): an idle bridge does not carry it.
  #answers: typeof import("./search-and-call.js") | undefined;
  /** Its tools when it started or last told a change: an index change is told only when it changes them. */
  #listed: string | undefined;
  #ended = false;

  constructor(find: () => OnDemand | undefined, kept: KeptIndex) {
    this.#find = find;
    this.#kept = kept;
  }

  async start(): Promise<void> {
    this.#answers = await import("./search-and-call.js");
    this.#listed = this.#tools();
    this.#kept.told.add(this.#tell);
  }

  /** Its tools now, as JSON (none: its token no longer names a client of toolSearch). */
  #tools(): string | undefined {
    const o = this.#find();
    return o && this.#answers && JSON.stringify(this.#answers.onDemandTools(o));
  }

  /** The index was brought up to date: its client is told when its tools changed with it. */
  #indexChanged(): void {
    const now = this.#tools();
    if (now === this.#listed) return;
    this.#listed = now;
    this.#write({ method: "notifications/tools/list_changed" });
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.#ended) throw new Error("the /tools server is closed");
    // Answers and notifications: it asks nothing, and a call is not stopped halfway.
    if (!("method" in message) || !("id" in message)) return;
    const { id, method } = message;
    try {
      this.#write({ id, result: await this.#answer(method, (message.params ?? {}) as Json) });
    } catch (error) {
      this.#write({ id, error: errorObject(error) });
    }
  }

  async close(): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    this.#kept.told.delete(this.#tell);
    this.onclose?.();
  }

  /** Its messages reach the wire in a later microtask, as a process's would come in a later read. */
  #write(message: Json): void {
    if (!this.#ended)
      queueMicrotask(() => this.onmessage?.({ jsonrpc: "2.0", ...message } as JSONRPCMessage));
  }

  async #answer(method: string, params: Json): Promise<Json> {
    if (method === "initialize")
      throw rpcError(
        "Unsupported protocol version: this server speaks 2026-07-28",
        RPC.unsupportedProtocolVersion,
      );
    if (method === "server/discover") return { ...DISCOVER };
    if (method === "ping") return {};
    const answers = this.#answers;
    const o = this.#find();
    if (method !== "tools/list" && method !== "tools/call")
      throw rpcError(`Method not found: ${method}`, RPC.methodNotFound);
    if (!o || !answers)
      throw new Error(
        "Forbidden: this client's token no longer names a client the manifest's toolSearch names",
      );
    if (method === "tools/list") return { tools: answers.onDemandTools(o) };
    // Every call goes on as a 2026-07-28 request with its client's envelope (the gateway put a
    // 2025-11-25 session's there), so a server's question comes back as `input_required`: the
    // gateway asks a 2025-11-25 client on the call's stream and sends the call again with the answers.
    const { _meta, inputResponses, requestState } = params;
    const via = {
      _meta: isPlain(_meta) ? _meta : {},
      ...(isPlain(inputResponses) ? { inputResponses } : {}),
      ...(typeof requestState === "string" ? { requestState } : {}),
    };
    return unstamped(await answers.onDemandCall(o, params.name, params.arguments, via));
  }
}

/**
 * A server's result without what marks it as that server's answer in 2026-07-28 (`resultType:
 * "complete"`, its `serverInfo`): the gateway stamps this server's, in the client's era.
 */
function unstamped(result: Json): Json {
  const { resultType, _meta, ...rest } = result;
  const { [SERVER_INFO_KEY]: _, ...meta } = (_meta ?? {}) as Json;
  return {
    ...rest,
    ...(resultType === "complete" || resultType === undefined ? {} : { resultType }),
    ...(Object.keys(meta).length > 0 ? { _meta: meta } : {}),
  };
}
