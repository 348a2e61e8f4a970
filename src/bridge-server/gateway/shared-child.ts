/**
 * One process of a shared server: started on first need in the protocol era it speaks (asked once,
 * remembered), its calls forwarded raw, its own messages handed on, restarted after a death with
 * backoff, stopped when idle.
 */
import type {
  Client,
  JSONRPCRequest,
  JSONRPCResponse,
  LoggingMessageNotificationParams,
} from "@modelcontextprotocol/client";
import { rpcError } from "../../core/jsonrpc/codes.js";
import { VERSION } from "../../version.js";
import { type CallStop, onAbort } from "../call-stop.js";
import { type Clock, realClock } from "../clock.js";
import type { Era } from "../endpoint.js";
import { asResultOf, type Json } from "./as-sent.js";
import { ASK_METHODS, type AskMethod, Asks, type Caller } from "./asks.js";
import { CallReplies } from "./call-replies.js";
import { type CacheScope, ChildLists } from "./child-lists.js";
import type { ChildTransport } from "./child-transport.js";
import { type Connection, connectInEra } from "./era-probe.js";
import type { CachedServer, ListCache, ListKind, ListMethod } from "./list-cache.js";
import { UpstreamSubscriptions } from "./subscriptions.js";

const READY_TIMEOUT_MS = 30_000;
const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 10_000;
/** Up this long, a server's next death starts the backoff over. */
const HEALTHY_MS = 30_000;

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
 * (share-host.ts starts one through ChildTransport).
 */
export interface Upstream {
  /** Its name: what its list cache entry is kept under, and what errors call it. */
  readonly name: string;
  /** The transport a start connects over (the SDK's client starts its process). */
  open(): ChildTransport;
}

export type ChildOutcome =
  | { kind: "started"; pid: number | undefined }
  | { kind: "failed"; error: string }
  | { kind: "exited"; error: string };

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

export class SharedChild {
  /** The server's name (Upstream.name). */
  readonly name: string;
  readonly #upstream: Upstream;
  readonly #cache: ListCache;
  readonly #launchKey: string;
  readonly #events: ChildEvents;
  #client: Client | undefined;
  #transport: ChildTransport | undefined;
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
  /** Its progress and fast-path answers, taken off its transport for their calls. */
  readonly #replies = new CallReplies();
  /** What it said it holds (its cache entry as its scope sees it) and the lists it reads. */
  readonly #lists: ChildLists;
  /** The resources its sessions want updates of, and what its process was asked. */
  readonly #subs = new UpstreamSubscriptions();

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
    this.#lists = new ChildLists({
      name: this.name,
      launchKey,
      cache,
      scope: options.scope ?? { kind: "server" },
      clock: this.#clock,
      current: () => this.#client,
      changed: (kind) => this.#events.listChanged(kind),
    });
  }

  /**
   * What the last start learned (era, identity, capabilities, lists), when it holds for this
   * launch: this process's own answers once it has some (scope "own"), a folder's (scope
   * "folder"), else the server's.
   */
  cached(): CachedServer | undefined {
    return this.#lists.cached();
  }

  /**
   * A list as the cache holds it, when it is answered from there: the first page (no cursor) while
   * the process is stopped; undefined otherwise (or when none is kept).
   */
  listFromCache(method: ListMethod, cursor: unknown): Json | undefined {
    return !this.#client && cursor === undefined ? this.cached()?.lists[method] : undefined;
  }

  get running(): boolean {
    return this.#client !== undefined;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  info(): ChildInfo {
    return {
      pid: this.#client ? this.#transport?.pid : undefined,
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
   * The resources some session is subscribed to (all of them, each time): a 2025-11-25 process is
   * subscribed and unsubscribed to match (the difference only), a 2026-07-28 one listens for them. Applied again after
   * a restart.
   */
  async subscriptions(uris: ReadonlySet<string>): Promise<void> {
    this.#subs.want(uris);
    const client = this.#client ?? (uris.size > 0 ? await this.start() : undefined);
    if (client) await this.#subs.apply(client);
  }

  /**
   * A question of a 2026-07-28 process's `input_required` put to the client of `caller`: capped and
   * timed per session like its other questions (asks.ts); `given` aborts it (the call ended).
   */
  ask(caller: Required<Caller>, method: AskMethod, params: Json | undefined, given?: AbortSignal) {
    return this.#asks.put(caller.session, method, (signal) => caller.ask(method, params, signal), given);
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
    const wait = this.#diedAt + this.#backoff - this.#clock.now();
    if (this.#diedAt && wait > 0) await new Promise<void>((r) => this.#clock.after(wait, r));
    const cached = this.cached();
    let client: Client;
    try {
      // A folder it never ran in still knows the server's era (its entry, where one is kept).
      client = await connectInEra(cached ?? this.#cache.get(this.name, this.#launchKey), (how) =>
        this.#open(how),
      );
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
    this.#events.outcome?.({ kind: "started", pid: this.#transport?.pid });
    this.#startedAt = this.#clock.now();
    this.#lastActivity = this.#clock.now();
    client.onclose = () => this.#died(client);
    await this.#learn(client, cached);
    return client;
  }

  /** What a start learned goes to the cache, its subscriptions again to its process. */
  async #learn(client: Client, cached: CachedServer | undefined): Promise<void> {
    const { era, capabilities } = this.#lists.learned(client, cached);
    this.#subs.restarted();
    if (era === "2026-07-28" || this.#subs.wanted > 0) await this.#subs.apply(client);
    // Read once the call that started it is answered (the server serves one thing at a time).
    this.#lists.pend(client, capabilities);
  }

  /** The lists of a start read now, if they still wait (the cache's warm-up waits for them). */
  listsNow(): Promise<void> {
    return this.#lists.listsNow();
  }

  /**
   * Why a start failed, in words: a process that exited before it answered is said to have (the
   * SDK says only "Connection closed"); what it printed is in its log.
   */
  #startError(error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    const exit = this.#transport?.exit;
    return exit && /connection closed/i.test(message)
      ? `the server exited (${exit}) before it answered`
      : message;
  }

  async #open(how: Connection): Promise<Client> {
    const { Client } = await import("@modelcontextprotocol/client");
    const client = new Client(
      { name: "mcp-twin-gateway", version: VERSION },
      {
        capabilities: { elicitation: { form: {}, url: {} }, sampling: {}, roots: { listChanged: true } },
        inputRequired: { autoFulfill: false },
        ...("pin" in how ? { versionNegotiation: { mode: { pin: how.pin } } } : {}),
      },
    );
    for (const method of ASK_METHODS)
      client.setRequestHandler(method, async (request, ctx) =>
        asResultOf(
          method,
          await this.#asks.duringCall(
            [...this.#inFlight.values()],
            method,
            request.params,
            ctx.mcpReq.signal,
          ),
        ),
      );
    for (const [method, kind] of [
      ["notifications/tools/list_changed", "tools"],
      ["notifications/prompts/list_changed", "prompts"],
      ["notifications/resources/list_changed", "resources"],
    ] as const)
      client.setNotificationHandler(method, () => void this.#lists.changed(client, kind));
    client.setNotificationHandler("notifications/resources/updated", (n) =>
      this.#events.resourceUpdated(n.params.uri),
    );
    client.setNotificationHandler("notifications/message", (n) => this.#message(n.params));
    const transport = this.#upstream.open();
    this.#transport = transport;
    await client.connect(transport, {
      timeout: READY_TIMEOUT_MS,
      ...("prior" in how ? { prior: how.prior } : {}),
    });
    this.#replies.watch(transport);
    return client;
  }

  /** The era the process speaks, started first when it is not running (a failed start as a call's error). */
  async speaks(): Promise<Era | undefined> {
    try {
      await this.start();
    } catch (error) {
      throw rpcError(error instanceof Error ? error.message : String(error));
    }
    return this.cached()?.era;
  }

  /**
   * One request to the process, started first when it is not running: written as it came, under an
   * id of the gateway's own (its progress under a token of the gateway's, given to `progress`), and
   * its answer handed back as the server wrote it — no schema between them. A death answers it like
   * any call; `sent` is told the id, which a cancel names (rawCancel).
   */
  async rawCall(
    message: JSONRPCRequest,
    caller: Caller,
    options: { progress?: (params: Json) => void; sent?: (id: number) => void } = {},
  ): Promise<JSONRPCResponse> {
    const { progress } = options;
    const id = this.#replies.nextId();
    const key = `raw-${id}`;
    this.#inFlight.set(key, caller);
    this.#lastActivity = this.#clock.now();
    try {
      await this.speaks();
      const transport = this.#transport;
      if (!this.#client || !transport) throw rpcError(`the shared server "${this.name}" is not running`);
      this.#lists.sent(message.method);
      let params = message.params as Json | undefined;
      const token = (params?._meta as Json | undefined)?.progressToken;
      if (token !== undefined && progress) {
        this.#replies.progress(key, progress);
        params = { ...params, _meta: { ...(params?._meta as Json), progressToken: key } };
      }
      return await this.#replies.send(
        transport,
        { ...message, id, ...(params ? { params } : {}) },
        options.sent,
      );
    } finally {
      this.#inFlight.delete(key);
      this.#replies.dropProgress(key);
      this.#lastActivity = this.#clock.now();
      if (this.#inFlight.size === 0) this.#lists.readNow();
    }
  }

  /**
   * rawCall's result, or its error thrown as the SDK's client throws one (its code, message and
   * data); `stop` cancels it at the server.
   */
  async call(
    message: JSONRPCRequest,
    caller: Caller,
    options: { progress?: (params: Json) => void; stop?: AbortSignal | CallStop } = {},
  ): Promise<Json> {
    const { stop } = options;
    let rawId: number | undefined;
    const off = stop
      ? onAbort(stop, () => {
          if (rawId !== undefined) this.rawCancel({ params: { reason: String(stop.reason) } }, rawId);
        })
      : undefined;
    try {
      const response = await this.rawCall(message, caller, {
        ...(options.progress ? { progress: options.progress } : {}),
        sent: (id) => {
          rawId = id;
        },
      });
      if ("error" in response) throw Object.assign(new Error(response.error.message), response.error);
      return ("result" in response ? response.result : {}) as Json;
    } finally {
      off?.();
    }
  }

  /** A fast-path call the client cancelled: the server is told, under the gateway's id. */
  rawCancel(message: { params?: Json }, id: number): void {
    this.#replies.cancel(this.#transport, message, id);
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
    this.#replies.failAll(dead);
    if (this.#stopping) return;
    this.#restarts++;
    const how = this.#transport?.exit;
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
