/**
 * One shared server at `/share/<name>`: its processes (one per machine, project folder or session,
 * by its mode), the sessions of either era attached to each, and what reaches them from it.
 */
import { readFileSync } from "node:fs";
import type { IncomingHttpHeaders } from "node:http";
import os from "node:os";
import type { JSONRPCRequest, McpHttpHandler, Server } from "@modelcontextprotocol/server";
import { SHARE_PREFIX } from "../../core/bridge-link/index.js";
import type { ShareLaunch } from "../../core/entries/share-launch.js";
import { RPC, rpcError } from "../../core/jsonrpc/codes.js";
import type { ShareMode } from "../../core/manifest/schema.js";
import { type Clock, realClock } from "../clock.js";
import { ConnectionServer } from "../connection-server.js";
import type { Endpoint } from "../endpoint.js";
import { checkedCall, paramRefusal, refusalResponse } from "../param-check.js";
import type { HttpSessionTransport } from "../session-transport.js";
import { ANY, type Json } from "./as-sent.js";
import { NO_SDK_TIMEOUT } from "./asks.js";
import { ChildTransport } from "./child-transport.js";
import { MergedUpdates, sendListChanged, sendLogMessage, sendResourceUpdated } from "./fanout.js";
import type { ForwardTarget, SessionRef } from "./forward-server.js";
import { type CachedServer, type ListCache, launchKey } from "./list-cache.js";
import { admits } from "./log-levels.js";
import type { passThroughCall } from "./pass-through-call.js";
import { ReverseShim } from "./reverse-shim.js";
import { type ChildKey, childKeyOf, type PathSide, PROJECT_HEADER, SESSION_HEADER } from "./session-keys.js";
import { launchSecrets, ShareLog } from "./share-log.js";
import { type CacheScope, type ChildOutcome, type ListKind, SharedChild } from "./shared-child.js";
import { subscriptionRefusal, tooManySubscriptions } from "./subscriptions.js";
import { clientOf, refusedCall, type ToolFilter, toolFilter } from "./tool-filter.js";

/** What `GET /control/status` (and `bridge_status`) shows of one shared server. */
export interface ShareStatus {
  name: string;
  path: string;
  mode: ShareMode;
  /**
   * running: a process runs; stopped: none (lists from the cache); failed: none runs and its last
   * start failed (a start that works, in any folder or session, clears it), or it cannot run here.
   */
  state: "running" | "stopped" | "failed";
  children: Array<{
    key: string;
    /** starting; running; stopped (it starts on the next call); failed: its last start failed. */
    state: "starting" | "running" | "stopped" | "failed";
    pid: number | null;
    rssBytes: number | null;
    sessions: number;
    idleMs: number;
    era: "2025-11-25" | "2026-07-28" | null;
    startedAt: string | null;
    /** Its last start failed, or it ended unasked (gone once a start of it works). */
    lastError?: string;
    lastErrorAt?: string;
  }>;
  /** Its lists are cached (a new session lists them without starting it). */
  cached: boolean;
  restarts: number;
  /**
   * The last error that still stands — a start that failed, or a process that ended unasked —,
   * the key of the process it happened to (`project:<folder>` names the folder) and when. A start
   * that works clears it: in the same folder for a `project` server, in any process otherwise.
   */
  lastError?: string;
  lastErrorIn?: string;
  lastErrorAt?: string;
  /** Its own log (stderr of its processes, bounded), when the bridge keeps one. */
  log?: string;
}

/** What `POST /control/restart/<name>` answers: the processes stopped (the next call starts it). */
export interface ShareRestart {
  name: string;
  stopped: number;
  pids: number[];
  /** Sessions attached to them: they stay connected, and their next call starts it again. */
  sessions: number;
}

export interface HostOptions {
  cache: ListCache;
  side: PathSide;
  idleMs: () => number;
  log: (line: string) => void;
  /** Its own log file (share-log.ts); none: its processes' stderr goes to `log`. */
  logFile?: string;
  /** What its processes' idle time, backoff and asks' timeouts run on (tests move it by hand). */
  clock?: Clock;
}

/** Resident memory of a process from /proc (Linux and WSL; elsewhere unknown). */
function rssOf(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb ? Number(kb) * 1024 : null;
  } catch {
    return null;
  }
}

/** The calls that take the fast lane between two 2025-11-25 ends. */
const FAST = new Set(["tools/call", "prompts/get", "resources/read", "completion/complete"]);
const NEEDS: Record<string, string> = {
  "elicitation/create": "elicitation",
  "sampling/createMessage": "sampling",
  "roots/list": "roots",
};
/**
 * The sessions (or folders) a `session` or `project` server holds at once, a process each or
 * only what they were answered: past it, the idlest one not in use is forgotten to make room,
 * and when every one is in use a new one is refused.
 */
const MAX_KEYS = 256;

export class ShareHost {
  readonly name: string;
  readonly path: string;
  #launch: ShareLaunch;
  #key: string;
  readonly #o: HostOptions;
  readonly #clock: Clock;
  readonly #log: (line: string) => void;
  readonly #shim: ReverseShim;
  readonly #children = new Map<string, SharedChild>();
  /** 2025-11-25 sessions attached to each process. */
  readonly #sessions = new Map<string, Set<SessionRef>>();
  /** The 2026-07-28 handler of each process (its own bus: its changes reach only its listeners). */
  readonly #handlers2026 = new Map<string, Promise<McpHttpHandler>>();
  /** The fast lane of each process for ordinary 2026-07-28 requests (one server per connection). */
  readonly #lanes = new Map<string, ConnectionServer>();
  /** The 2026-07-28 fast lane's calls (gateway/pass-through-call.ts), once loaded with the first lane. */
  #passThroughCall: typeof passThroughCall | undefined;
  #restartsBefore = 0;
  readonly #own: ShareLog | undefined;
  /** The last error that still stands (ShareStatus.lastError), and whether the last start failed. */
  #failure: { error: string; key: string; at: number } | undefined;
  #lastStartFailed = false;

  constructor(launch: ShareLaunch, options: HostOptions) {
    this.name = launch.name;
    this.path = `${SHARE_PREFIX}${encodeURIComponent(launch.name)}`;
    this.#launch = launch;
    this.#key = launchKey(launch);
    this.#o = options;
    this.#clock = options.clock ?? realClock;
    this.#shim = new ReverseShim(this.#clock);
    this.#log = (line) => options.log(`[share ${launch.name}] ${line}`);
    this.#own = options.logFile ? new ShareLog(options.logFile, launchSecrets(launch)) : undefined;
  }

  get mode(): ShareMode {
    return this.#launch.mode;
  }

  /** How it is started now (fill-apart.ts starts it so in a process apart). */
  get launch(): ShareLaunch {
    return this.#launch;
  }

  /** Whether its lists are still to be read: not known, or known without its tools listed. */
  needsCache(): boolean {
    const known = this.#o.cache.get(this.name, this.#key);
    // A start stopped before its lists were read is not enough.
    return !known || (known.capabilities.tools !== undefined && known.lists["tools/list"] === undefined);
  }

  /**
   * A new launch (after a manifest change): when what it runs changed (its launch key, mode,
   * command line or a variable's value), its processes stop and the next call starts the new one.
   */
  async reload(launch: ShareLaunch): Promise<boolean> {
    const key = launchKey(launch);
    const same = (a: ShareLaunch) => JSON.stringify([a.mode, a.command, a.args, a.env]);
    const changed = key !== this.#key || same(launch) !== same(this.#launch);
    this.#launch = launch;
    this.#key = key;
    if (this.#own) this.#own.secrets = launchSecrets(launch);
    if (!changed) return false;
    await this.stopAll();
    // What failed was the old launch's: the new one has not been tried.
    this.#failure = undefined;
    this.#lastStartFailed = false;
    return true;
  }

  /** Start the machine-wide process now (`serve --share`: the user asked for it to run). */
  async warm(): Promise<void> {
    if (this.mode !== "machine") return;
    await this.#child("machine").start();
  }

  /**
   * Fill the list cache of a server never started (sync, after adding it): started once in a
   * process of its own, listed, stopped — a new session then lists it without starting anything.
   * false: cached already; an error when it cannot start.
   */
  async fillCache(): Promise<boolean> {
    if (!this.needsCache()) return false;
    const key = "warm";
    try {
      const child = this.#child(key);
      await this.#cached(child);
      await child.listsNow();
    } finally {
      await this.#drop(key);
    }
    return true;
  }

  endpoint(): Endpoint {
    return {
      path: this.path,
      admit: (headers) => {
        const key = this.#keyFor(headers, "initialize");
        return key.ok ? undefined : key.why;
      },
      connect: (transport, headers) => this.#connect(transport, headers),
      sessionHeaders: this.mode === "project" ? [PROJECT_HEADER] : [],
      connectionServer: (headers, message) => {
        const found = this.#route(headers);
        if (!found.ok || !this.#laneChecks(found.key, message, headers)) return undefined;
        return this.#lane(found.key, found.cwd, this.#gate(headers));
      },
      serve2026: (request, parsedBody) => this.#serve2026(request, parsedBody),
      end: (headers) => this.#end(headers),
    };
  }

  /**
   * The tool rules of the client a request's client token names, read again on each use (a reload
   * changes them): what the gateway keeps for a client whose entry has no field of its own.
   */
  #gate(headers: IncomingHttpHeaders | Headers | undefined): (() => ToolFilter | undefined) | undefined {
    const client = clientOf(headers);
    return client === undefined ? undefined : () => toolFilter(this.name, this.#launch.toolRules, client);
  }

  #keyFor(headers: IncomingHttpHeaders | Headers, session?: string): ChildKey {
    return childKeyOf(this.mode, headers, this.#o.side, this.mode === "session" ? session : undefined);
  }

  /**
   * The process a request goes to, as #keyFor says, made room for (MAX_KEYS) when it is a new
   * one; one already held is marked as used now (a key no request names is forgotten: #sweep).
   */
  #route(headers: IncomingHttpHeaders | Headers, session?: string): ChildKey {
    const found = this.#keyFor(headers, session);
    if (!found.ok) return found;
    const held = this.#children.get(found.key);
    if (held) held.touch();
    else if (this.#children.size >= MAX_KEYS && !this.#forgetIdlest())
      return {
        ok: false,
        why: `this server already holds ${MAX_KEYS} ${this.mode === "project" ? "project folders" : "sessions"}, each of them in use: try again once one ends (or after bridge.idleMinutes)`,
      };
    return found;
  }

  /** Whether nothing uses this process now: not running or starting, no call, no session attached. */
  #unused(key: string, child: SharedChild): boolean {
    const info = child.info();
    return info.state === "stopped" && info.inFlight === 0 && (this.#sessions.get(key)?.size ?? 0) === 0;
  }

  /** Make room for a new key: the idlest one not in use is forgotten (false: none is). */
  #forgetIdlest(): boolean {
    let idlest: [string, number] | undefined;
    for (const [key, child] of this.#children) {
      if (key === "warm" || !this.#unused(key, child)) continue;
      const idle = child.info().idleMs;
      if (!idlest || idle > idlest[1]) idlest = [key, idle];
    }
    if (!idlest) return false;
    void this.#drop(idlest[0]);
    return true;
  }

  /**
   * A 2026-07-28 session's end (its relay's DELETE naming its `Mcp-Twin-Session`, under the
   * credential that named it): its process stops now. undefined: the request names no such session.
   */
  async #end(headers: IncomingHttpHeaders): Promise<boolean | undefined> {
    const value = headers[SESSION_HEADER];
    if (this.mode !== "session" || value === undefined || value === "") return undefined;
    const found = this.#keyFor(headers);
    if (!found.ok || !this.#children.has(found.key)) return false;
    await this.#drop(found.key);
    return true;
  }

  #child(key: string, cwd?: string): SharedChild {
    let child = this.#children.get(key);
    if (!child) {
      // A project's process runs in its folder; a machine's or a session's in the home folder —
      // not wherever whoever started the bridge happened to be, which would decide what a relative
      // path in its arguments means, or which copy of its package npx runs (a project's own).
      const launch = { ...this.#launch, cwd: cwd ?? this.#launch.cwd ?? os.homedir() };
      const updates = new MergedUpdates((uri) => this.#resourceUpdated(key, uri));
      child = new SharedChild(
        {
          name: launch.name,
          // What happens to the process goes to both logs; what it writes (stderr, stdout that is
          // not JSON-RPC), to its own.
          open: () =>
            new ChildTransport(
              launch,
              (line) => this.#event(key, line),
              (line) => (this.#own ? this.#own.write(key, line) : this.#event(key, line)),
            ),
        },
        this.#key,
        this.#o.cache,
        {
          outcome: (event) => this.#outcome(key, event),
          listChanged: (kind) => this.#listChanged(key, kind),
          resourceUpdated: (uri) => updates.add(uri),
          message: (params) => sendLogMessage(this.#sessions.get(key) ?? [], params),
        },
        { scope: this.#scopeOf(key, cwd), clock: this.#clock },
      );
      this.#children.set(key, child);
    }
    return child;
  }

  /** What happened to the process `key`: in its own log, and in the bridge's (serve.log) with the key. */
  #event(key: string, line: string): void {
    this.#own?.write(key, line);
    this.#log(`${key}: ${line}`);
  }

  /**
   * A start's outcome, or an end unasked: what `lastError` and the failed state say. A start that
   * works clears them — a `project` server's failure only in its own folder (another folder's
   * start says nothing of that one).
   */
  #outcome(key: string, event: ChildOutcome): void {
    if (event.kind === "started") {
      this.#lastStartFailed = false;
      if (this.#failure && (this.mode !== "project" || this.#failure.key === key)) this.#failure = undefined;
      this.#own?.write(key, `started${event.pid ? ` (pid ${event.pid})` : ""}`);
      return;
    }
    if (event.kind === "failed") this.#event(key, `did not start: ${event.error}`);
    // Sync's start to fill the cache reports its own failure (its warm report): no call failed.
    if (key === "warm") return;
    if (event.kind === "failed") this.#lastStartFailed = true;
    this.#failure = { error: event.error, key, at: this.#clock.now() };
  }

  /**
   * Whose answers a process's are (shared-child.ts): a project's folder's, a session's own, the
   * server's for the machine (and for the process that fills the cache).
   */
  #scopeOf(key: string, cwd: string | undefined): CacheScope {
    if (key === "warm" || this.mode === "machine") return { kind: "server" };
    if (this.mode === "project" && cwd !== undefined) return { kind: "folder", folder: cwd };
    return { kind: "own" };
  }

  #attached(key: string): Set<SessionRef> {
    let set = this.#sessions.get(key);
    if (!set) {
      set = new Set();
      this.#sessions.set(key, set);
    }
    return set;
  }

  /** What the last start learned, starting the process first when nothing is cached yet. */
  async #cached(child: SharedChild): Promise<CachedServer> {
    const cached = child.cached();
    if (cached) return cached;
    await child.start();
    const learned = child.cached();
    if (!learned) throw new Error(`the shared server "${this.name}" started but could not be read`);
    return learned;
  }

  #target(key: string, child: SharedChild): ForwardTarget {
    return {
      name: this.name,
      child,
      shim: this.#shim,
      subscribe: async (session, uri) => {
        const refused = subscriptionRefusal(session.subscriptions, [uri]);
        if (refused) throw tooManySubscriptions(refused);
        session.subscriptions.add(uri);
        await child.subscriptions(this.#subscribed(key));
      },
      unsubscribe: async (session, uri) => {
        session.subscriptions.delete(uri);
        await child.subscriptions(this.#subscribed(key));
      },
    };
  }

  /** Every URI some 2025-11-25 session of this process is subscribed to. */
  #subscribed(key: string): Set<string> {
    const uris = new Set<string>();
    for (const s of this.#sessions.get(key) ?? []) for (const uri of s.subscriptions) uris.add(uri);
    return uris;
  }

  /** A 2025-11-25 session: its own server, on the process its mode names. */
  async #connect(
    transport: HttpSessionTransport,
    headers: IncomingHttpHeaders,
  ): Promise<{ close(): Promise<void> }> {
    const found = this.#route(headers, transport.sessionId);
    if (!found.ok) throw new Error(found.why);
    const child = this.#child(found.key, found.cwd);
    const tools = this.#gate(headers);
    const session: SessionRef = {
      era: "2025-11-25",
      subscriptions: new Set(),
      receiving: () => transport.streaming,
      ...(tools ? { tools } : {}),
    };
    // The SDK's server loads with the first session: an idle bridge does not carry it.
    const { forwardServer } = await import("./forward-server.js");
    const server = forwardServer(this.#target(found.key, child), session, await this.#cached(child));
    session.server = server;
    const attached = this.#attached(found.key);
    attached.add(session);
    await server.connect(transport);
    const raw = this.#fastLane(transport, server, session, child);
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      attached.delete(session);
      // What it still waited for is of no use to anyone: the server is told to stop.
      for (const rawId of raw.values())
        child.rawCancel({ params: { reason: "the client session ended" } }, rawId);
      if (session.subscriptions.size > 0)
        // The session is ending: a server refusing the smaller set leaves extra updates, dropped unsent.
        await child.subscriptions(this.#subscribed(found.key)).catch(() => {});
      // A session's own process ends with it.
      if (this.mode === "session") await this.#drop(found.key);
      // The session is ending: its server is closed either way.
      await server.close().catch(() => {});
    };
    const prior = transport.onclose;
    transport.onclose = () => {
      prior?.();
      void close();
    };
    return { close };
  }

  /**
   * Calls between two 2025-11-25 ends go past the SDK on both sides while the server runs
   * (SharedChild.rawCall): the same messages, without a schema to build them again on the way.
   */
  #fastLane(
    transport: HttpSessionTransport,
    server: Server,
    session: SessionRef,
    child: SharedChild,
  ): Map<unknown, number> {
    const dispatch = transport.onmessage;
    const raw = new Map<unknown, number>();
    transport.onmessage = (message, extra) => {
      if (!("method" in message)) return dispatch?.call(transport, message, extra);
      if (
        "id" in message &&
        FAST.has(message.method) &&
        child.running &&
        child.cached()?.era === "2025-11-25" &&
        !refusedCall(session.tools?.(), message)
      ) {
        void this.#rawCall(transport, server, session, child, message, raw);
        return;
      }
      const cancelled =
        message.method === "notifications/cancelled" ? raw.get(message.params?.requestId) : undefined;
      if (cancelled) child.rawCancel(message, cancelled);
      else dispatch?.call(transport, message, extra);
    };
    return raw;
  }

  async #rawCall(
    transport: HttpSessionTransport,
    server: Server,
    session: SessionRef,
    child: SharedChild,
    m: JSONRPCRequest,
    raw: Map<unknown, number>,
  ): Promise<void> {
    const { id } = m;
    const token = m.params?._meta?.progressToken;
    const related = (method: string, params: Json) =>
      transport.deliver({ jsonrpc: "2.0", method, params }, id);
    const caller = {
      session,
      ask: (method: string, params: Json | undefined, signal: AbortSignal) => {
        const need = NEEDS[method] ?? method;
        if (!(server.getClientCapabilities() as Json | undefined)?.[need])
          return Promise.reject(
            rpcError(`${method}: this client did not declare "${need}" when it connected`),
          );
        return server.request({ method, params }, ANY, {
          relatedRequestId: id,
          signal,
          timeout: NO_SDK_TIMEOUT,
        }) as Promise<Json>;
      },
      notify: (method: string, params: Json) => {
        if (method !== "notifications/message" || admits(session.logLevel, params.level))
          related(method, params);
      },
    };
    try {
      const response = await child.rawCall(m, caller, {
        progress: (p) => related("notifications/progress", { ...p, progressToken: token }),
        sent: (rawId) => raw.set(id, rawId),
      });
      transport.deliver({ ...response, id });
    } catch (error) {
      // A call the client cancelled gets no answer.
      if ((error as { cancelled?: boolean }).cancelled) return;
      const code = (error as { code?: unknown }).code;
      transport.deliver({
        jsonrpc: "2.0",
        id,
        error: {
          code: typeof code === "number" ? code : RPC.internalError,
          message: error instanceof Error ? error.message : String(error),
        },
      });
    } finally {
      raw.delete(id);
    }
  }

  /** A 2026-07-28 request: to the handler of the process its headers name. */
  async #serve2026(request: Request, parsedBody: unknown): Promise<Response> {
    const found = this.#route(request.headers);
    const method = (parsedBody as { method?: unknown } | undefined)?.method;
    if (!found.ok) {
      // A negotiating client that finds no discover falls back to 2025-11-25, which has sessions.
      if (this.mode === "session" && method === "server/discover")
        return rpcRefusal(404, RPC.methodNotFound, `Method not found: ${found.why}`, parsedBody);
      return rpcRefusal(
        400,
        this.mode === "session" ? RPC.unsupportedProtocolVersion : RPC.invalidParams,
        found.why,
        parsedBody,
      );
    }
    let handler = this.#handlers2026.get(found.key);
    if (!handler) {
      handler = this.#newHandler(found.key, found.cwd);
      this.#handlers2026.set(found.key, handler);
    }
    const h = await handler.catch((error: unknown) => {
      this.#handlers2026.delete(found.key);
      throw error;
    });
    if (checkedCall(parsedBody)) {
      const refused = await this.#paramRefusal(found.key, found.cwd, parsedBody, request.headers);
      if (refused) return refusalResponse(refused, parsedBody);
    }
    if (method === "subscriptions/listen") {
      const refused = subscriptionRefusal(new Set(), listenedUris(parsedBody));
      if (refused) return rpcRefusal(400, RPC.invalidParams, refused, parsedBody);
      await this.#listening(found.key, parsedBody, request.signal);
    }
    return h.fetch(request, { parsedBody });
  }

  /**
   * Whether the lane may take a request as far as its `Mcp-Param-*` headers go (the lane takes none
   * with such headers): not a call to check, or its tool's mirrors known and none missing. The
   * others go to #serve2026, which reads the list first if need be and refuses what disagrees.
   */
  #laneChecks(key: string, message: unknown, headers: IncomingHttpHeaders): boolean {
    if (!checkedCall(message)) return true;
    const cached = this.#children.get(key)?.cached();
    const list = cached?.lists["tools/list"];
    if (!list) return cached !== undefined && !cached.capabilities.tools;
    return !paramRefusal(list, message, headers);
  }

  /**
   * A call's `Mcp-Param-*` headers against its arguments, by the server's tools list (read now
   * when a start has not yet read it). A server that cannot start is the handler's to report.
   */
  async #paramRefusal(key: string, cwd: string | undefined, body: unknown, headers: Headers) {
    const child = this.#child(key, cwd);
    try {
      const cached = await this.#cached(child);
      if (cached.capabilities.tools && !cached.lists["tools/list"]) await child.listsNow();
    } catch {
      return undefined;
    }
    return paramRefusal(child.cached()?.lists["tools/list"], body, headers);
  }

  /** The lane of process `key` for a client with tool rules (`tools`: its own lane), else everyone's. */
  #lane(key: string, cwd: string | undefined, tools?: () => ToolFilter | undefined): ConnectionServer {
    const filter = tools?.();
    const laneKey = filter ? `${key}\0${filter.client}` : key;
    let lane = this.#lanes.get(laneKey);
    if (!lane) {
      const child = this.#child(key, cwd);
      const target = this.#target(key, child);
      const fast = { child, shim: this.#shim };
      if (!this.#passThroughCall)
        void import("./pass-through-call.js").then((m) => {
          this.#passThroughCall = m.passThroughCall;
        });
      lane = new ConnectionServer(
        async () => {
          const { forwardServer } = await import("./forward-server.js");
          return forwardServer(
            target,
            { era: "2026-07-28", subscriptions: new Set(), ...(tools ? { tools } : {}) },
            await this.#cached(child),
          );
        },
        this.#log,
        (message) => (refusedCall(tools?.(), message) ? undefined : this.#passThroughCall?.(fast, message)),
      );
      this.#lanes.set(laneKey, lane);
    }
    return lane;
  }

  async #newHandler(key: string, cwd: string | undefined): Promise<McpHttpHandler> {
    const [{ createMcpHandler }, { forwardServer }] = await Promise.all([
      import("@modelcontextprotocol/server"),
      import("./forward-server.js"),
    ]);
    const child = this.#child(key, cwd);
    const target = this.#target(key, child);
    return createMcpHandler(
      async (ctx) => {
        const tools = this.#gate(ctx.requestInfo?.headers);
        const session = { era: "2026-07-28" as const, subscriptions: new Set<string>() };
        return forwardServer(target, tools ? { ...session, tools } : session, await this.#cached(child));
      },
      { legacy: "reject", onerror: (e) => this.#log(`2026-07-28: ${e.message}`) },
    );
  }

  /**
   * A 2026-07-28 `subscriptions/listen` naming resources: the process is subscribed to them (before
   * the listen is acknowledged) while the stream stays open; the handler's bus then hands their
   * updates to this stream only.
   */
  async #listening(key: string, body: unknown, signal: AbortSignal): Promise<void> {
    // Every open listen is attached (its process is in use, not forgotten while it listens).
    const ref: SessionRef = { era: "2026-07-28", subscriptions: new Set(listenedUris(body)) };
    const set = this.#attached(key);
    set.add(ref);
    const child = this.#child(key);
    signal.addEventListener(
      "abort",
      () => {
        set.delete(ref);
        // The listen ended: a server refusing the smaller set leaves extra updates, dropped unsent.
        if (ref.subscriptions.size > 0) void child.subscriptions(this.#subscribed(key)).catch(() => {});
      },
      { once: true },
    );
    // The session's own subscribe was answered; a server refusing this one sends no updates, as it said.
    if (ref.subscriptions.size > 0) await child.subscriptions(this.#subscribed(key)).catch(() => {});
  }

  #listChanged(key: string, kind: ListKind): void {
    sendListChanged(this.#sessions.get(key) ?? [], kind);
    void this.#handlers2026.get(key)?.then((h) => h.notify[`${kind}Changed`]());
  }

  #resourceUpdated(key: string, uri: string): void {
    sendResourceUpdated(this.#sessions.get(key) ?? [], uri);
    void this.#handlers2026.get(key)?.then((h) => h.notify.resourceUpdated(uri));
  }

  /**
   * Stop processes idle for longer than `bridge.idleMinutes` (a session's, also when it ended), and
   * forget a session's or folder's key no request named for as long (nothing of it is kept).
   */
  async sweep(): Promise<void> {
    const idleMs = this.#o.idleMs();
    for (const [key, child] of this.#children) {
      const info = child.info();
      if (info.inFlight > 0 || info.idleMs < idleMs) continue;
      if (info.state === "running") {
        this.#event(key, `stopping after ${Math.round(info.idleMs / 1000)} s without a call`);
        if (this.mode === "machine" || (this.#sessions.get(key)?.size ?? 0) > 0) await child.stop();
        else await this.#drop(key);
      } else if (this.mode !== "machine" && key !== "warm" && this.#unused(key, child)) await this.#drop(key);
    }
  }

  async #drop(key: string): Promise<void> {
    const child = this.#children.get(key);
    this.#children.delete(key);
    if (child) this.#restartsBefore += child.info().restarts;
    const handler = this.#handlers2026.get(key);
    this.#handlers2026.delete(key);
    // Its lanes: everyone's, and each of a client with tool rules (`<key>\0<client>`).
    const lanes = [...this.#lanes].filter(([k]) => k === key || k.startsWith(`${key}\0`));
    for (const [k] of lanes) this.#lanes.delete(k);
    await Promise.all(lanes.map(([, lane]) => lane.close()));
    this.#sessions.delete(key);
    // The process is dropped: a handler that failed to open has nothing to close.
    await Promise.all([child?.stop(), handler?.then((h) => h.close()).catch(() => {})]);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#children.keys()].map((key) => this.#drop(key)));
  }

  /**
   * `mcp-twin bridge restart <name>`: every process of it stops (whatever its key), and the next
   * call starts it fresh, without waiting out the backoff of earlier deaths. Nothing else is
   * forgotten: the sessions attached stay connected, and their next call starts it again.
   */
  async restart(): Promise<ShareRestart> {
    const pids: number[] = [];
    let stopped = 0;
    let sessions = 0;
    await Promise.all(
      [...this.#children].map(async ([key, child]) => {
        const info = child.info();
        if (info.state !== "stopped") {
          stopped++;
          if (info.pid !== undefined) pids.push(info.pid);
          sessions += this.#sessions.get(key)?.size ?? 0;
          this.#own?.write(key, "stopping (`mcp-twin bridge restart`)");
        }
        await child.stop({ fresh: true });
      }),
    );
    this.#log(
      `restarted (\`mcp-twin bridge restart\`): ${stopped} process${stopped === 1 ? "" : "es"} stopped`,
    );
    return { name: this.name, stopped, pids: pids.sort((a, b) => a - b), sessions };
  }

  async close(): Promise<void> {
    this.#shim.close();
    await this.stopAll();
    await this.#own?.flushed();
  }

  status(): ShareStatus {
    const infos = [...this.#children.values()].map((c) => c.info());
    const children = [...this.#children].map(([key, child]) => {
      const info = child.info();
      const era = child.cached()?.era;
      return {
        key,
        state: info.failed ? ("failed" as const) : info.state,
        pid: info.pid ?? null,
        rssBytes: rssOf(info.pid),
        sessions: this.#sessions.get(key)?.size ?? 0,
        idleMs: info.idleMs,
        era: info.state === "running" ? (era ?? null) : null,
        startedAt: info.startedAt ?? null,
        ...(info.lastError ? { lastError: info.lastError, lastErrorAt: info.lastErrorAt } : {}),
      };
    });
    const failure = this.#failure;
    return {
      name: this.name,
      path: this.path,
      mode: this.mode,
      state: infos.some((i) => i.state === "running")
        ? "running"
        : this.#lastStartFailed
          ? "failed"
          : "stopped",
      children,
      cached: this.#o.cache.get(this.name, this.#key) !== undefined,
      restarts: this.#restartsBefore + infos.reduce((n, i) => n + i.restarts, 0),
      ...(failure
        ? {
            lastError: failure.error,
            lastErrorIn: failure.key,
            lastErrorAt: new Date(failure.at).toISOString(),
          }
        : {}),
      ...(this.#own ? { log: this.#own.file } : {}),
    };
  }
}

/** The resources a 2026-07-28 `subscriptions/listen` names. */
function listenedUris(body: unknown): string[] {
  const uris = (body as { params?: { notifications?: { resourceSubscriptions?: unknown } } }).params
    ?.notifications?.resourceSubscriptions;
  return Array.isArray(uris) ? uris.filter((u) => typeof u === "string") : [];
}

/** A JSON-RPC error answer for a request the gateway cannot route. */
function rpcRefusal(status: number, code: number, message: string, body: unknown): Response {
  const id = (body as { id?: unknown } | undefined)?.id;
  return Response.json(
    {
      jsonrpc: "2.0",
      id: typeof id === "string" || typeof id === "number" ? id : null,
      error: { code, message },
    },
    { status },
  );
}
