/**
 * The gateway: every shared server the bridge runs, read from the manifest at start and again on
 * `POST /control/reload`, their status for `GET /control/status`, and the idle sweep.
 */

import { SHARE_PREFIX, TOOLS_PATH } from "../../core/bridge-link/index.js";
import type { ManifestShares, ShareLaunch, ToolSearchShares } from "../../core/entries/share-launch.js";
import { RPC } from "../../core/jsonrpc/codes.js";
import type { ShareMode } from "../../core/manifest/schema.js";
import { repin } from "../../core/pins/hold-back.js";
import { realClock, type Timer } from "../clock.js";
import { type Endpoint, shareOf } from "../endpoint.js";
import { errorResponse } from "../param-check.js";
import type { FillOutput } from "./fill-apart.js";
import { ListCache } from "./list-cache.js";
import { type HostOptions, ShareHost } from "./share-host.js";
import type { ShareRestart, ShareStatus } from "./share-status.js";
import { toolsHost } from "./tools-route.js";

/** Its shared servers' side, log and clock (the idle sweep runs on that clock too: tests move it by hand). */
export interface GatewayOptions extends Pick<HostOptions, "side" | "log" | "clock"> {
  cacheFile: string;
  /** The manifest's shared servers, read again on each reload. */
  load(): Promise<ManifestShares>;
  /** `serve --share` names not shared by the manifest: one process each, for this process's life. */
  adHoc: ShareLaunch[];
  /** Each server's own log file (none: their processes' stderr goes to `log`). */
  logFile?: (name: string) => string;
  /** Fill list caches: in a process apart where one is built, else in this one (fill-apart.ts). */
  fill: (launches: ShareLaunch[]) => Promise<FillOutput>;
}

/** What `GET /control/status` answers. */
export interface GatewayStatus {
  idleMinutes: number;
  shares: ShareStatus[];
}

/** What `POST /control/reload` answers: the new status and what changed. */
export interface ReloadReport extends GatewayStatus {
  added: string[];
  removed: string[];
  /** Those whose launch changed: their processes were stopped (the next call starts the new one). */
  changed: string[];
  error?: string;
  /** Nothing read again: it read all it runs for this very fingerprint (sync's inputs). */
  current?: true;
}

/** `POST /control/warm`: the servers whose lists were cached now, and those that could not start. */
export interface WarmReport {
  warmed: string[];
  /** cannotRun: it cannot start here at all (not installed, a secret missing), not only this time. */
  failed: Array<{ name: string; error: string; cannotRun?: true }>;
}

export class Gateway {
  readonly #o: GatewayOptions;
  readonly #cache: ListCache;
  readonly #hosts = new Map<string, ShareHost>();
  /** Shared servers that cannot start here, and why (a request to them is told). */
  readonly #failed = new Map<string, { mode: ShareMode; error: string }>();
  /** Why sync's last fill of a server's lists failed (a process apart: its host never saw it). */
  readonly #unfilled = new Map<string, string>();
  /** The manifest's toolSearch, and the servers behind `/tools` only (never at `/share/<name>`). */
  #toolSearch: ToolSearchShares | undefined;
  #hidden = new Set<string>();
  #tools: ShareHost | undefined;
  #idleMinutes = 10;
  #sweep: Timer | undefined;
  #sweeping = false;
  #retry: NodeJS.Timeout | undefined;
  /** The fingerprint of the sync whose reload read all it runs (none failing); another reload clears it. */
  readFor: string | undefined;

  private constructor(options: GatewayOptions, cache: ListCache) {
    [this.#o, this.#cache] = [options, cache];
  }

  static async open(options: GatewayOptions): Promise<Gateway> {
    const gateway = new Gateway(options, await ListCache.open(options.cacheFile, options.log));
    await gateway.reload();
    return gateway;
  }

  /** The endpoint at `/share/<name>`, if that server is shared (or named, and failing). */
  endpointAt(pathname: string): Endpoint | undefined {
    if (pathname === TOOLS_PATH && this.#toolSearch) {
      const hosts = { plan: () => this.#toolSearch, host: (n: string) => this.#hosts.get(n) };
      this.#tools ??= toolsHost({ ...this.#hostOptions(), ...hosts, failure: this.#failure });
      return this.#tools.endpoint();
    }
    const name = shareOf(pathname);
    if (!name || this.#hidden.has(name)) return undefined;
    const failed = this.#failed.get(name);
    return this.#hosts.get(name)?.endpoint() ?? (failed && failingEndpoint(pathname, name, failed.error));
  }

  /** What each of its hosts runs with: its cache, side, log, clock and idle time. */
  #hostOptions(): HostOptions {
    const { side, log, clock } = this.#o;
    const idleMs = () => this.#idleMinutes * 60_000;
    return { cache: this.#cache, side, log, idleMs, ...(clock ? { clock } : {}) };
  }

  /** Why a server has no lists: it cannot run here, or its last start (a call's, else sync's fill) failed. */
  #failure = (name: string) => {
    const cannot = this.#failed.get(name)?.error;
    const last = this.#hosts.get(name)?.status().lastError ?? this.#unfilled.get(name);
    if (cannot) return `cannot run here: ${cannot}`;
    return last && `did not start: ${last.replace(/^.*?did not start: /, "")}`;
  };

  /** What it sweeps and closes: its shared servers, and `/tools` once served. */
  #all = () => [...this.#hosts.values(), ...(this.#tools ? [this.#tools] : [])];

  hosts = (): ShareHost[] => [...this.#hosts.values()];

  /** Start these (machine-wide) shared servers now: `serve --share` shows a failure at once. */
  async warm(names: readonly string[]): Promise<void> {
    for (const name of names) await this.#hosts.get(name)?.warm();
  }

  /** Fill the list cache of every shared server never started (see ShareHost.fillCache). */
  async fillCaches(): Promise<WarmReport> {
    const failed: WarmReport["failed"] = [];
    // A server that cannot run here (not installed, a secret missing) is said with its reason.
    for (const [name, f] of this.#failed) failed.push({ name, error: f.error, cannotRun: true });
    const need = [...this.#hosts.values()].filter((h) => !this.#failed.has(h.name) && h.needsCache());
    if (need.length === 0) return { warmed: [], failed };
    const filled = await this.#o.fill(need.map((h) => h.launch));
    for (const h of need) this.#unfilled.delete(h.name);
    for (const f of filled.failed) this.#unfilled.set(f.name, f.error);
    for (const [name, entry] of filled.entries) if (this.#hosts.has(name)) this.#cache.put(name, entry);
    // On disk before sync is told they are warmed: `tools` and a new bridge read them from the file.
    await this.#cache.flushed();
    return { warmed: filled.warmed, failed: [...failed, ...filled.failed] };
  }

  /** The same `fingerprint` (sync's inputs hashed, gateway-fingerprint.ts) as the last: nothing read. */
  async reload(fingerprint?: string): Promise<ReloadReport> {
    if (fingerprint !== undefined && fingerprint === this.readFor)
      return { ...this.status(), added: [], removed: [], changed: [], current: true };
    this.readFor = undefined;
    let loaded: ManifestShares;
    try {
      loaded = await this.#o.load();
    } catch (error) {
      // A manifest that does not load leaves what runs as it is, and says why.
      const message = error instanceof Error ? error.message : String(error);
      return { ...this.status(), added: [], removed: [], changed: [], error: message };
    }
    this.#idleMinutes = loaded.idleMinutes;
    this.#toolSearch = loaded.toolSearch;
    const repinned = repin(this.#cache, loaded.pins);
    const behind = loaded.toolSearch?.launches ?? [];
    this.#hidden = new Set(behind.map((l) => l.name));
    const launches = new Map([...behind, ...loaded.launches].map((l) => [l.name, l]));
    for (const l of this.#o.adHoc)
      if (!launches.has(l.name) && !loaded.failed.some((f) => f.name === l.name)) launches.set(l.name, l);
    const [added, removed, changed]: [string[], string[], string[]] = [[], [], []];
    for (const [name, host] of this.#hosts)
      if (!launches.has(name)) {
        this.#hosts.delete(name);
        removed.push(name);
        await host.close();
      }
    for (const [name, launch] of launches) {
      const host = this.#hosts.get(name);
      if (!host) {
        const logFile = this.#o.logFile ? { logFile: this.#o.logFile(name) } : {};
        this.#hosts.set(name, new ShareHost(launch, { ...this.#hostOptions(), ...logFile }));
        added.push(name);
      } else if (await host.reload(launch)) changed.push(name);
    }
    for (const name of repinned) this.#hosts.get(name)?.pinsChanged();
    this.#failed.clear();
    for (const f of [...loaded.failed, ...(loaded.toolSearch?.failed ?? [])]) {
      this.#failed.set(f.name, { mode: f.mode, error: f.error });
      this.#o.log(`[share ${f.name}] cannot run here: ${f.error}`);
    }
    this.#schedule();
    // Keys in a keychain not answering yet (locked at logon): read again (share-launch.ts says when).
    clearTimeout(this.#retry);
    if (loaded.retryInMs) this.#retry = setTimeout(() => void this.reload(), loaded.retryInMs).unref();
    // A server that cannot run (a key missing, not installed) is read again by every sync, as before.
    this.readFor = this.#failed.size === 0 && !loaded.retryInMs ? fingerprint : undefined;
    return { ...this.status(), added, removed, changed };
  }

  /** Stop every process of one shared server (ShareHost.restart); undefined: no such server here. */
  async restart(name: string): Promise<ShareRestart | undefined> {
    const failed = this.#failed.get(name);
    if (failed) return { name, stopped: 0, pids: [], sessions: 0, cannotRun: failed.error };
    return this.#hosts.get(name)?.restart();
  }

  status(): GatewayStatus {
    const shares = [...this.#hosts.values()].map((h) => h.status());
    for (const [name, f] of this.#failed)
      shares.push({
        name,
        path: `${SHARE_PREFIX}${encodeURIComponent(name)}`,
        mode: f.mode,
        state: "failed",
        children: [],
        cached: false,
        restarts: 0,
        lastError: f.error,
      });
    return { idleMinutes: this.#idleMinutes, shares };
  }

  /** The idle sweep runs a few times per idle period (at most every 15 s, at least every 50 ms). */
  #schedule(): void {
    this.#sweep?.cancel();
    const every = Math.min(15_000, Math.max(50, (this.#idleMinutes * 60_000) / 4));
    this.#sweep = (this.#o.clock ?? realClock).every(every, () => {
      if (this.#sweeping) return;
      this.#sweeping = true;
      const swept = this.#all().map((h) =>
        h
          .sweep()
          .catch((error: unknown) => this.#o.log(`[share ${h.name}] idle sweep failed: ${String(error)}`)),
      );
      void Promise.all(swept).finally(() => {
        this.#sweeping = false;
      });
    });
  }

  async close(): Promise<void> {
    this.#sweep?.cancel();
    clearTimeout(this.#retry);
    await Promise.all(this.#all().map((h) => h.close()));
    await this.#cache.flushed();
  }
}

/** A shared server that cannot start here: every request is told why. */
function failingEndpoint(path: string, name: string, error: string): Endpoint {
  const why = `the shared server "${name}" cannot run here: ${error}`;
  return {
    path,
    admit: () => ({ why }),
    connect: async () => {
      throw new Error(why);
    },
    serve2026: async (_request, body) =>
      errorResponse(400, body, { code: RPC.invalidParams, message: `Invalid params: ${why}` }),
  };
}
