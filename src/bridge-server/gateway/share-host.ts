/**
 * One shared server at `/share/<name>` (or the bridge's own at `/mcp`): its processes (one per
 * machine, project folder or session, by its mode), the sessions of either era attached to each.
 */
import type { IncomingHttpHeaders } from "node:http";
import os from "node:os";
import { presentedLabel, SHARE_PREFIX } from "../../core/bridge-link/index.js";
import type { ShareLaunch } from "../../core/entries/share-launch.js";
import type { ShareMode } from "../../core/manifest/schema.js";
import { type Clock, realClock } from "../clock.js";
import { credentialOf } from "../credential.js";
import type { Endpoint } from "../endpoint.js";
import { headerOf } from "../http-guards.js";
import { foldersIn, rootsOf } from "./asks.js";
import type { CallClient } from "./call.js";
import type { CacheScope } from "./child-lists.js";
import { ChildTransport } from "./child-transport.js";
import { MergedUpdates, sendListChanged, sendLogMessage, sendResourceUpdated } from "./fanout.js";
import { roomFor } from "./key-room.js";
import { ListCache, type ListKind, launchKey } from "./list-cache.js";
import { processOpener } from "./process-upstream.js";
import { remoteOpener } from "./remote-opener.js";
import { Requests2026 } from "./requests-2026.js";
import { ReverseShim } from "./reverse-shim.js";
import { type ChildKey, childKeyOf, type PathSide, PROJECT_HEADER, SESSION_HEADER } from "./session-keys.js";
import { connectSession } from "./session-route.js";
import { launchSecrets, ShareLog } from "./share-log.js";
import { rssOf, type ShareRestart, type ShareStatus } from "./share-status.js";
import type { SessionRef, ShareRoom } from "./share-view.js";
import { type ChildOutcome, SharedChild } from "./shared-child.js";
import { clientOf, toolPolicy } from "./tool-policy.js";
import type { OpenUpstream } from "./upstream.js";
import type { Json } from "./wire-json.js";

export interface HostOptions {
  cache: ListCache;
  side: PathSide;
  idleMs: () => number;
  log: (line: string) => void;
  /** Its own log file (share-log.ts); none: its processes' stderr goes to `log`. */
  logFile?: string;
  /** Tests move it by hand. */
  clock?: Clock;
  /**
   * `/mcp` or `/tools` served like a share, no status naming it: its path, its upstream in this process
   * per key; `keyOf`: a request's key when not its mode's, with its upstream's opener (tools-route.ts).
   */
  inProcess?: {
    path: string;
    open?: OpenUpstream;
    keyOf?(headers: IncomingHttpHeaders | Headers, session?: string): ChildKey;
    /** Why a request with these headers is not served here (403), whatever opened its session before. */
    forbidden?(headers: IncomingHttpHeaders | Headers): string | undefined;
    /** Told when a key and all of it are forgotten (its session ended, its idle time ran out). */
    dropped?(key: string): void;
  };
}

export class ShareHost implements ShareRoom {
  readonly name: string;
  readonly path: string;
  #launch: ShareLaunch;
  #key: string;
  readonly #o: HostOptions;
  readonly #clock: Clock;
  readonly log: (line: string) => void;
  readonly #shim: ReverseShim;
  readonly #children = new Map<string, SharedChild>();
  /** The credential each key was made by (key-room.ts: none makes more than its share). */
  readonly #holders = new Map<string, string>();
  readonly #sessions = new Map<string, Set<SessionRef>>();
  readonly #requests2026: Requests2026;
  /** Restarts of processes dropped since (their own counts are gone with them). */
  #restartsBefore = 0;
  readonly #own: ShareLog | undefined;
  #failure: { error: string; key: string; at: number } | undefined;
  #lastStartFailed = false;

  constructor(launch: ShareLaunch, options: HostOptions) {
    this.name = launch.name;
    this.path = options.inProcess?.path ?? `${SHARE_PREFIX}${encodeURIComponent(launch.name)}`;
    [this.#launch, this.#key, this.#o] = [launch, launchKey(launch), options];
    this.#clock = options.clock ?? realClock;
    this.#shim = new ReverseShim(this.#clock);
    this.log = (line) => options.log(`[${options.inProcess ? this.path : `share ${launch.name}`}] ${line}`);
    this.#own = options.logFile ? new ShareLog(options.logFile, launchSecrets(launch)) : undefined;
    this.#requests2026 = new Requests2026(this);
  }

  get mode(): ShareMode {
    return this.#launch.mode;
  }

  get launch(): ShareLaunch {
    return this.#launch;
  }

  needsCache(): boolean {
    const known = this.#o.cache.get(this.name, this.#key);
    return !known || (known.capabilities.tools !== undefined && known.lists["tools/list"] === undefined);
  }

  /** A new launch (a manifest change): if what it runs changed, its processes stop; the next call starts it. */
  async reload(launch: ShareLaunch): Promise<boolean> {
    const key = launchKey(launch);
    const same = (a: ShareLaunch) => JSON.stringify([a.mode, a.command, a.args, a.env, a.remote, a.program]);
    const changed = key !== this.#key || same(launch) !== same(this.#launch);
    if (key === this.#key && launch.program !== this.#launch.program) this.#o.cache.forget(this.name);
    [this.#launch, this.#key] = [launch, key];
    if (this.#own) this.#own.secrets = launchSecrets(launch);
    if (!changed) return false;
    await Promise.all([...this.#children.keys()].map((key) => this.drop(key, false)));
    [this.#failure, this.#lastStartFailed] = [undefined, false];
    return true;
  }

  async warm(): Promise<void> {
    if (this.mode === "machine") await this.child("machine").start();
  }

  /**
   * Fill the list cache of a server never started (sync, after adding it), in a process of its own,
   * so a new session lists it without starting anything. false: cached already.
   */
  async fillCache(): Promise<boolean> {
    if (!this.needsCache()) return false;
    const key = "warm";
    try {
      const child = this.child(key);
      await child.described();
      await child.listsNow();
    } finally {
      await this.drop(key);
    }
    return true;
  }

  endpoint(): Endpoint {
    return {
      path: this.path,
      admit: (headers) => {
        const key = this.#keyFor(headers, "initialize");
        return key.ok ? undefined : key;
      },
      connect: async (transport, headers) => connectSession(this, transport, headers),
      ...(this.#o.inProcess?.forbidden ? { forbidden: this.#o.inProcess.forbidden } : {}),
      sessionHeaders: this.mode === "project" ? [PROJECT_HEADER] : [],
      lane: (headers, message) => this.#requests2026.laneFor(headers, message),
      serve2026: (request, parsedBody) => this.#requests2026.serve(request, parsedBody),
      end: (headers) => this.#end(headers),
    };
  }

  /** A request's client: its token's label, its project folder, its tools (read on each use: reloads). */
  clientAt(
    headers: IncomingHttpHeaders | Headers,
    cwd?: string,
  ): Pick<CallClient, "credential" | "project" | "tools"> {
    const credential = presentedLabel(headerOf(headers, "authorization"));
    const client = clientOf(credential);
    return {
      credential,
      project: this.mode === "project" ? cwd : undefined,
      // `/tools` (in process) answers its own tools, each call judged again by its server's route.
      tools: this.#o.inProcess
        ? undefined
        : (listed) =>
            toolPolicy(this.name, this.#launch.toolRules, client, { pins: this.#o.cache.pins, listed }),
    };
  }

  #keyFor(headers: IncomingHttpHeaders | Headers, session?: string): ChildKey {
    const own = this.#o.inProcess?.keyOf;
    if (own) return own(headers, session);
    return childKeyOf(this.mode, headers, this.#o.side, this.mode === "session" ? session : undefined);
  }

  /** The process a request goes to, made room for (key-room.ts) when new, else marked as used now. */
  route(headers: IncomingHttpHeaders | Headers, session?: string): ChildKey {
    const found = this.#keyFor(headers, session);
    if (!found.ok) return found;
    const held = this.#children.get(found.key);
    held?.touch();
    if (held) return found;
    const holder = credentialOf(headers);
    const keys = [...this.#children].flatMap(([key, child]) => {
      const { state, inFlight, idleMs } = child.info();
      const inUse = state === "starting" || inFlight > 0 || (this.#sessions.get(key)?.size ?? 0) > 0;
      return key === "warm" ? [] : [{ key, holder: this.#holders.get(key) ?? "", idleMs, inUse }];
    });
    const room = roomFor(keys, holder, this.mode === "project" ? "project folders" : "sessions");
    if (room.full) return { ok: false, full: true, why: room.full };
    if (room.forget) void this.drop(room.forget);
    this.#holders.set(found.key, holder);
    this.child(found.key, found.cwd, found.open);
    return found;
  }

  /** A 2026-07-28 session's end (its relay's DELETE, same credential): its process stops now. */
  async #end(headers: IncomingHttpHeaders): Promise<boolean | undefined> {
    if (this.mode !== "session" || !headerOf(headers, SESSION_HEADER)) return undefined;
    const found = this.#keyFor(headers);
    if (!found.ok || !this.#children.has(found.key)) return false;
    await this.drop(found.key);
    return true;
  }

  child(key: string, cwd?: string, open?: OpenUpstream): SharedChild {
    let child = this.#children.get(key);
    if (!child) {
      // Not wherever the bridge was started: that would decide relative paths and which npx package runs.
      const launch = { ...this.#launch, cwd: cwd ?? this.#launch.cwd ?? os.homedir() };
      const event = (line: string) => this.#event(key, line);
      const own = (line: string) => (this.#own ? this.#own.write(key, line) : event(line));
      const updates = new MergedUpdates((uri) => {
        sendResourceUpdated(this.#sessions.get(key) ?? [], uri);
        this.#requests2026.resourceUpdated(key, uri);
      });
      // Its events go to both logs; what it writes (or a remote's way there, key masked) to its own.
      const transport = () => new ChildTransport(launch, event, own);
      child = new SharedChild(
        launch.name,
        open ??
          this.#o.inProcess?.open ??
          (launch.remote
            ? remoteOpener(launch.remote, own)
            : processOpener(transport, launch.name, this.#clock)),
        this.#key,
        this.#o.inProcess?.keyOf ? ListCache.memory() : this.#o.cache,
        {
          outcome: (event) => this.#outcome(key, event),
          listChanged: (kind) => this.#listChanged(key, kind),
          resourceUpdated: (uri) => updates.add(uri),
          wanted: () => new Set([...(this.#sessions.get(key) ?? [])].flatMap((s) => [...s.subscriptions])),
          message: (params) => sendLogMessage(this.#sessions.get(key) ?? [], params),
          log: (line) => this.#event(key, line),
          owner: () => [...(this.#sessions.get(key) ?? [])].find((s) => s.asker)?.asker?.(),
        },
        {
          scope: this.#scopeOf(key, cwd),
          clock: this.#clock,
          shim: this.#shim,
          roots: this.#rootsOf(key, cwd),
        },
      );
      this.#children.set(key, child);
    }
    return child;
  }

  #listChanged(key: string, kind: ListKind): void {
    sendListChanged(this.#sessions.get(key) ?? [], kind);
    this.#requests2026.listChanged(key, kind);
  }

  /** Its tools' pins changed (a reload): every session lists them again, and /tools indexes them again. */
  pinsChanged(): void {
    for (const key of this.#children.keys()) this.#listChanged(key, "tools");
    this.#o.cache.toolsChanged(this.name);
  }

  /** What happened to the process `key`: in its own log, and in the bridge's (serve.log) with the key. */
  #event(key: string, line: string): void {
    this.#own?.write(key, line);
    this.log(`${key}: ${line}`);
  }

  /** A start's outcome, or an end unasked; a project's start clears only its own folder's failure. */
  #outcome(key: string, event: ChildOutcome): void {
    if (event.kind === "started") {
      this.#lastStartFailed = false;
      if (this.#failure && (this.mode !== "project" || this.#failure.key === key)) this.#failure = undefined;
      this.#own?.write(key, `started${event.pid ? ` (pid ${event.pid})` : ""}`);
      return;
    }
    if (event.kind === "failed") this.#event(key, `did not start: ${event.error}`);
    // Sync's cache fill reports its own failure: no call failed.
    if (key === "warm") return;
    if (event.kind === "failed") this.#lastStartFailed = true;
    this.#failure = { error: event.error, key, at: this.#clock.now() };
  }

  /**
   * The answer to a `roots/list` of a process no one client owns: a project's folder; a machine's,
   * the folders its entry's arguments name. A session's asks its own client.
   */
  #rootsOf(key: string, cwd: string | undefined): (() => Promise<Json>) | undefined {
    if (this.mode === "session" && key !== "warm") return undefined;
    if (this.mode === "project" && cwd !== undefined) return async () => rootsOf([cwd]);
    return async () => rootsOf(await foldersIn(this.#launch.args));
  }

  /** Whose answers a process's are (shared-child.ts): a folder's, a session's, or the machine's. */
  #scopeOf(key: string, cwd: string | undefined): CacheScope {
    if (key === "warm" || this.mode === "machine") return { kind: "server" };
    return this.mode === "project" && cwd !== undefined ? { kind: "folder", folder: cwd } : { kind: "own" };
  }

  attached(key: string): Set<SessionRef> {
    const set = this.#sessions.get(key) ?? new Set();
    this.#sessions.set(key, set);
    return set;
  }

  /** Stop processes idle past `bridge.idleMinutes`; forget keys no request named for as long. */
  async sweep(): Promise<void> {
    const idleMs = this.#o.idleMs();
    for (const [key, child] of this.#children) {
      const info = child.info();
      if (info.inFlight > 0 || info.idleMs < idleMs) continue;
      const attached = (this.#sessions.get(key)?.size ?? 0) > 0;
      // An upstream in this process costs nothing idle, and tells its sessions what changes.
      if (info.state === "running" && this.#o.inProcess && attached) continue;
      if (info.state === "running") {
        this.#event(key, `stopping after ${Math.round(info.idleMs / 1000)} s without a call`);
        if (this.mode === "machine" || attached) await child.stop();
        else await this.drop(key);
      } else if (this.mode !== "machine" && key !== "warm" && info.state === "stopped" && !attached)
        await this.drop(key);
    }
  }

  /** Forget process `key`; `retire`: a request on its way is told to send again, starting nothing. */
  async drop(key: string, retire = true): Promise<void> {
    const child = this.#children.get(key);
    if (child) child.retired = retire;
    this.#children.delete(key);
    this.#holders.delete(key);
    this.#o.inProcess?.dropped?.(key);
    if (child) this.#restartsBefore += child.info().restarts;
    await this.#requests2026.drop(key, async () => {
      this.#sessions.delete(key);
      await child?.stop();
    });
  }

  /**
   * `bridge restart <name>`: every process stops; the next call starts it fresh, without backoff.
   * The sessions attached stay connected.
   */
  async restart(): Promise<ShareRestart> {
    const pids: number[] = [];
    let [stopped, sessions] = [0, 0];
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
    this.log(
      `restarted (\`mcp-twin bridge restart\`): ${stopped} process${stopped === 1 ? "" : "es"} stopped`,
    );
    return { name: this.name, stopped, pids: pids.sort((a, b) => a - b), sessions };
  }

  /** `GET /control/status`: each process, and the last error that still stands. */
  status(): ShareStatus {
    const infos = [...this.#children].map(([key, child]) => ({ key, info: child.info(), child }));
    const children = infos.map(({ key, info, child }) => ({
      key,
      state: info.failed ? ("failed" as const) : info.state,
      pid: info.pid ?? null,
      rssBytes: rssOf(info.pid),
      sessions: this.#sessions.get(key)?.size ?? 0,
      idleMs: info.idleMs,
      era: info.state === "running" ? (child.cached()?.era ?? null) : null,
      startedAt: info.startedAt ?? null,
      ...(info.lastError ? { lastError: info.lastError, lastErrorAt: info.lastErrorAt } : {}),
    }));
    const failure = this.#failure;
    // A process still starting runs already: it is not "stopped" while its start goes on.
    const running = infos.some(({ info }) => info.state !== "stopped");
    return {
      name: this.name,
      path: this.path,
      mode: this.mode,
      state: running ? "running" : this.#lastStartFailed ? "failed" : "stopped",
      children,
      cached: this.#o.cache.get(this.name, this.#key) !== undefined,
      restarts: this.#restartsBefore + infos.reduce((n, { info }) => n + info.restarts, 0),
      ...(failure && {
        lastError: failure.error,
        lastErrorIn: failure.key,
        lastErrorAt: new Date(failure.at).toISOString(),
      }),
      ...(this.#own ? { log: this.#own.file } : {}),
    };
  }

  async close(): Promise<void> {
    this.#shim.close();
    await Promise.all([...this.#children.keys()].map((key) => this.drop(key)));
    await this.#own?.flushed();
  }
}
