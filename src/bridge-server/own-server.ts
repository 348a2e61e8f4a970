/**
 * The bridge's own server (its tools, the plugins', the notes as resources) as one upstream in this
 * process: the JSON-RPC a shared server's process reads and writes, in 2026-07-28, over no pipe.
 * `/mcp` is a ShareHost driving it (main.ts), so its calls take a share's one route.
 */
import type { JSONRPCMessage, RequestId } from "@modelcontextprotocol/server";
import { errorObject, RPC, rpcError } from "../core/jsonrpc/codes.js";
import { isPlain } from "../core/plain-records.js";
import { bridgeDiscoverResult } from "./description.js";
import type { WireTransport } from "./gateway/index.js";
import type { NotesFolder } from "./notes-folder.js";
import type { ToolSet } from "./own-tools.js";
import { canonicalName, noteResources } from "./resources.js";
import type { ToolCall } from "./tools/define.js";
import { fail } from "./tools/result.js";

type Json = Record<string, unknown>;

/**
 * What a 2026-07-28 client may do with the lists it reads (the gateway takes them off for
 * 2025-11-25): the tools and the notes' URI template are fixed while the bridge runs (plugins load
 * at its start), so they may be reused for a minute; the notes change at any time, so their list
 * and contents are stale at once. Everything is the token holder's own: private.
 */
const CACHE_HINTS: Record<string, Json> = {
  "tools/list": { ttlMs: 60_000, cacheScope: "private" },
  "resources/templates/list": { ttlMs: 60_000, cacheScope: "private" },
  "resources/list": { ttlMs: 0, cacheScope: "private" },
  "resources/read": { ttlMs: 0, cacheScope: "private" },
};

/** A tool call: unknown name → -32602 (the spec's tools section); bad arguments or a failing handler → a tool error. */
async function callTool(tools: ToolSet, name: unknown, args: unknown, call: ToolCall): Promise<Json> {
  const tool = typeof name === "string" ? await tools.get(name) : undefined;
  if (!tool)
    throw rpcError(
      `Unknown tool: ${JSON.stringify(String(name).slice(0, 80))} (tools/list names the bridge's tools)`,
      RPC.invalidParams,
    );
  // Argument values reach a tool as the client sent them (`__proto__` keys of a JSON value included).
  const parsed = tool.input.safeParse(args ?? {});
  if (!parsed.success)
    return fail(
      `Invalid arguments for ${tool.name}: ${parsed.error.issues
        .map((i) => `${i.path.join(".") || "arguments"}: ${i.message}`)
        .join("; ")}`,
    );
  try {
    // A copy: the result may be a plugin's own object, and the gateway stamps what it is given.
    return { ...(await tool.run(parsed.data, call)) };
  } catch (error) {
    return fail(`${tool.name} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * One start of the bridge's own server, as its wire sees it (gateway/child-wire.ts): answers in
 * 2026-07-28 (an `initialize` is refused, so the handshake asks `server/discover`), each call's
 * client named by its envelope, one listen at a time for the notes' changes.
 */
export class OwnServer implements WireTransport {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  readonly #set: ToolSet;
  readonly #notes: NotesFolder;
  readonly #resources: ReturnType<typeof noteResources>;
  /** Calls in flight, each with what aborts its tool (the gateway's cancel names its id). */
  readonly #calls = new Map<RequestId, AbortController>();
  /**
   * The listen open now: the notes it names (canonical name → the URIs as asked, which its updates
   * carry), and whether it wants the list's changes. The gateway asks each time for all its
   * sessions want (gateway/subscriptions.ts), so a new listen ends the one before.
   */
  #listen:
    | {
        id: RequestId;
        notes: Map<string, Set<string>>;
        names: Map<string, string | undefined>;
        listChanged: boolean;
      }
    | undefined;
  #stopNotes: (() => void) | undefined;
  #closed = false;

  constructor(tools: ToolSet, notes: NotesFolder) {
    this.#set = tools;
    this.#notes = notes;
    this.#resources = noteResources(notes);
  }

  async start(): Promise<void> {
    this.#stopNotes = this.#notes.onChange((change) => this.#changed(change));
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.#closed) throw new Error("the bridge's own server is closed");
    // An answer: it asks its client nothing, so there is none to wait for.
    if (!("method" in message)) return;
    const params = (isPlain(message.params) ? message.params : {}) as Json;
    if ("id" in message) return void this.#request(message.id, message.method, params);
    if (message.method !== "notifications/cancelled") return;
    const id = params.requestId as RequestId;
    this.#calls.get(id)?.abort(String(params.reason ?? "cancelled"));
    if (this.#listen?.id === id) this.#listen = undefined;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopNotes?.();
    for (const call of this.#calls.values()) call.abort("the bridge is stopping");
    this.onclose?.();
  }

  /** Its messages reach the wire in a later microtask, as a process's would come in a later read. */
  #write(message: Json): void {
    if (!this.#closed)
      queueMicrotask(() => this.onmessage?.({ jsonrpc: "2.0", ...message } as JSONRPCMessage));
  }

  async #request(id: RequestId, method: string, params: Json): Promise<void> {
    try {
      const result = await this.#answer(id, method, params);
      if (result) this.#write({ id, result });
    } catch (error) {
      this.#write({ id, error: errorObject(error) });
    }
  }

  /** A request's result (undefined: a listen, answered when it ends), or its JSON-RPC error thrown. */
  async #answer(id: RequestId, method: string, params: Json): Promise<Json | undefined> {
    const hints = CACHE_HINTS[method];
    switch (method) {
      case "initialize":
        throw rpcError(
          "Unsupported protocol version: this server speaks 2026-07-28",
          RPC.unsupportedProtocolVersion,
        );
      case "server/discover":
        return bridgeDiscoverResult();
      case "ping":
        return {};
      case "tools/list":
        return { tools: this.#set.list, ...hints };
      case "tools/call":
        return this.#call(id, params);
      case "resources/list":
        return { ...(await this.#resources.list()), ...hints };
      case "resources/templates/list":
        return { ...(await this.#resources.templates()), ...hints };
      case "resources/read":
        if (typeof params.uri !== "string")
          throw rpcError("Invalid params: uri must be a string", RPC.invalidParams);
        return { ...(await this.#resources.read(params.uri)), ...hints };
      case "subscriptions/listen":
        return this.#listenTo(id, params);
      default:
        throw rpcError(`Method not found: ${method}`, RPC.methodNotFound);
    }
  }

  async #call(id: RequestId, params: Json): Promise<Json> {
    const info = (params._meta as Json | undefined)?.["io.modelcontextprotocol/clientInfo"];
    // The client named in the call's envelope: a 2025-11-25 session's initialize, put there by the gateway.
    const client = isPlain(info) && typeof info.name === "string" ? info.name : "unknown";
    const stop = new AbortController();
    this.#calls.set(id, stop);
    try {
      return await callTool(this.#set, params.name, params.arguments, {
        client,
        signal: stop.signal,
      });
    } finally {
      this.#calls.delete(id);
    }
  }

  /** A listen: the one before ended, this one acknowledged; a note named needs the folder watched (edits by hand). */
  #listenTo(id: RequestId, params: Json): undefined {
    const filter = (isPlain(params.notifications) ? params.notifications : {}) as Json;
    const asked = Array.isArray(filter.resourceSubscriptions) ? filter.resourceSubscriptions : [];
    const notes = new Map<string, Set<string>>();
    // Each listen names them all again: a URI the one before named is not resolved again.
    const before = this.#listen?.names;
    const names = new Map<string, string | undefined>();
    for (const uri of asked) {
      if (typeof uri !== "string") continue;
      const name = before?.has(uri) ? before.get(uri) : canonicalName(this.#notes, uri);
      names.set(uri, name);
      if (name !== undefined) notes.set(name, (notes.get(name) ?? new Set()).add(uri));
    }
    if (this.#listen) this.#write({ id: this.#listen.id, result: {} });
    this.#listen = { id, notes, names, listChanged: filter.resourcesListChanged === true };
    if (notes.size > 0) this.#notes.watch();
    const meta = { "io.modelcontextprotocol/subscriptionId": id };
    this.#write({ method: "notifications/subscriptions/acknowledged", params: { _meta: meta } });
    return undefined;
  }

  /** A note changed (through a tool or by hand): its listen told, and of a new or gone note, the list's change. */
  #changed(change: { name: string; kind: string }): void {
    const listen = this.#listen;
    if (!listen) return;
    for (const uri of listen.notes.get(change.name) ?? [])
      this.#write({ method: "notifications/resources/updated", params: { uri } });
    if (change.kind !== "updated" && listen.listChanged)
      this.#write({ method: "notifications/resources/list_changed" });
  }
}
