/**
 * One process of a shared server (or an in-process upstream): started on first need, its questions
 * answered by whoever may, restarted after a death with backoff, stopped when idle.
 */
import type { LoggingMessageNotificationParams } from "@modelcontextprotocol/server";
import { RPC, rpcError } from "../../core/jsonrpc/codes.js";
import { type Clock, realClock } from "../clock.js";
import { ASK_METHODS, type AskMethod, Asks, onlyCaller } from "./asks.js";
import type { Ask, Call, CallClient } from "./call.js";
import { type CacheScope, ChildLists } from "./child-lists.js";
import { type CachedServer, isList, type ListCache, type ListKind, type ListMethod } from "./list-cache.js";
import type { ReverseShim } from "./reverse-shim.js";
import { UpstreamSubscriptions } from "./subscriptions.js";
import type { OpenUpstream, Upstream } from "./upstream.js";
import type { Json } from "./wire-json.js";

const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 10_000;
/** Up this long, a server's next death starts the backoff over. */
const HEALTHY_MS = 30_000;
/** How often one call's `input_required` may ask `roots/list` again after the gateway answered it. */
const ROOTS_ROUNDS = 3;

/** A client a question may be put to: whose it is, and how to ask it (none: it cannot be, now). */
export interface Asker {
  client: CallClient;
  ask?: Ask | undefined;
  /** The call it is of (none: its session's own client, asked outside a call). */
  call?: Call;
}

/** What the shared server does that concerns its sessions (share-host.ts routes it). */
export interface ChildEvents {
  listChanged(kind: ListKind): void;
  resourceUpdated(uri: string): void;
  wanted(): ReadonlySet<string>;
  /** A log message no single call can be told to have caused. */
  message(params: LoggingMessageNotificationParams): void;
  outcome(event: ChildOutcome): void;
  log(line: string): void;
  /** A `session` process's own client, to ask its roots outside a call (none: no such client can be asked now). */
  owner?(): Asker | undefined;
}

/** `roots`: the gateway's answer to `roots/list` of a process that is no one client's (share-host.ts). */
export interface ChildOptions {
  scope?: CacheScope;
  clock?: Clock;
  shim: ReverseShim;
  roots?: (() => Promise<Json>) | undefined;
}

export type ChildOutcome =
  | { kind: "started"; pid: number | undefined }
  | { kind: "failed"; error: string }
  | { kind: "exited"; error: string };

export class SharedChild {
  readonly name: string;
  readonly #open: OpenUpstream;
  /** Its server's calls parked for a 2026-07-28 client's answer (the cap is the server's, not the process's). */
  readonly shim: ReverseShim;
  readonly #cache: ListCache;
  readonly #launchKey: string;
  readonly #events: ChildEvents;
  readonly #roots: (() => Promise<Json>) | undefined;
  #live: Upstream | undefined;
  #starting: Promise<Upstream> | undefined;
  readonly #clock: Clock;
  readonly #asks: Asks;
  #startedAt = 0;
  #lastActivity: number;
  #diedAt = 0;
  #backoff = FIRST_BACKOFF_MS;
  #restarts = 0;
  #stopping = false;
  /** Let go by its server (share-host.ts): a call still on its way to it fails, never starts it again. */
  retired = false;
  #lastError: { message: string; at: number } | undefined;
  #failed = false;
  /** Calls sent or about to be: whose they are, for the questions they cause. */
  readonly #inFlight = new Set<Asker>();
  /** What it said it holds (its cache entry as its scope sees it) and the lists it reads. */
  readonly #lists: ChildLists;
  readonly #subs = new UpstreamSubscriptions();

  /** `launchKey`: what its answers are kept under in `cache`; `scope`: whose they are (default the server's). */
  constructor(
    name: string,
    open: OpenUpstream,
    launchKey: string,
    cache: ListCache,
    events: ChildEvents,
    options: ChildOptions,
  ) {
    this.name = name;
    this.#clock = options.clock ?? realClock;
    this.#asks = new Asks(this.#clock);
    this.#lastActivity = this.#clock.now();
    this.#open = open;
    this.shim = options.shim;
    this.#roots = options.roots;
    this.#launchKey = launchKey;
    this.#cache = cache;
    this.#events = events;
    this.#lists = new ChildLists({
      name: this.name,
      launchKey,
      cache,
      scope: options.scope ?? { kind: "server" },
      clock: this.#clock,
      current: () => this.#live,
      changed: (kind) => this.#events.listChanged(kind),
      log: (line) => this.#events.log(line),
    });
  }

  /** What the last start learned, the process started first when nothing is known yet. */
  async described(): Promise<CachedServer> {
    if (!this.cached()) await this.start();
    const learned = this.cached();
    if (!learned) throw new Error(`the shared server "${this.name}" started but could not be read`);
    return learned;
  }

  cached(): CachedServer | undefined {
    return this.#lists.cached();
  }

  /** A list answered from the cache: the first page while the process is stopped; else undefined. */
  listFromCache(method: ListMethod, cursor: unknown): Json | undefined {
    return !this.#live && cursor === undefined ? this.cached()?.lists[method] : undefined;
  }

  info() {
    return {
      pid: this.#live?.pid,
      state: this.#live
        ? ("running" as const)
        : this.#starting
          ? ("starting" as const)
          : ("stopped" as const),
      ...(this.#live ? { startedAt: new Date(this.#startedAt).toISOString() } : {}),
      idleMs: this.#inFlight.size > 0 ? 0 : this.#clock.now() - this.#lastActivity,
      inFlight: this.#inFlight.size,
      restarts: this.#restarts,
      failed: this.#failed && !this.#live,
      ...(this.#lastError
        ? { lastError: this.#lastError.message, lastErrorAt: new Date(this.#lastError.at).toISOString() }
        : {}),
    };
  }

  /** A request named this process (a cached list too): it is not idle. */
  touch(): void {
    this.#lastActivity = this.#clock.now();
  }

  start(): Promise<Upstream> {
    if (this.#live) return Promise.resolve(this.#live);
    if (this.retired) return Promise.reject(new Error("its process was let go: send the request again"));
    this.#stopping = false;
    this.#starting ??= this.#start().finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  /** Subscriptions changed: a 2025-11-25 process gets the difference, a 2026-07-28 one listens anew. */
  async resubscribe(): Promise<void> {
    const uris = this.#events.wanted();
    this.#subs.want(uris);
    const live = this.#live ?? (uris.size > 0 ? await this.start() : undefined);
    if (live) await this.#subs.apply(live);
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
    await live?.close().catch(() => {});
  }

  async #start(): Promise<Upstream> {
    const wait = this.#diedAt + this.#backoff - this.#clock.now();
    if (this.#diedAt && wait > 0) await new Promise<void>((r) => this.#clock.after(wait, r));
    const cached = this.cached();
    let live: Upstream;
    // Its events are this start's: a process another start left behind says nothing to this one.
    let mine: Upstream | undefined;
    const events = {
      notified: (method: string, params: Json | undefined) => this.#notified(mine, method, params),
      asked: (method: string, params: Json | undefined, signal: AbortSignal) =>
        this.#question(method, params, signal, onlyCaller(this.#inFlight)),
      closed: (exit?: string) => this.#died(mine, exit),
    };
    try {
      // A folder it never ran in still knows the server's era (its entry, where one is kept).
      live = await this.#open(events, cached ?? this.#cache.get(this.name, this.#launchKey));
      mine = live;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#failed = true;
      this.#ended({ kind: "failed", error: message });
      throw new Error(`the shared server "${this.name}" did not start: ${message}`);
    }
    this.#live = live;
    this.#failed = false;
    this.#lastError = undefined;
    this.#events.outcome({ kind: "started", pid: live.pid });
    this.#startedAt = this.#clock.now();
    this.#lastActivity = this.#clock.now();
    await this.#learn(live, cached);
    return live;
  }

  async #learn(live: Upstream, cached: CachedServer | undefined): Promise<void> {
    const { era, capabilities } = this.#lists.learned(live, cached);
    this.#subs.restarted();
    if (era === "2026-07-28" || this.#subs.wanted > 0) await this.#subs.apply(live);
    // Read once the call that started it is answered (the server serves one thing at a time).
    this.#lists.pend(live, capabilities);
  }

  listsNow(): Promise<void> {
    return this.#lists.listsNow();
  }

  /**
   * The tools list a call is judged against: the running process's, its start's lists read first
   * (until then the cache holds the last run's, and a tool changed since would pass as it was).
   */
  judgedTools(c: Call): Promise<Json | undefined> {
    // In flight as `c`'s: a question its start asks goes to the client whose call started it.
    return this.#track({ client: c.client, ask: c.ask, call: c }, async () => {
      await this.start();
      await this.#lists.listsNow();
      return this.cached()?.lists["tools/list"];
    });
  }

  /** What the process says to no call in particular: list changes, resource updates, log lines. */
  #notified(from: Upstream | undefined, method: string, params: Json | undefined): void {
    const kind = /^notifications\/(tools|prompts|resources)\/list_changed$/.exec(method)?.[1] as
      | ListKind
      | undefined;
    const live = from !== undefined && this.#live === from ? from : undefined;
    if (kind) void (live && this.#lists.changed(live, kind));
    else if (method === "notifications/resources/updated" && typeof params?.uri === "string")
      this.#events.resourceUpdated(params.uri);
    else if (method === "notifications/message" && typeof params?.level === "string")
      this.#message(params as LoggingMessageNotificationParams);
  }

  /** A client's notification its process may act on (a `session` process's own client's roots changed). */
  notify(method: string): void {
    this.#live?.notify?.(method);
  }

  /** One call, its upstream started if need be; a 2026-07-28 client's that asks is parked (reverse-shim.ts). */
  async call(c: Call): Promise<Json> {
    const params = c.request.params;
    const parked = isList(c.request.method) ? undefined : this.shim.handleOf(params?.requestState);
    if (parked !== undefined)
      return this.shim.resume(parked, params?.inputResponses as Json | undefined, c.stop);
    return this.#track({ client: c.client, ask: c.ask, call: c }, async (asking) => {
      const live = await this.start();
      this.#lists.sent(c.request.method);
      if (c.client.era === "2025-11-25") return live.call({ ...c, ask: asking });
      if (live.said.era === "2026-07-28") return this.#rootsAnswered(live, c);
      const run = (ask: Ask, stop: Call["stop"]) =>
        this.#track({ client: c.client, ask, call: c }, (asked) => live.call({ ...c, ask: asked, stop }));
      return this.shim.start(run, c.client.capabilities, c.stop);
    });
  }

  /** 2026-07-28 both ends: `input_required` goes to the client, but the gateway's own roots are answered here. */
  async #rootsAnswered(live: Upstream, c: Call): Promise<Json> {
    let request = c.request;
    for (let round = 0; ; round++) {
      const result = await live.call({ ...c, request });
      const asked = Object.entries((result.inputRequests ?? {}) as Record<string, Json>);
      const roots = asked.filter(([, q]) => q?.method === "roots/list");
      if (result.resultType !== "input_required" || roots.length === 0 || !this.#roots) return result;
      if (roots.length < asked.length)
        return { ...result, inputRequests: Object.fromEntries(asked.filter((a) => !roots.includes(a))) };
      if (round === ROOTS_ROUNDS)
        throw rpcError(`the shared server "${this.name}" asked roots/list again after it was answered`);
      const answer = await this.#roots();
      const { requestState, inputResponses, ...rest } = request.params ?? {};
      const state = result.requestState ?? requestState;
      const given = { ...(inputResponses as Json), ...Object.fromEntries(roots.map(([k]) => [k, answer])) };
      const params = { ...rest, inputResponses: given, ...(state !== undefined && { requestState: state }) };
      request = { ...request, params };
    }
  }

  async #track<T>(caller: Asker, work: (ask: Ask) => Promise<T>): Promise<T> {
    this.#inFlight.add(caller);
    this.#lastActivity = this.#clock.now();
    try {
      return await work((method, params, signal) => this.#question(method, params, signal, caller));
    } finally {
      this.#inFlight.delete(caller);
      this.#lastActivity = this.#clock.now();
      if (this.#inFlight.size === 0) void this.#lists.listsNow();
    }
  }

  /** Who answers its server's question (docs/dev/gateway.md): the gateway, that client, or none. */
  #question(
    method: string,
    params: Json | undefined,
    given: AbortSignal,
    asking: Asker | string,
  ): Promise<Json> {
    if (!(ASK_METHODS as readonly string[]).includes(method))
      return Promise.reject(rpcError("Method not found", RPC.methodNotFound));
    const roots = method === "roots/list";
    if (roots && this.#roots) return this.#roots();
    const caller = typeof asking !== "string" ? asking : roots ? this.#events.owner?.() : undefined;
    if (!caller) {
      // A refusal (-32000), as the cap's and the timeout's are: nothing in the bridge went wrong.
      const why = `${method}: a shared server can ask a client only during that client's own call (${typeof asking === "string" ? asking : "none can be asked now"})`;
      this.#events.log(why);
      return Promise.reject(rpcError(why, RPC.serverError));
    }
    if (roots && !caller.client.capabilities.roots) return Promise.resolve({ roots: [] });
    const ask = caller.ask;
    if (!ask) return Promise.reject(rpcError(`${method}: this client cannot be asked now`, RPC.serverError));
    return this.#asks.put(
      caller.client.session,
      method,
      (signal) => ask(method as AskMethod, params, signal),
      given,
    );
  }

  /** A log message: to the one client with calls in flight (on its call), else to the sessions (share-host.ts). */
  #message(params: LoggingMessageNotificationParams): void {
    const only = onlyCaller(this.#inFlight);
    if (typeof only !== "string" && only.call) only.call.notify("notifications/message", params as Json);
    else this.#events.message(params);
  }

  #died(from: Upstream | undefined, how: string | undefined): void {
    if (from === undefined || this.#live !== from) return;
    this.#live = undefined;
    if (this.#stopping) return;
    this.#restarts++;
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
