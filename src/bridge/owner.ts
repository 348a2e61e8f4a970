/**
 * The process that owns the bridge state (`serve --http`): it holds the state folder's lock, so
 * there is one at a time; opens the stores, the token, the plugins and the shared servers; and
 * serves them over HTTP until stopped.
 */
import { chmod, mkdir } from "node:fs/promises";
import { OperationError } from "../core/errors.js";
import { withLock } from "../core/files.js";
import { VERSION } from "../version.js";
import { type Endpoint, type HttpBridge, listenHttp } from "./http.js";
import { liveInstance, removeInstance, writeInstance } from "./instance.js";
import { BRIDGE_PATH, type BridgeFiles, bridgeUrl } from "./paths.js";
import { loadPlugins } from "./plugins.js";
import type { BridgeContext } from "./server.js";
import type { SharedServer } from "./share.js";
import { JsonStore, KeyedQueue } from "./store.js";
import { ensureToken, TokenGuard } from "./token.js";
import { emptyHandoff, parseHandoff } from "./tools/handoff-data.js";
import { emptyMemory, parseMemory } from "./tools/memory-data.js";

export interface OwnerOptions {
  files: BridgeFiles;
  host: string;
  port: number;
  allowedOrigins?: string[];
  maxBodyBytes?: number;
  shares?: SharedServer[];
  plugins?: boolean;
  log: (line: string) => void;
  /** Called once the bridge listens. */
  onReady?: (bridge: RunningBridge) => void;
}

export interface RunningBridge {
  url: string;
  port: number;
  context: BridgeContext;
  http: HttpBridge;
}

/** Run the bridge until `signal` aborts. Throws `bridge-running` when another process owns it. */
export async function runOwner(options: OwnerOptions, signal: AbortSignal): Promise<void> {
  const { files } = options;
  await mkdir(files.dir, { recursive: true, mode: 0o700 });
  await chmod(files.dir, 0o700).catch(() => {});
  try {
    await withLock(files.dir, () => serveLocked(options, signal), { waitMs: 0 });
  } catch (error) {
    if (error instanceof OperationError && error.code === "locked") {
      const other = await liveInstance(files);
      throw new OperationError(
        "bridge-running",
        other
          ? `The bridge already runs (pid ${other.pid}) at ${other.url}.`
          : `Another bridge process holds ${files.dir}.`,
        { hint: "Clients use that one; stop it first to start it with other options." },
      );
    }
    throw error;
  }
}

async function serveLocked(options: OwnerOptions, signal: AbortSignal): Promise<void> {
  const { files, log } = options;
  const { token, created } = await ensureToken(files.token);
  if (created) log(`created the bridge token ${files.token}`);
  const [memory, handoff] = await Promise.all([
    JsonStore.open(files.memory, emptyMemory, parseMemory),
    JsonStore.open(files.handoff, emptyHandoff, parseHandoff),
  ]);
  const shares = options.shares ?? [];
  let http: HttpBridge | undefined;
  let url = "";
  const plugins =
    options.plugins === false
      ? { tools: [], report: { dir: files.plugins, loaded: [], failed: [] } }
      : await loadPlugins(files.plugins, builtinToolNames());
  for (const p of plugins.report.loaded) log(`plugin ${p.file}: ${p.tools.join(", ")}`);
  for (const p of plugins.report.failed) log(`plugin ${p.file} skipped: ${p.error}`);

  const context: BridgeContext = {
    version: VERSION,
    files,
    startedAt: new Date(),
    token: new TokenGuard(files.token, token),
    memory,
    handoff,
    notesQueue: new KeyedQueue(),
    plugins: plugins.report,
    pluginTools: plugins.tools,
    url: () => url,
    sessions: () => http?.sessions() ?? [],
    shares: () => shares.map((s) => s.info()),
  };
  const endpoints: Endpoint[] = [
    {
      path: BRIDGE_PATH,
      connect: async (transport) => {
        // The SDK's server (and zod) load with the first session: an idle bridge stays small.
        const { createBridgeServer } = await import("./server.js");
        const server = createBridgeServer(context);
        await server.connect(transport);
        return { close: () => server.close() };
      },
    },
    ...shares.map((s) => s.endpoint()),
  ];
  try {
    for (const s of shares) await s.start();
    http = await listenHttp({
      host: options.host,
      port: options.port,
      token: context.token,
      endpoints,
      ...(options.allowedOrigins ? { allowedOrigins: options.allowedOrigins } : {}),
      ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}),
      log,
    });
  } catch (error) {
    await Promise.all(shares.map((s) => s.stop()));
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE")
      throw new OperationError(
        "port-in-use",
        `Port ${options.port} on ${options.host} is taken by another program.`,
        {
          hint: "Choose another with --port (and `bridge.port` in the manifest, then `mcp-twin sync`).",
        },
      );
    if (code === "EADDRNOTAVAIL")
      throw new OperationError("bad-host", `${options.host} is not an address of this machine.`);
    throw error;
  }
  url = bridgeUrl(options.host, http.port);
  await writeInstance(files, {
    pid: process.pid,
    host: options.host,
    port: http.port,
    url,
    version: VERSION,
    startedAt: context.startedAt.toISOString(),
  });
  options.onReady?.({ url, port: http.port, context, http });
  try {
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener("abort", () => resolve(), { once: true });
    });
  } finally {
    await removeInstance(files).catch(() => {});
    await http.close();
    await Promise.all(shares.map((s) => s.stop()));
    await Promise.all([memory.flushed(), handoff.flushed()]);
  }
}

let builtins: Set<string> | undefined;
/** Names of the built-in tools (plugins cannot take them). */
function builtinToolNames(): Set<string> {
  builtins ??= new Set([
    "memory_set",
    "memory_get",
    "memory_list",
    "memory_delete",
    "notes_write",
    "notes_read",
    "notes_list",
    "notes_delete",
    "handoff_post",
    "handoff_list",
    "handoff_get",
    "handoff_claim",
    "handoff_complete",
    "bridge_status",
  ]);
  return builtins;
}
