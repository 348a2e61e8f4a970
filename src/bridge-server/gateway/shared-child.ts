/**
 * One process of a shared server: started on first need in the protocol era it speaks (asked once,
 * remembered), its calls forwarded raw, its own messages handed on, restarted after a death with
 * backoff, stopped when idle.
 */
import { randomUUID } from "node:crypto";
import type {
  Client,
  JSONRPCRequest,
  JSONRPCResponse,
  LoggingMessageNotificationParams,
  McpSubscription,
  PriorDiscovery,
  Transport,
} from "@modelcontextprotocol/client";
import { RPC, rpcError } from "../../core/jsonrpc/codes.js";
import { VERSION } from "../../version.js";
import { type Clock, realClock } from "../clock.js";
import { eraOf } from "../endpoint.js";
import { ANY, asResultOf, type Json } from "./as-sent.js";
import { Asks } from "./asks.js";
import { ChildTransport } from "./child-transport.js";
import { type CachedServer, LIST_METHODS, type ListCache, type ListMethod } from "./list-cache.js";
import { subscriptionChange } from "./subscriptions.js";

const READY_TIMEOUT_MS = 30_000;
/** The fast path's request ids start here (the SDK client's count up from 0). */
const RAW_IDS = 2 ** 40;
/** Calls take as long as they take (the client cancels); the SDK's default would cut them at 60 s. */
const CALL_TIMEOUT_MS = 2 ** 31 - 1;
const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 10_000;
/** Up this long, a server's next death starts the backoff over. */
const HEALTHY_MS = 30_000;

const KINDS = { "tools/list": "tools", "prompts/list": "prompts", "resources/list": "resources" } as const;
export type ListKind = "tools" | "prompts" | "resources";

/** What a server may ask its client during a call (2025-11-25 has it ask over its own connection). */
const ASKS = ["elicitation/create", "sampling/createMessage", "roots/list"] as const;
export type AskMethod = (typeof ASKS)[number];

/**
 * Who a forwarded call belongs to: a session, and how to ask its client something (given up when
 * `signal` aborts: asks.ts's timeout, or the server withdrew it).
 */
export interface Caller {
  session: object;
  ask?: (method: AskMethod, params: Json | undefined, signal: AbortSignal) => Promise<Json>;
  /** A notification related to this call (a log message of a 2026-07-28 session). */
  notify?: (method: string, params: Json) => void;
}

/** What the shared server does that concerns its sessions (share-host.ts routes it). */
export interface ChildEvents {
  listChanged(kind: ListKind): void;
  resourceUpdated(uri: string): void;
  /** A log message no single call can be told to have caused. */
  message(params: LoggingMessageNotificationParams): void;
  /** A start worked or failed, or the process ended when it was not asked to. */
  outcome?(event: ChildOutcome): void;
}

/**
 * The server a SharedChild runs, and how each of its starts reaches it: a process of its own
 * (share-host.ts starts one through ChildTransport), or a server that runs elsewhere (the bridge,
 * for `serve` on stdio, over HTTP).
 */
export interface Upstream {
  /** Its name: what its list cache entry is kept under, and what errors call it. */
  readonly name: string;
  /** The transport a start connects over (the SDK's client starts it). */
  open(): Transport | Promise<Transport>;
  /**
   * What every start waits for first (default: nothing). When it fails, each call fails with its
   * error as it is, at once: no backoff, no restart counted.
   */
  readonly before?: Promise<unknown>;
}

export type ChildOutcome =
  | { kind: "started"; pid: number | undefined }
  | { kind: "failed"; error: string }
  | { kind: "exited"; error: string };

/**
 * Whose answers a process's are: the server's (every session's: `machine`), a folder's (`project`:
 * what it answers depends on where it runs), or its own (`session`: one session's process, whose
 * changes are no other session's; what a new process says still updates the server's entry).
 */
export type CacheScope = { kind: "server" } | { kind: "folder"; folder: string } | { kind: "own" };

export interface ChildInfo {
  pid: number | undefined;
  state: "stopped" | "starting" | "running";
  startedAt?: string;
  idleMs: number;
  inFlight: number;
  restarts: number;
  /** Its last start failed (and nothing runs since). */
  failed: boolean;
  /** Its last start failed, or it ended unasked: why, and when (none once a start works). */
  lastError?: string;
  lastErrorAt?: string;
}

const isList = (method: string) => (LIST_METHODS as readonly string[]).includes(method);

/** A 2026-07-28-only server refuses initialize with "unsupported protocol version". */
const refusesInitialize = (error: unknown) =>
  (error as { code?: unknown })?.code === RPC.unsupportedProtocolVersion ||
  /unsupported protocol version/i.test(String(error));

export class SharedChild {
  /** The server's name (Upstream.name). */
  readonly name: string;
  readonly #upstream: Upstream;
  readonly #cache: ListCache;
  readonly #launchKey: string;
  readonly #events: ChildEvents;
  #client: Client | undefined;
  #transport: Transport | undefined;
  #starting: Promise<Client> | undefined;
  readonly #clock: Clock;
  /** What this process asked its sessions' clients and is still waiting for. */
  readonly #asks: Asks;
  #startedAt = 0;
  #lastActivity: number;
  #diedAt = 0;
  #backoff = FIRST_BACKOFF_MS;
  #restarts = 0;
  #stopping = false;
  #lastError: { message: string; at: number } | undefined;
  #failed = false;
  readonly #inFlight = new Map<string, Caller>();
  readonly #progress = new Map<string, (params: Json) => void>();
  /** Fast-path calls in flight (rawCall): their answer, and what fails them. */
  readonly #raw = new Map<number, (response: JSONRPCResponse) => void>();
  readonly #rawFailed = new Map<number, (error: Error) => void>();
  #nextRaw = RAW_IDS;
  /** Resources some session wants updates of, and those the running process was asked for. */
  #wanted = new Set<string>();
  #listsPending: (() => Promise<void>) | undefined;
  /**
   * Whether this process was sent a request other than a list since it started: a list it says
   * from then on may be what a call changed (scope "own": that session's alone).
   */
  #served = false;
  #listsReading: Promise<void> = Promise.resolve();
  #subscribed = new Set<string>();
  #listen: McpSubscription | undefined;
  readonly #scope: CacheScope;
  /** Scope "own": what this process said, once started (its list changes are no one else's). */
  #own: CachedServer | undefined;
  /**
   * The list kinds being read again after a `list_changed`, and whether another change came
   * meanwhile: one re-read per kind at a time, however many changes the server announces.
   */
  readonly #rereading = new Map<ListKind, { again: boolean }>();

  /**
   * `launchKey`: what its answers are kept under in `cache` (another key, another server); `scope`:
   * whose its answers are (CacheScope; default the server's, shared by every session).
   */
  constructor(
    upstream: Upstream,
    launchKey: string,
    cache: ListCache,
    events: ChildEvents,
    options: { scope?: CacheScope; clock?: Clock } = {},
  ) {
    this.name = upstream.name;
    this.#clock = options.clock ?? realClock;
    this.#asks = new Asks(this.#clock);
    this.#lastActivity = this.#clock.now();
    this.#upstream = upstream;
    this.#launchKey = launchKey;
    this.#cache = cache;
    this.#events = events;
    this.#scope = options.scope ?? { kind: "server" };
    // Awaited by the first start; until then a failure must not count as unhandled.
    upstream.before?.catch(() => {});
  }

  /**
   * What the last start learned (era, identity, capabilities, lists), when it holds for this
   * launch: this process's own answers once it has some (scope "own"), a folder's (scope
   * "folder"), else the server's.
   */
  cached(): CachedServer | undefined {
    const scope = this.#scope;
    if (scope.kind === "folder") return this.#cache.get(this.name, this.#launchKey, scope.folder);
    return this.#own ?? this.#cache.get(this.name, this.#launchKey);
  }

  /** Keep what this start learned (#learn): a folder's in the folder's entry, else in the server's. */
  #keep(entry: CachedServer): void {
    const scope = this.#scope;
    if (scope.kind !== "own") {
      this.#cache.put(this.name, entry, scope.kind === "folder" ? scope.folder : undefined);
      return;
    }
    // Scope "own": the server's entry keeps its own lists (after a restart, this process's are its own).
    const server = this.#cache.get(this.name, this.#launchKey);
    this.#cache.put(this.name, { ...entry, lists: { ...(server ?? entry).lists } });
    this.#own = { ...entry, lists: { ...entry.lists } };
  }

  /**
   * A list read from the running process. `fresh`: read at its start, before it served any call
   * (what any new process says: the server's entry follows it too); else a change this process
   * announced, or one a call may have made, which stays its own in scope "own" (a session's
   * process's list is never another session's). True when it differs from what was kept (what
   * sessions were served).
   */
  #keepList(method: ListMethod, list: Json, fresh: boolean): boolean {
    const before = this.cached()?.lists[method];
    const { name } = this;
    const scope = this.#scope;
    if (scope.kind === "folder") this.#cache.putList(name, this.#launchKey, method, list, scope.folder);
    else if (fresh || scope.kind === "server") this.#cache.putList(name, this.#launchKey, method, list);
    if (this.#own) {
      this.#own.lists[method] = list;
      this.#own.updatedAt = new Date().toISOString();
    }
    return before !== undefined && JSON.stringify(before) !== JSON.stringify(list);
  }

  get running(): boolean {
    return this.#client !== undefined;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  info(): ChildInfo {
    return {
      pid: this.#client && this.#transport instanceof ChildTransport ? this.#transport.pid : undefined,
      state: this.#client ? "running" : this.#starting ? "starting" : "stopped",
      ...(this.#client ? { startedAt: new Date(this.#startedAt).toISOString() } : {}),
      idleMs: this.#inFlight.size > 0 ? 0 : this.#clock.now() - this.#lastActivity,
      inFlight: this.#inFlight.size,
      restarts: this.#restarts,
      failed: this.#failed && !this.#client,
      ...(this.#lastError
        ? { lastError: this.#lastError.message, lastErrorAt: new Date(this.#lastError.at).toISOString() }
        : {}),
    };
  }

  /** A request named this process (a list answered from the cache too): it is not idle. */
  touch(): void {
    this.#lastActivity = this.#clock.now();
  }

  /** The running server's client, starting it (once, for every waiter) when it is not. */
  start(): Promise<Client> {
    if (this.#client) return Promise.resolve(this.#client);
    this.#stopping = false;
    this.#starting ??= this.#start().finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  /**
   * Forward one request raw (an `input_required` result included) and return its raw result. A
   * progress callback gets the server's progress for it; `caller` says whose call it is.
   */
  async forward(
    method: string,
    params: Json | undefined,
    options: { signal?: AbortSignal; onprogress?: (params: Json) => void; caller: Caller },
  ): Promise<Json> {
    const id = randomUUID();
    this.#inFlight.set(id, options.caller);
    this.#lastActivity = this.#clock.now();
    let sent = params;
    if (options.onprogress) {
      const token = `gw-${id}`;
      this.#progress.set(token, options.onprogress);
      sent = { ...params, _meta: { ...(params?._meta as Json | undefined), progressToken: token } };
    }
    try {
      let client: Client;
      try {
        client = await this.start();
      } catch (error) {
        throw rpcError(error instanceof Error ? error.message : String(error));
      }
      if (!isList(method)) this.#served = true;
      try {
        return (await client.request({ method, params: sent }, ANY, {
          ...(options.signal ? { signal: options.signal } : {}),
          allowInputRequired: true,
          timeout: CALL_TIMEOUT_MS,
        })) as Json;
      } catch (error) {
        // The server died with the call in flight: said so, at once.
        if (
          this.#client !== client &&
          !this.#stopping &&
          !Number.isSafeInteger((error as { code?: unknown })?.code)
        )
          throw rpcError(
            `the shared server "${this.name}" exited during the call; it starts again on the next one`,
          );
        throw error;
      }
    } finally {
      this.#inFlight.delete(id);
      this.#progress.delete(`gw-${id}`);
      this.#lastActivity = this.#clock.now();
      if (this.#inFlight.size === 0) this.#readListsNow();
    }
  }

  /**
   * The resources some session is subscribed to (all of them, each time): a 2025-11-25 process is
   * subscribed and unsubscribed to match (the difference only), a 2026-07-28 one listens for them. Applied again after
   * a restart.
   */
  async subscriptions(uris: ReadonlySet<string>): Promise<void> {
    this.#wanted = new Set(uris);
    const client = this.#client ?? (uris.size > 0 ? await this.start() : undefined);
    if (client) await this.#applySubscriptions(client);
  }

  async #applySubscriptions(client: Client): Promise<void> {
    if (client.getProtocolEra() === "modern") return this.#relisten(client);
    const { added, gone } = subscriptionChange(this.#subscribed, this.#wanted);
    this.#subscribed = new Set(this.#wanted);
    await Promise.all([
      ...added.map((uri) =>
        // A server that refuses a subscription sends no updates for it, which is what it said.
        client.request({ method: "resources/subscribe", params: { uri } }, ANY).catch(() => {}),
      ),
      ...gone.map((uri) =>
        // A refused unsubscribe leaves updates the bridge drops (no session wants them).
        client.request({ method: "resources/unsubscribe", params: { uri } }, ANY).catch(() => {}),
      ),
    ]);
  }

  /** A 2026-07-28 process sends nothing unasked: one listen for its list changes and the resources wanted. */
  async #relisten(client: Client): Promise<void> {
    const caps = client.getServerCapabilities() ?? {};
    const filter = {
      ...(caps.tools?.listChanged ? { toolsListChanged: true as const } : {}),
      ...(caps.prompts?.listChanged ? { promptsListChanged: true as const } : {}),
      ...(caps.resources?.listChanged ? { resourcesListChanged: true as const } : {}),
      ...(caps.resources?.subscribe && this.#wanted.size > 0
        ? { resourceSubscriptions: [...this.#wanted] }
        : {}),
    };
    const before = this.#listen;
    this.#listen =
      // A refused listen: no list changes come, and the cached lists stay what the server said.
      Object.keys(filter).length > 0 ? await client.listen(filter).catch(() => undefined) : undefined;
    // The old listen is replaced: one already ended has nothing to close.
    await before?.close().catch(() => {});
  }

  /** `fresh`: the next start does not wait out the backoff of earlier deaths (a restart asked for). */
  async stop(options: { fresh?: boolean } = {}): Promise<void> {
    this.#stopping = true;
    if (options.fresh) {
      this.#diedAt = 0;
      this.#backoff = FIRST_BACKOFF_MS;
    }
    const starting = this.#starting;
    // Its failure was reported to whoever started it; here it only has to be over.
    if (starting) await starting.catch(() => {});
    const client = this.#client;
    this.#client = undefined;
    // Stopping: a client already closed (its process gone) has nothing more to close.
    await client?.close().catch(() => {});
  }

  async #start(): Promise<Client> {
    await this.#upstream.before;
    const wait = this.#diedAt + this.#backoff - this.#clock.now();
    if (this.#diedAt && wait > 0) await new Promise<void>((r) => this.#clock.after(wait, r));
    const cached = this.cached();
    let client: Client;
    try {
      // A folder it never ran in still knows the server's era (its entry, where one is kept).
      client = await this.#connect(cached ?? this.#cache.get(this.name, this.#launchKey));
    } catch (error) {
      const message = this.#startError(error);
      this.#lastError = { message, at: this.#clock.now() };
      this.#failed = true;
      this.#diedAt = this.#clock.now();
      this.#backoff = Math.min(this.#backoff * 2, MAX_BACKOFF_MS);
      this.#events.outcome?.({ kind: "failed", error: message });
      throw new Error(`the shared server "${this.name}" did not start: ${message}`);
    }
    this.#client = client;
    // A start that works clears what failed before: its state is what it is now.
    this.#failed = false;
    this.#lastError = undefined;
    this.#events.outcome?.({
      kind: "started",
      pid: this.#transport instanceof ChildTransport ? this.#transport.pid : undefined,
    });
    this.#startedAt = this.#clock.now();
    this.#lastActivity = this.#clock.now();
    client.onclose = () => this.#died(client);
    await this.#learn(client, cached);
    return client;
  }

  /**
   * Why a start failed, in words: a process that exited before it answered is said to have (the
   * SDK says only "Connection closed"); what it printed is in its log.
   */
  #startError(error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    const exit = this.#transport instanceof ChildTransport ? this.#transport.exit : undefined;
    return exit && /connection closed/i.test(message)
      ? `the server exited (${exit}) before it answered`
      : message;
  }

  /**
   * Connect in the era the cache remembers; with none (or when the remembered one fails), ask in
   * 2025-11-25 first — a server that speaks both is driven in it, since servers written for it ask
   * their clients things in ways 2026-07-28 no longer carries — and in 2026-07-28 when it refuses.
   */
  async #connect(cached: CachedServer | undefined): Promise<Client> {
    if (cached?.era === "2026-07-28" && cached.discover)
      return this.#open({ prior: { kind: "modern", discover: cached.discover } as PriorDiscovery }).catch(
        () => this.#probe(),
      );
    if (cached?.era === "2025-11-25")
      return this.#open({ prior: { kind: "legacy" } satisfies PriorDiscovery }).catch(() => this.#probe());
    return this.#probe();
  }

  async #probe(): Promise<Client> {
    try {
      return await this.#open({ prior: { kind: "legacy" } satisfies PriorDiscovery });
    } catch (error) {
      if (!refusesInitialize(error)) throw error;
      return this.#open({ pin: "2026-07-28" });
    }
  }

  async #open(how: { prior: PriorDiscovery } | { pin: string }): Promise<Client> {
    const { Client } = await import("@modelcontextprotocol/client");
    const client = new Client(
      { name: "mcp-twin-gateway", version: VERSION },
      {
        capabilities: { elicitation: { form: {}, url: {} }, sampling: {}, roots: { listChanged: true } },
        inputRequired: { autoFulfill: false },
        ...("pin" in how ? { versionNegotiation: { mode: { pin: how.pin } } } : {}),
      },
    );
    for (const method of ASKS)
      client.setRequestHandler(method, async (request, ctx) =>
        asResultOf(method, await this.#ask(method, request.params, ctx.mcpReq.signal)),
      );
    for (const [method, kind] of [
      ["notifications/tools/list_changed", "tools"],
      ["notifications/prompts/list_changed", "prompts"],
      ["notifications/resources/list_changed", "resources"],
    ] as const)
      client.setNotificationHandler(method, () => void this.#listChanged(client, kind));
    client.setNotificationHandler("notifications/resources/updated", (n) =>
      this.#events.resourceUpdated(n.params.uri),
    );
    client.setNotificationHandler("notifications/message", (n) => this.#message(n.params));
    const transport = await this.#upstream.open();
    this.#transport = transport;
    await client.connect(transport, {
      timeout: READY_TIMEOUT_MS,
      ...("prior" in how ? { prior: how.prior } : {}),
    });
    this.#routeProgress(transport);
    return client;
  }

  /**
   * Progress for the gateway's own tokens goes to its call straight off the transport: the SDK's
   * client dispatches notifications a microtask after responses, so the last progress of a call
   * read in the same chunk as its answer would otherwise be lost.
   */
  #routeProgress(transport: Transport): void {
    const deliver = transport.onmessage;
    transport.onmessage = (message, extra) => {
      if ("method" in message) {
        const token = message.params?.progressToken;
        const route =
          message.method === "notifications/progress" && typeof token === "string"
            ? this.#progress.get(token)
            : undefined;
        if (route && message.params) return route(message.params);
      } else if (typeof message.id === "number" && message.id >= RAW_IDS) {
        const raw = this.#raw.get(message.id);
        if (raw) {
          this.#raw.delete(message.id);
          return raw(message);
        }
      }
      deliver?.call(transport, message, extra);
    };
  }

  /**
   * The fast path of a call between two 2025-11-25 ends (the server running): the client's request
   * is written to the server as it came, under an id of the gateway's own, and the server's answer
   * is handed back as it came — no schema between them. A death answers it like any call.
   */
  async rawCall(
    message: JSONRPCRequest,
    caller: Caller,
    options: { progress?: (params: Json) => void; sent?: (id: number) => void } = {},
  ): Promise<JSONRPCResponse> {
    const { progress } = options;
    const transport = this.#transport;
    if (!this.#client || !transport) throw rpcError(`the shared server "${this.name}" is not running`);
    // A number (servers that write their answers by hand expect one), far above the SDK client's.
    const id = this.#nextRaw++;
    const key = `raw-${id}`;
    if (!isList(message.method)) this.#served = true;
    this.#inFlight.set(key, caller);
    this.#lastActivity = this.#clock.now();
    let params = message.params as Json | undefined;
    const token = (params?._meta as Json | undefined)?.progressToken;
    if (token !== undefined && progress) {
      this.#progress.set(key, progress);
      params = { ...params, _meta: { ...(params?._meta as Json), progressToken: key } };
    }
    try {
      return await new Promise<JSONRPCResponse>((resolve, reject) => {
        this.#raw.set(id, resolve);
        this.#rawFailed.set(id, reject);
        transport.send({ ...message, id, ...(params ? { params } : {}) }).catch(reject);
        options.sent?.(id);
      });
    } finally {
      this.#raw.delete(id);
      this.#rawFailed.delete(id);
      this.#inFlight.delete(key);
      this.#progress.delete(key);
      this.#lastActivity = this.#clock.now();
      if (this.#inFlight.size === 0) this.#readListsNow();
    }
  }

  /** A fast-path call the client cancelled: the server is told, under the gateway's id. */
  rawCancel(message: { params?: Json }, id: number): void {
    void this.#transport
      ?.send({
        jsonrpc: "2.0",
        method: "notifications/cancelled",
        params: { ...message.params, requestId: id },
      })
      // The request may be answered already: a cancel for it has nothing to stop.
      .catch(() => {});
    // A cancelled request may go unanswered: nothing waits for it any more.
    this.#rawFailed.get(id)?.(Object.assign(new Error("cancelled"), { cancelled: true }));
  }

  /**
   * What a start learned goes to the cache: the era (dated), identity and capabilities at once,
   * the lists as they come (the call that started it does not wait for them).
   */
  async #learn(client: Client, cached: CachedServer | undefined): Promise<void> {
    const era = eraOf(client.getProtocolEra());
    const capabilities = (client.getServerCapabilities() ?? {}) as CachedServer["capabilities"];
    const discover = client.getDiscoverResult?.() as Json | undefined;
    this.#keep({
      key: this.#launchKey,
      era,
      eraCheckedAt: cached?.era === era ? cached.eraCheckedAt : new Date().toISOString(),
      ...(era === "2026-07-28" && discover ? { discover } : {}),
      serverInfo: (client.getServerVersion() as CachedServer["serverInfo"]) ?? {
        name: this.name,
        version: "0",
      },
      capabilities,
      ...(client.getInstructions() ? { instructions: client.getInstructions() } : {}),
      lists: { ...cached?.lists },
      updatedAt: new Date().toISOString(),
    });
    this.#subscribed = new Set();
    this.#listen = undefined;
    this.#served = false;
    if (era === "2026-07-28" || this.#wanted.size > 0) await this.#applySubscriptions(client);
    // Read once the call that started it is answered (the server serves one thing at a time).
    this.#listsPending = () => this.#readLists(client, capabilities);
    this.#clock.after(2000, () => this.#readListsNow());
  }

  /** The lists of a start, read now if they still wait (no call in flight, or after 2 s). */
  #readListsNow(): void {
    void this.listsNow();
  }

  /** The lists of a start read now, if they still wait (the cache's warm-up waits for them). */
  async listsNow(): Promise<void> {
    const read = this.#listsPending;
    this.#listsPending = undefined;
    // A read under way is waited for too: who asks now wants the lists it brings.
    if (read) this.#listsReading = read();
    await this.#listsReading;
  }

  /**
   * A start's lists, kept. One that differs from what was kept (the program changed under the same
   * launch key, and a session was served the old list) is said to every session, as a change.
   */
  async #readLists(client: Client, capabilities: CachedServer["capabilities"]): Promise<void> {
    const changed = new Set<ListKind>();
    for (const method of LIST_METHODS) {
      const kind = method === "resources/templates/list" ? "resources" : KINDS[method];
      if (!capabilities[kind]) continue;
      const list = await client
        .request({ method, params: {} }, ANY, { timeout: READY_TIMEOUT_MS })
        // Unread, the list stays what the cache holds; the next list_changed reads it again.
        .catch(() => undefined);
      if (list && this.#keepList(method, list as Json, !this.#served)) changed.add(kind);
    }
    if (this.#client === client) for (const kind of changed) this.#events.listChanged(kind);
  }

  /**
   * A list changed: read it again for the cache, then tell every session. Changes announced while
   * it is read are merged into one more read after it: a storm of them (from a server that may not
   * answer its lists any more) costs one request in flight, not one per change.
   */
  async #listChanged(client: Client, kind: ListKind): Promise<void> {
    const reading = this.#rereading.get(kind);
    if (reading) {
      reading.again = true;
      return;
    }
    const state = { again: false };
    this.#rereading.set(kind, state);
    try {
      do {
        state.again = false;
        await this.#reread(client, kind);
      } while (state.again && this.#client === client);
    } finally {
      this.#rereading.delete(kind);
    }
  }

  async #reread(client: Client, kind: ListKind): Promise<void> {
    const methods: ListMethod[] =
      kind === "resources" ? ["resources/list", "resources/templates/list"] : [`${kind}/list`];
    for (const method of methods) {
      const list = await client
        .request({ method, params: {} }, ANY, { timeout: READY_TIMEOUT_MS })
        // Unread, the list stays what the cache holds; the next list_changed reads it again.
        .catch(() => undefined);
      if (list) this.#keepList(method, list as Json, false);
    }
    this.#events.listChanged(kind);
  }

  /**
   * The server asks a client something (elicitation, sampling, roots): 2025-11-25 over stdio does
   * not say which call caused it, so it goes to the one session with calls in flight — and is
   * refused at once, never left waiting, when there is none or more than one. Capped and timed
   * per session (asks.ts); `withdrawn`: the server cancelled it.
   */
  #ask(method: AskMethod, params: Json | undefined, withdrawn: AbortSignal): Promise<Json> {
    const sessions = new Set([...this.#inFlight.values()].map((c) => c.session));
    const caller = sessions.size === 1 ? [...this.#inFlight.values()].find((c) => c.ask) : undefined;
    if (!caller?.ask) {
      const why =
        sessions.size === 0
          ? "no call of a client is in flight"
          : `${sessions.size} client sessions have calls in flight`;
      return Promise.reject(
        rpcError(`${method}: a shared server can ask a client only during that client's own call (${why})`),
      );
    }
    const ask = caller.ask;
    return this.#asks.put(caller.session, method, (signal) => ask(method, params, signal), withdrawn);
  }

  /** A log message: to the one call in flight that wants it, else to the sessions (share-host.ts). */
  #message(params: LoggingMessageNotificationParams): void {
    const callers = [...this.#inFlight.values()];
    const only = callers.length === 1 ? callers[0] : undefined;
    if (only?.notify) only.notify("notifications/message", params);
    else this.#events.message(params);
  }

  #died(client: Client): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    const dead = rpcError(
      `the shared server "${this.name}" exited during the call; it starts again on the next one`,
    );
    for (const fail of this.#rawFailed.values()) fail(dead);
    if (this.#stopping) return;
    this.#restarts++;
    const how = this.#transport instanceof ChildTransport ? this.#transport.exit : undefined;
    this.#lastError = { message: `the server exited${how ? ` (${how})` : ""}`, at: this.#clock.now() };
    this.#events.outcome?.({ kind: "exited", error: this.#lastError.message });
    // A death soon after a start waits longer before the next one; a long healthy run starts over.
    this.#backoff =
      this.#clock.now() - this.#startedAt > HEALTHY_MS
        ? FIRST_BACKOFF_MS
        : Math.min(this.#backoff * 2, MAX_BACKOFF_MS);
    this.#diedAt = this.#clock.now();
  }
}
