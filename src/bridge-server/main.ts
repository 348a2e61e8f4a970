/**
 * The process that owns the bridge state (`serve --http`): it holds the state folder's lock, so
 * there is one at a time; opens the stores, the token, the plugins and the gateway's shared
 * servers; and serves them over HTTP until stopped.
 */
import { once } from "node:events";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import http from "node:http";
import { finished } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import {
  BRIDGE_PATH,
  BRIDGE_SERVER_NAME,
  type BridgeFiles,
  beatMs,
  bridgeUrl,
  ensureToken,
  liveInstance,
  removeInstance,
  shareLogFile,
  writeInstance,
} from "../core/bridge-link/index.js";
import type { ManifestShares, ShareLaunch } from "../core/entries/share-launch.js";
import { automountRootFromConf } from "../core/environments/path-translation.js";
import { ExitCode, OperationError, TwinError } from "../core/errors.js";
import {
  makePrivateFolder,
  pathExists,
  removePath,
  setFileTime,
  withLock,
  writePrivateFile,
} from "../core/system/files.js";
import { VERSION } from "../version.js";
import { type Clock, realClock } from "./clock.js";
import { fillApart, fillHere, Gateway, ListCache, type PathSide, ShareHost } from "./gateway/index.js";
import { type HttpBridge, type HttpOptions, listenHttp } from "./http.js";
import { JsonStore } from "./json-store.js";
import { NotesFolder } from "./notes-folder.js";
import { OwnServer } from "./own-server.js";
import { type BridgeContext, ToolSet } from "./own-tools.js";
import { type LoadedPlugins, loadPlugins } from "./plugins.js";
import { SessionSeal } from "./session-seal.js";
import { bridgeReport } from "./status-report.js";
import { TokenGuard } from "./token-guard.js";
import BUILTIN_LIST from "./tools/builtin-tools.json" with { type: "json" };
import { emptyHandoff, parseHandoff } from "./tools/handoff-data.js";
import { emptyMemory, parseMemory } from "./tools/memory-data.js";

/** Where it listens, whom it lets in and its sessions' grace: passed on to the listener as they are. */
type ListenOptions = Pick<
  HttpOptions,
  "host" | "port" | "fd" | "handed" | "allowedOrigins" | "peers" | "sessionGraceMs"
>;

export interface OwnerOptions extends ListenOptions {
  files: BridgeFiles;
  /** The pid of its keeper, which holds its socket and starts it again (none under systemd). */
  keeper?: number | undefined;
  /** The shared servers: the manifest's (read again on reload), `serve --share`'s, those to start now. */
  gateway?: { load(): Promise<ManifestShares>; adHoc: ShareLaunch[]; warm: string[] };
  plugins?: boolean;
  /** What the bridge's timers run on (sessions' grace, idle stops, timeouts); tests move it by hand. */
  clock?: Clock;
  log: (line: string) => void;
  /** Told what it is doing until it listens (named if it can never get there). */
  onPhase?: (text: string) => void;
  onReady?: (bridge: RunningBridge) => void;
}

export interface RunningBridge {
  url: string;
  port: number;
  http: HttpBridge;
  gateway: Gateway;
}

/**
 * Run the bridge until `signal` aborts. Throws `bridge-running` (exit code 3, ExitCode.bridgeRunning)
 * when another process owns it: not a failure, so a supervisor does not start it again.
 */
export async function runOwner(options: OwnerOptions, signal: AbortSignal): Promise<void> {
  const { files } = options;
  await makePrivateFolder(files.dir);
  try {
    await withLock(files.dir, () => serveLocked(options, signal), { waitMs: 0 });
  } catch (error) {
    if (error instanceof OperationError && error.code === "locked") {
      const other = await liveInstance(files);
      throw new TwinError(
        BRIDGE_RUNNING,
        other
          ? `The bridge already runs (pid ${other.pid}) at ${other.url}.`
          : `Another bridge process holds ${files.dir}.`,
        {
          exitCode: ExitCode.bridgeRunning,
          hint: "Clients use that one. To run it with other options: `mcp-twin bridge stop`, then start this again (or `mcp-twin bridge restart` for the manifest's settings).",
        },
      );
    }
    throw error;
  }
}

/** A listen that failed, as what to do about it: the port taken, or an address not this machine's. */
function listenFailed(error: unknown, host: string, port: number): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE")
    return new OperationError("port-in-use", `Port ${port} on ${host} is taken by another program.`, {
      hint: "Choose another with --port (and `bridge.port` in the manifest, then `mcp-twin sync`).",
    });
  if (code === "EADDRNOTAVAIL")
    return new OperationError("bad-host", `${host} is not an address of this machine.`);
  return error;
}

/** The control routes (http.ts answers them, authenticated like the MCP endpoints). */
function controlRoutes(context: BridgeContext, gateway: Gateway): NonNullable<HttpOptions["control"]> {
  // What a no-op sync reads instead of asking (core/sync/gateway-current.ts), written in turn.
  const at = { pid: process.pid, startedAt: context.startedAt.toISOString() };
  let marked: Promise<unknown> = Promise.resolve();
  const mark = (fingerprint?: string) => {
    const write = () => writePrivateFile(context.files.current, JSON.stringify({ ...at, fingerprint }));
    marked = marked.then(write, write); // whether the one before failed or not: its caller was told
    return marked;
  };
  return {
    // Names this bridge first: a probe (core/bridge-link/reach.ts) learns it is this home's from it,
    // and `bridge status` its details, with no MCP session to load the SDK into an idle bridge.
    status: () => ({ bridge: { name: BRIDGE_SERVER_NAME, ...bridgeReport(context) }, ...gateway.status() }),
    reload: async (given) => {
      await mark(); // no fingerprint from now on, until a warm leaves nothing to do
      // Sync's PATH from now on: a program installed since this bridge started, found by that sync,
      // starts here on the next call (the servers' processes inherit it).
      if (given.path) process.env.PATH = given.path;
      return gateway.reload(given.fingerprint);
    },
    warm: async () => {
      const warmed = await gateway.fillCaches();
      return mark(warmed.failed.length === 0 ? gateway.readFor : undefined).then(() => warmed);
    },
    restart: (name) => gateway.restart(name),
  };
}

/** The code of the error runOwner throws when another process owns the bridge. */
export const BRIDGE_RUNNING = "bridge-running";

async function serveLocked(options: OwnerOptions, signal: AbortSignal): Promise<void> {
  const { files, log } = options;
  const phase = options.onPhase ?? (() => {});
  const { token, created } = await ensureToken(files.token);
  if (created) log(`created the bridge token ${files.token}`);
  const seal = await SessionSeal.open(files.sessionKey, { ended: files.sessionsEnded });
  // Clients may still hold sessions of the bridge before this one: it crashed (its serve.json is
  // still here, as this process holds the lock), or it stopped with sessions open; their next calls
  // open them again (session-seal.ts), and this bridge warms up for them (warmUp).
  const resuming = (await pathExists(files.instance)) || (await pathExists(files.sessionsOpen));
  await removePath(files.sessionsOpen);
  const [memory, handoff] = await Promise.all([
    JsonStore.open(files.memory, emptyMemory, parseMemory),
    JsonStore.open(files.handoff, emptyHandoff, parseHandoff),
  ]);
  // The browser origins the user allows: `--allow-origin`'s and the manifest's (read on each reload).
  let http: HttpBridge | undefined;
  let manifestOrigins: readonly string[] = [];
  const origins = () => [...(options.allowedOrigins ?? []), ...manifestOrigins];
  const given = options.gateway;
  const gateway = await openGateway({
    ...options,
    ...(given && {
      gateway: {
        ...given,
        load: async () => {
          const loaded = await given.load();
          manifestOrigins = loaded.allowOrigins ?? [];
          http?.allowOrigins(origins());
          return loaded;
        },
      },
    }),
  });
  let url = "";
  const plugins =
    options.plugins === false
      ? { tools: [], report: { dir: files.plugins, loaded: [], failed: [] } }
      : await loadPlugins(files.plugins, BUILTIN_TOOLS, (file) => phase(`loading the plugin ${file}`));
  for (const p of plugins.report.loaded) log(`plugin ${p.file}: ${p.tools.join(", ")}`);
  for (const p of plugins.report.failed) log(`plugin ${p.file} skipped: ${p.error}`);
  const context: BridgeContext = {
    files,
    startedAt: new Date(),
    token: new TokenGuard(files.token, token),
    memory,
    handoff,
    notes: new NotesFolder(files.notes),
    plugins: plugins.report,
    url: () => url,
    sessions: () => http?.sessions() ?? [],
    shares: () => gateway.status().shares,
  };
  const own = ownHost(context, bridgeTools(context, plugins.tools), options);
  try {
    for (const name of options.gateway?.warm ?? []) {
      phase(`starting the shared server "${name}"`);
      await gateway.warm([name]);
    }
    phase(`listening on ${options.host}:${options.port}`);
    http = await listenHttp({
      // Its ListenOptions, clock and log as they are.
      ...options,
      token: context.token,
      endpoints: [own.endpoint()],
      endpointAt: (pathname) => gateway.endpointAt(pathname),
      control: controlRoutes(context, gateway),
      allowedOrigins: origins(),
      seal,
    });
  } catch (error) {
    await gateway.close();
    throw listenFailed(error, options.host, options.port);
  }
  url = bridgeUrl(options.host, http.port);
  if (resuming) await warmUp(url, token).catch((error: Error) => log(`warm-up: ${error.message}`));
  await writeInstance(files, {
    pid: process.pid,
    host: options.host,
    port: http.port,
    url,
    version: VERSION,
    startedAt: context.startedAt.toISOString(),
    // Its keeper holds its socket and starts it again: `bridge stop` ends that one with it.
    ...(options.keeper !== undefined ? { keeper: options.keeper } : {}),
  });
  // Beaten by this event loop alone, so a stuck one stops it (beatMs); no serve.json (a stop): no beat.
  const beat = () => void setFileTime(files.instance, new Date()).catch(() => {});
  const beating = (options.clock ?? realClock).every(beatMs(process.env), beat);
  options.onReady?.({ url, port: http.port, http, gateway });
  try {
    if (!signal.aborted) await once(signal, "abort");
  } finally {
    beating.cancel();
    // A stop under live clients (`bridge restart`, an upgrade): the next bridge prepares for them.
    if (http.sessions().length > 0) await writePrivateFile(files.sessionsOpen, "").catch(() => {});
    // Left behind, it names a pid that is gone, which every reader of it checks (core/bridge-link/process-records.ts).
    await removeInstance(files).catch(() => {});
    await http.close();
    await own.close();
    await gateway.close();
    context.notes.close();
    await Promise.all([memory.flushed(), handoff.flushed()]);
  }
}

/**
 * One session of the bridge's own over loopback (initialize, a read-only call, DELETE) before it
 * says it runs: a process just started runs its first requests several times slower (its code not
 * yet compiled), and under live clients those would be their sessions' next calls.
 */
async function warmUp(url: string, token: string): Promise<void> {
  const { send } = await import("../core/system/keep-alive-http.js");
  // No keep-alive: no connection of its own is left open in the bridge.
  const agent = new http.Agent();
  const ask = async (method: "POST" | "DELETE", body?: unknown, session?: string) => {
    const headers = {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2025-11-25",
      ...(session ? { "mcp-session-id": session } : {}),
    };
    const sent = body === undefined ? {} : { body: JSON.stringify(body) };
    const res = await send(new URL(url), { method, headers, agent, ...sent });
    await finished(res.resume());
    return res.headers["mcp-session-id"] as string | undefined;
  };
  const clientInfo = { name: "mcp-twin warm-up", version: VERSION };
  const params = { protocolVersion: "2025-11-25", capabilities: {}, clientInfo };
  const session = await ask("POST", { jsonrpc: "2.0", id: 1, method: "initialize", params });
  if (!session) return;
  await ask("POST", { jsonrpc: "2.0", method: "notifications/initialized" }, session);
  const call = { name: "memory_list", arguments: {} };
  await ask("POST", { jsonrpc: "2.0", id: 2, method: "tools/call", params: call }, session);
  await ask("DELETE", undefined, session);
}

/**
 * The bridge's own server at `/mcp`, served like a `machine` share (both eras, sealed sessions,
 * subscriptions, the one call): one upstream in this process, started with the first session or
 * request and never stopped; its lists kept in memory, not in the shared servers' cache file.
 */
function ownHost(context: BridgeContext, tools: ToolSet, options: OwnerOptions): ShareHost {
  const identity = { command: "", args: [], envNames: [] };
  return new ShareHost(
    { name: BRIDGE_SERVER_NAME, mode: "machine", command: "", args: [], env: {}, identity },
    {
      cache: ListCache.memory(),
      // Its one process is never keyed by a folder or a session, nor swept (the gateway does not hold it).
      side: { platform: process.platform, mountRoot: "/mnt/" },
      idleMs: () => Number.POSITIVE_INFINITY,
      log: options.log,
      ...(options.clock ? { clock: options.clock } : {}),
      inProcess: { path: BRIDGE_PATH, open: async (events) => new OwnServer(tools, context.notes, events) },
    },
  );
}

/** The shared servers' gateway, its list cache filled by a process apart where one is built. */
async function openGateway(options: OwnerOptions): Promise<Gateway> {
  const { files, log } = options;
  const side = await pathSide();
  // The built entry that fills list caches apart (dist/fill/, beside dist/serve/); none from source.
  const fillFile = fileURLToPath(new URL("../fill/fill-caches.js", import.meta.url));
  const fillEntry = existsSync(fillFile) ? fillFile : undefined;
  return Gateway.open({
    cacheFile: files.shareCache,
    side,
    load: options.gateway?.load ?? (async () => ({ launches: [], failed: [], idleMinutes: 10 })),
    adHoc: options.gateway?.adHoc ?? [],
    log,
    logFile: (name) => shareLogFile(files, name),
    clock: options.clock,
    // sync's list cache filled by a process apart: the SDK it needs never loads into this one (run
    // from source, with no such process built, it fills in this one the same way).
    fill: (launches) => {
      const logFiles = Object.fromEntries(launches.map((l) => [l.name, shareLogFile(files, l.name)]));
      const input = { launches, side, logFiles };
      return fillEntry ? fillApart(fillEntry, input, log) : fillHere(input, log);
    },
  });
}

/** How this side reads a project folder a Windows client names (inside WSL: its mount root). */
async function pathSide(): Promise<PathSide> {
  const conf =
    // No /etc/wsl.conf (or unreadable): WSL's defaults.
    process.platform === "linux" ? await readFile("/etc/wsl.conf", "utf8").catch(() => undefined) : undefined;
  return {
    platform: process.platform,
    mountRoot: automountRootFromConf(conf),
    distro: process.env.WSL_DISTRO_NAME,
  };
}

/** Every tool the sessions serve: the built-ins as listed at build time, then the plugins'. */
function bridgeTools(context: BridgeContext, plugins: LoadedPlugins["tools"]): ToolSet {
  const listed = plugins.map(({ name, description, inputSchema }) => ({ name, description, inputSchema }));
  return new ToolSet([...BUILTIN_LIST, ...listed], async () => [
    ...(await import("./tools/memory.js")).memoryTools(context.memory),
    ...(await import("./tools/notes.js")).notesTools(context.notes),
    ...(await import("./tools/handoff.js")).handoffTools(context.handoff),
    (await import("./tools/bridge-status.js")).statusTool(context),
    ...plugins,
  ]);
}

/** Names of the built-in tools (plugins cannot take them). */
const BUILTIN_TOOLS: ReadonlySet<string> = new Set(BUILTIN_LIST.map((t) => t.name));
