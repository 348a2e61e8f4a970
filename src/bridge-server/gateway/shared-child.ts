/**
 * One process of a shared server: started on first need in the protocol era it speaks (asked once,
 * remembered), its calls forwarded raw over its wire, its own messages handed on, restarted after a
 * death with backoff, stopped when idle.
 */
import type { JSONRPCRequest, LoggingMessageNotificationParams } from "@modelcontextprotocol/server";
import { RPC, rpcError } from "../../core/jsonrpc/codes.js";
import { type Clock, realClock } from "../clock.js";
import type { Era } from "../endpoint.js";
import { ASK_METHODS, type AskMethod, Asks, type Caller } from "./asks.js";
import { type CacheScope, ChildLists } from "./child-lists.js";
import { ChildWire, type SendOptions, type WireTransport } from "./child-wire.js";
import { type Connected, connectInEra } from "./era-probe.js";
import type { CachedServer, ListCache, ListKind, ListMethod } from "./list-cache.js";
import type { ReverseShim } from "./reverse-shim.js";
import { UpstreamSubscriptions } from "./subscriptions.js";
import type { Json } from "./wire-json.js";

const LIST_CHANGED: Record<string, ListKind> = {
  "notifications/tools/list_changed": "tools",
  "notifications/prompts/list_changed": "prompts",
  "notifications/resources/list_changed": "resources",
};
const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 10_000;
/** Up this long, a server's next death starts the backoff over. */
const HEALTHY_MS = 30_000;

/** What the shared server does that concerns its sessions (share-host.ts routes it). */
export interface ChildEvents {
  listChanged(kind: ListKind): void;
  resourceUpdated(uri: string): void;
  /** Every resource some session of this process is subscribed to. */
  wanted(): ReadonlySet<string>;
  /** A log message no single call can be told to have caused. */
  message(params: LoggingMessageNotificationParams): void;
  /** A start worked or failed, or the process ended when it was not asked to. */
  outcome(event: ChildOutcome): void;
}

export type ChildOutcome =
  | { kind: "started"; pid: number | undefined }
  | { kind: "failed"; error: string }
  | { kind: "exited"; error: string };

export class SharedChild {
  readonly name: string;
  readonly #transportOf: () => WireTransport;
  /** Its server's calls parked for a 2026-07-28 client's answer (the cap is the server's, not the process's). */
  readonly shim: ReverseShim;
  readonly cache: ListCache;
  readonly #launchKey: string;
  readonly #events: ChildEvents;
  /** The running process, past its handshake. */
  #live: Connected | undefined;
  #transport: WireTransport | undefined;
  #starting: Promise<Connected> | undefined;
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
  /** Calls sent or about to be (a start's too): whose they are, for the questions they cause. */
  readonly #inFlight = new Map<object, Caller>();
  /** What it said it holds (its cache entry as its scope sees it) and the lists it reads. */
  readonly #lists: ChildLists;
  /** The resources its sessions want updates of, and what its process was asked. */
  readonly #subs = new UpstreamSubscriptions();

  /**
   * `name`: what its cache entry is kept under, and what errors call it; `open`: the transport a
   * start connects over — a process of its own (share-host.ts starts one through ChildTransport), or
   * the bridge's own server in this process. `launchKey`: what its answers are kept under in `cache`
   * (another key, another server); `scope`: whose its answers are (CacheScope; default the server's).
   */
  constructor(
    name: string,
    open: () => WireTransport,
    launchKey: string,
    cache: ListCache,
    events: ChildEvents,
    options: { scope?: CacheScope; clock?: Clock; shim: ReverseShim },
  ) {
    this.name = name;
    this.#clock = options.clock ?? realClock;
    this.#asks = new Asks(this.#clock);
    this.#lastActivity = this.#clock.now();
    this.#transportOf = open;
    this.shim = options.shim;
    this.#launchKey = launchKey;
    this.cache = cache;
    this.#events = events;
    this.#lists = new ChildLists({
      name: this.name,
      launchKey,
      cache,
      scope: options.scope ?? { kind: "server" },
      clock: this.#clock,
      current: () => this.#live,
      changed: (kind) => this.#events.listChanged(kind),
    });
  }

  /** What the last start learned, the process started first when nothing is known yet. */
  async described(): Promise<CachedServer> {
    if (!this.cached()) await this.start();
    const learned = this.cached();
    if (!learned) throw new Error(`the shared server "${this.name}" started but could not be read`);
    return learned;
  }

  /** What the last start learned, when it holds for this launch (ChildLists.cached). */
  cached(): CachedServer | undefined {
    return this.#lists.cached();
  }

  /**
   * A list as the cache holds it, when it is answered from there: the first page (no cursor) while
   * the process is stopped; undefined otherwise (or when none is kept).
   */
  listFromCache(method: ListMethod, cursor: unknown): Json | undefined {
    return !this.#live && cursor === undefined ? this.cached()?.lists[method] : undefined;
  }

  /** What it is doing now, for the status and the idle sweep (share-host.ts). */
  info() {
    return {
      pid: this.#live ? this.#transport?.pid : undefined,
      state: this.#live
        ? ("running" as const)
        : this.#starting
          ? ("starting" as const)
          : ("stopped" as const),
      ...(this.#live ? { startedAt: new Date(this.#startedAt).toISOString() } : {}),
      idleMs: this.#inFlight.size > 0 ? 0 : this.#clock.now() - this.#lastActivity,
      inFlight: this.#inFlight.size,
      restarts: this.#restarts,
      /** Its last start failed (and nothing runs since). */
      failed: this.#failed && !this.#live,
      // Its last start failed, or it ended unasked: why, and when (none once a start works).
      ...(this.#lastError
        ? { lastError: this.#lastError.message, lastErrorAt: new Date(this.#lastError.at).toISOString() }
        : {}),
    };
  }

  /** A request named this process (a list answered from the cache too): it is not idle. */
  touch(): void {
    this.#lastActivity = this.#clock.now();
  }

  /** The server running, started (once, for every waiter) when it is not. */
  start(): Promise<Connected> {
    if (this.#live) return Promise.resolve(this.#live);
    this.#stopping = false;
    this.#starting ??= this.#start().finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  /**
   * Some session's subscriptions changed: the resources its sessions want now (ChildEvents.wanted)
   * are what a 2025-11-25 process is subscribed to (the difference only), what a 2026-07-28 one
   * listens for. Applied again after a restart.
   */
  async resubscribe(): Promise<void> {
    const uris = this.#events.wanted();
    this.#subs.want(uris);
    const live = this.#live ?? (uris.size > 0 ? await this.start() : undefined);
    if (live) await this.#subs.apply(live);
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
    const live = this.#live;
    this.#live = undefined;
    // Stopping: a process already gone has nothing more to close.
    await live?.wire.close().catch(() => {});
  }

  async #start(): Promise<Connected> {
    const wait = this.#diedAt + this.#backoff - this.#clock.now();
    if (this.#diedAt && wait > 0) await new Promise<void>((r) => this.#clock.after(wait, r));
    const cached = this.cached();
    let live: Connected;
    try {
      // A folder it never ran in still knows the server's era (its entry, where one is kept).
      live = await connectInEra(cached ?? this.cache.get(this.name, this.#launchKey), () => this.#open());
    } catch (error) {
      const message = this.#startError(error);
      this.#failed = true;
      this.#ended({ kind: "failed", error: message });
      throw new Error(`the shared server "${this.name}" did not start: ${message}`);
    }
    this.#live = live;
    // A start that works clears what failed before: its state is what it is now.
    this.#failed = false;
    this.#lastError = undefined;
    this.#events.outcome({ kind: "started", pid: this.#transport?.pid });
    this.#startedAt = this.#clock.now();
    this.#lastActivity = this.#clock.now();
    await this.#learn(live, cached);
    return live;
  }

  /** What a start learned goes to the cache, its subscriptions again to its process. */
  async #learn(live: Connected, cached: CachedServer | undefined): Promise<void> {
    const { era, capabilities } = this.#lists.learned(live, cached);
    this.#subs.restarted();
    if (era === "2026-07-28" || this.#subs.wanted > 0) await this.#subs.apply(live);
    // Read once the call that started it is answered (the server serves one thing at a time).
    this.#lists.pend(live, capabilities);
  }

  listsNow(): Promise<void> {
    return this.#lists.listsNow();
  }

  /** Why a start failed, in words: a process that exited before it answered is said to have (what it printed is in its log). */
  #startError(error: unknown): string {
    const exit = (error as { closed?: boolean }).closed && this.#transport?.exit;
    if (exit) return `the server exited (${exit}) before it answered`;
    return error instanceof Error ? error.message : String(error);
  }

  /** A new process, and its wire: its questions put to the sessions whose calls are in flight. */
  async #open(): Promise<ChildWire> {
    const transport = this.#transportOf();
    this.#transport = transport;
    const asked = (method: string, params: Json | undefined, signal: AbortSignal) =>
      (ASK_METHODS as readonly string[]).includes(method)
        ? this.#asks.duringCall([...this.#inFlight.values()], method as AskMethod, params, signal)
        : Promise.reject(rpcError("Method not found", RPC.methodNotFound));
    const notified = (method: string, params: Json | undefined) => this.#notified(wire, method, params);
    const wire = new ChildWire(
      transport,
      this.name,
      { asked, notified, closed: () => this.#died(wire) },
      this.#clock,
    );
    await transport.start();
    return wire;
  }

  /** What the process says to no call in particular: list changes, resource updates, log lines. */
  #notified(wire: ChildWire, method: string, params: Json | undefined): void {
    const kind = LIST_CHANGED[method];
    const live = this.#live?.wire === wire ? this.#live : undefined;
    if (kind) void (live && this.#lists.changed(live, kind));
    else if (method === "notifications/resources/updated" && typeof params?.uri === "string")
      this.#events.resourceUpdated(params.uri);
    else if (method === "notifications/message" && typeof params?.level === "string")
      this.#message(params as LoggingMessageNotificationParams);
  }

  /**
   * The era the process speaks, started first when it is not running (a failed start is the call's
   * error: a plain Error, which its client is answered as -32603 with its message).
   */
  async speaks(): Promise<Era | undefined> {
    await this.start();
    return this.cached()?.era;
  }

  /**
   * One request to the process, started first when it is not running: written as it came over its
   * wire (child-wire.ts: under an id of the gateway's, its progress under a token of the gateway's,
   * given to `progress`) — no schema between them. A death answers it like any call; `stop`
   * cancels it at the server. Its result, or its error thrown as the SDK's client throws one (its
   * code, message and data).
   */
  async call(message: JSONRPCRequest, caller: Caller, options: SendOptions = {}): Promise<Json> {
    const key = {};
    this.#inFlight.set(key, caller);
    this.#lastActivity = this.#clock.now();
    try {
      await this.speaks();
      const live = this.#live;
      if (!live) throw rpcError(`the shared server "${this.name}" is not running`);
      this.#lists.sent(message.method);
      const response = await live.wire.send(message as { method: string; params?: Json }, options);
      if ("error" in response) throw Object.assign(new Error(response.error.message), response.error);
      return ("result" in response ? response.result : {}) as Json;
    } finally {
      this.#inFlight.delete(key);
      this.#lastActivity = this.#clock.now();
      if (this.#inFlight.size === 0) void this.#lists.listsNow();
    }
  }

  /** A log message: to the one call in flight that wants it, else to the sessions (share-host.ts). */
  #message(params: LoggingMessageNotificationParams): void {
    const callers = [...this.#inFlight.values()];
    const only = callers.length === 1 ? callers[0] : undefined;
    if (only?.notify) only.notify("notifications/message", params);
    else this.#events.message(params);
  }

  /** Its process ended (the calls in flight on its wire failed already). */
  #died(wire: ChildWire): void {
    if (this.#live?.wire !== wire) return;
    this.#live = undefined;
    if (this.#stopping) return;
    this.#restarts++;
    const how = this.#transport?.exit;
    // A death soon after a start waits longer before the next one; a long healthy run starts over.
    const healthy = this.#clock.now() - this.#startedAt > HEALTHY_MS;
    this.#ended({ kind: "exited", error: `the server exited${how ? ` (${how})` : ""}` }, healthy);
  }

  /** A start failed, or the process ended unasked: why, said, and the next start waits out the backoff. */
  #ended(event: { kind: "failed" | "exited"; error: string }, healthy = false): void {
    this.#lastError = { message: event.error, at: this.#clock.now() };
    this.#diedAt = this.#clock.now();
    this.#backoff = healthy ? FIRST_BACKOFF_MS : Math.min(this.#backoff * 2, MAX_BACKOFF_MS);
    this.#events.outcome(event);
  }
}
