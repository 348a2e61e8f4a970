/**
 * The bridge's own server (its tools, the plugins', the notes as resources) as one upstream in this
 * process (gateway/upstream.ts): `/mcp` is a ShareHost holding it (main.ts), so its calls take a
 * share's one route.
 */
import { RPC, rpcError } from "../core/jsonrpc/codes.js";
import { isPlain } from "../core/plain-records.js";
import { bridgeDiscoverResult } from "./description.js";
import { type Call, saidBy, type Upstream, type UpstreamEvents } from "./gateway/index.js";
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
 * The bridge's own server as the gateway's upstream (gateway/upstream.ts) for `/mcp`, driven in
 * 2026-07-28: each call's client named by the call (`memory_set`'s `updatedBy`), its cancel its
 * tool's signal; one listen at a time for the notes' changes.
 */
export class OwnServer implements Upstream {
  readonly said = saidBy(bridgeDiscoverResult());
  readonly #set: ToolSet;
  readonly #notes: NotesFolder;
  readonly #events: UpstreamEvents;
  readonly #resources: ReturnType<typeof noteResources>;
  /**
   * The listen open now: the notes it names (canonical name → the URIs as asked, which its updates
   * carry), and whether it wants the list's changes. The gateway asks each time for all its
   * sessions want (gateway/subscriptions.ts), so a new listen ends the one before.
   */
  #listen:
    | { notes: Map<string, Set<string>>; names: Map<string, string | undefined>; listChanged: boolean }
    | undefined;
  readonly #stopNotes: () => void;

  constructor(tools: ToolSet, notes: NotesFolder, events: UpstreamEvents) {
    this.#set = tools;
    this.#notes = notes;
    this.#events = events;
    this.#resources = noteResources(notes);
    this.#stopNotes = notes.onChange((change) => this.#changed(change));
  }

  async close(): Promise<void> {
    this.#stopNotes();
  }

  call(c: Call): Promise<Json> {
    return this.#answer(c.request.method, c.request.params ?? {}, c);
  }

  request(method: string, params: Json = {}): Promise<Json> {
    return this.#answer(method, params);
  }

  /** A request's result, or its JSON-RPC error thrown (`c`: the client's call it is). */
  async #answer(method: string, params: Json, c?: Call): Promise<Json> {
    const hints = CACHE_HINTS[method];
    switch (method) {
      case "tools/list":
        return { tools: this.#set.list, ...hints };
      case "tools/call": {
        // The client named by the call: a 2025-11-25 session's initialize, a 2026-07-28 request's envelope.
        const info = c?.client.info;
        const client = isPlain(info) && typeof info.name === "string" ? info.name : "unknown";
        const signal = c?.stop.signal ?? new AbortController().signal;
        return callTool(this.#set, params.name, params.arguments, { client, signal });
      }
      case "resources/list":
        return { ...(await this.#resources.list()), ...hints };
      case "resources/templates/list":
        return { ...(await this.#resources.templates()), ...hints };
      case "resources/read":
        if (typeof params.uri !== "string")
          throw rpcError("Invalid params: uri must be a string", RPC.invalidParams);
        return { ...(await this.#resources.read(params.uri)), ...hints };
      default:
        throw rpcError(`Method not found: ${method}`, RPC.methodNotFound);
    }
  }

  /** A listen: the one before ended; a note named needs the folder watched (edits by hand). */
  async listen(filter: Json): Promise<() => void> {
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
    const listen = { notes, names, listChanged: filter.resourcesListChanged === true };
    this.#listen = listen;
    if (notes.size > 0) this.#notes.watch();
    return () => {
      if (this.#listen === listen) this.#listen = undefined;
    };
  }

  /** A note changed (through a tool or by hand): its listen told, and of a new or gone note, the list's change. */
  #changed(change: { name: string; kind: string }): void {
    const listen = this.#listen;
    if (!listen) return;
    for (const uri of listen.notes.get(change.name) ?? [])
      this.#events.notified("notifications/resources/updated", { uri });
    if (change.kind !== "updated" && listen.listChanged)
      this.#events.notified("notifications/resources/list_changed", undefined);
  }
}
