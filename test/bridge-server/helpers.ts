/**
 * The bridge under test is the built CLI (`npm run build` first; `npm test` does): real
 * processes, real temp state folders, real SDK clients over HTTP and stdio.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  Client,
  StreamableHTTPClientTransport,
  type VersionNegotiationMode,
} from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { afterAll, beforeAll } from "vitest";
import { isAlive as alive } from "../../src/core/system/process-alive.js";
import { binForOthers } from "../helpers/as-account.js";
import { endStartLoop, startLoopOf } from "../helpers/bridge-loop.js";
import { npmStandInFolder } from "../helpers/fake-machine.js";

export const BIN = fileURLToPath(new URL("../../bin/mcp-twin.js", import.meta.url));

export type Cleanups = Array<() => Promise<void> | void>;
const cleanups: Cleanups = [];
/** Call from afterEach: stops every bridge and client, removes every temp dir. */
export function cleanup(): Promise<void> {
  return runCleanups(cleanups);
}

async function runCleanups(list: Cleanups): Promise<void> {
  // A step that throws at once (rmSync) must not skip the steps after it.
  for (const fn of list.splice(0).reverse())
    await Promise.resolve()
      .then(fn)
      .catch(() => {});
}

/** A temp dir removed at the next `cleanup()` (or with the steps of `list`). */
export function tempDir(list: Cleanups = cleanups): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-bridge-"));
  list.push(() => {
    // A bridge a stdio client started in it, when the test failed before it took that bridge in.
    stopBridgeOf(path.join(dir, "bridge"));
    // A shared server's last write can land while the folder is removed (ENOTEMPTY): rmSync retries.
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  });
  return dir;
}

/** SIGKILL to the keeper and the bridge a state folder's serve.json names, if they still run. */
function stopBridgeOf(stateDir: string): void {
  let info: { pid?: unknown; keeper?: unknown };
  try {
    info = JSON.parse(readFileSync(path.join(stateDir, "serve.json"), "utf8")) as typeof info;
  } catch {
    return;
  }
  for (const pid of [info.keeper, info.pid]) {
    try {
      // Only a process that is still mcp-twin's (the pid not taken by another meanwhile).
      if (typeof pid === "number" && readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("mcp-twin"))
        process.kill(pid, "SIGKILL");
    } catch {
      // Gone already, or no /proc: nothing of it to stop.
    }
  }
}

/**
 * A clean environment for the CLI: its own home, XDG folders and bridge state folder, and its own
 * npm prefix, which the fake machines' npm stand-in (first on PATH) answers `npm prefix -g` with,
 * without a start of the real npm in every bridge and command; every other npm command is npm's.
 */
export function bridgeEnv(root: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: [npmStandInFolder(), process.env.PATH ?? ""].join(path.delimiter),
    NPM_CONFIG_PREFIX: path.join(root, ".npm-global"),
    HOME: root,
    USER: "test",
    LANG: "C.UTF-8",
    NO_COLOR: "1",
    XDG_CONFIG_HOME: path.join(root, ".config"),
    XDG_CACHE_HOME: path.join(root, ".cache"),
    XDG_DATA_HOME: path.join(root, ".local", "share"),
    MCP_TWIN_HOME: path.join(root, "mcp-twin-home"),
    MCP_TWIN_BRIDGE_HOME: path.join(root, "bridge"),
    ...extra,
  };
}

export interface RunningBridge {
  root: string;
  dir: string;
  env: Record<string, string>;
  url: string;
  port: number;
  pid: number;
  token: string;
  child: ChildProcess;
  stderr(): string;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
}

/** Wait until `<dir>/serve.json` names process `pid` (or any live one when pid is omitted). */
export async function waitForInstance(dir: string, pid?: number, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const info = readJson(path.join(dir, "serve.json")) as { pid: number; port: number; url: string };
      if (pid === undefined || info.pid === pid) return info;
    } catch {
      // not written yet
    }
    await sleep(25);
  }
  throw new Error(`no serve.json in ${dir}`);
}

interface BridgeOptions {
  root?: string;
  args?: string[];
  env?: Record<string, string>;
  uid?: number;
  port?: number;
}

/** `mcp-twin serve --http --port <port, default 0> ...args` in `root` (a new temp dir by default). */
export async function startBridge(
  options: BridgeOptions = {},
  list: Cleanups = cleanups,
): Promise<RunningBridge> {
  const root = options.root ?? tempDir(list);
  const env = bridgeEnv(root, options.env);
  // `uid`: the bridge as another user account (the test runs as root; its files are that uid's).
  const account = options.uid === undefined ? {} : { uid: options.uid, gid: options.uid };
  const child = spawn(
    process.execPath,
    [
      options.uid === undefined ? BIN : binForOthers(),
      "serve",
      "--http",
      "--port",
      String(options.port ?? 0),
      ...(options.args ?? []),
    ],
    {
      env,
      stdio: ["ignore", "pipe", "pipe"],
      ...account,
    },
  );
  let err = "";
  child.stderr!.on("data", (c: Buffer) => {
    err += c.toString();
  });
  child.stdout!.resume();
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  list.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
  });
  const dir = env.MCP_TWIN_BRIDGE_HOME!;
  const info = await Promise.race([
    waitForInstance(dir, child.pid),
    exited.then((code) => {
      throw new Error(`serve --http exited with ${code}: ${err}`);
    }),
  ]);
  return {
    root,
    dir,
    env,
    url: info.url,
    port: info.port,
    pid: child.pid!,
    token: readFileSync(path.join(dir, "token"), "utf8").trim(),
    child,
    stderr: () => err,
    async stop() {
      child.kill("SIGTERM");
      return exited;
    },
  };
}

/**
 * One bridge (or gateway) for the tests of a file that judge neither its start nor what it holds
 * between tests: `start` runs before the first test, its cleanups (the bridge, its folder) after
 * the last: a bridge not started saves about 0.26 CPU-s (docs/dev/testing.md). The tests sharing one
 * keep to keys, names and sessions of their own.
 */
export function forFile<T>(start: (list: Cleanups) => Promise<T>): () => T {
  const own: Cleanups = [];
  let started: { value: T } | undefined;
  beforeAll(async () => {
    started = { value: await start(own) };
  });
  afterAll(() => runCleanups(own));
  return () => {
    if (!started) throw new Error("no bridge for the file: its start failed in beforeAll");
    return started.value;
  };
}

/** `startBridge(options)` once for the file's tests (`forFile`). */
export const bridgeForFile = (options: BridgeOptions = {}) => forFile((list) => startBridge(options, list));

/**
 * An SDK client over Streamable HTTP with the bearer token; `era`: the SDK's version negotiation
 * (default 2025-11-25 only, "auto" probes, `{ pin: "2026-07-28" }` speaks only 2026-07-28).
 */
export async function httpClient(
  url: string,
  token: string,
  name = "test-client",
  era: VersionNegotiationMode = "legacy",
): Promise<Client> {
  const client = new Client({ name, version: "1.0.0" }, { versionNegotiation: { mode: era } });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
  );
  cleanups.push(() => client.close());
  return client;
}

/** An SDK client that starts `mcp-twin <args>` and speaks stdio to it. */
export async function stdioClient(
  args: string[],
  env: Record<string, string>,
  name = "stdio-client",
  era: VersionNegotiationMode = "legacy",
): Promise<{ client: Client; stderr: () => string; pid: number | null }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, ...args],
    env,
    stderr: "pipe",
  });
  let err = "";
  transport.stderr?.on("data", (c: Buffer) => {
    err += c.toString();
  });
  const client = new Client({ name, version: "1.0.0" }, { versionNegotiation: { mode: era } });
  await client.connect(transport);
  cleanups.push(() => client.close());
  return { client, stderr: () => err, pid: transport.pid };
}

/** The JSON a tool answered with (its text content). */
export async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = await client.callTool({ name, arguments: args });
  const text = (result.content as Array<{ type: string; text: string }>)[0]?.text ?? "";
  let data: unknown = text;
  try {
    data = JSON.parse(text);
  } catch {
    // plain text
  }
  // biome-ignore lint/suspicious/noExplicitAny: tests read tool answers by their documented shape
  return { isError: result.isError === true, data: data as Record<string, any>, text };
}

/**
 * Kill a process we started indirectly (the detached bridge), by pid, at cleanup — and the start
 * loop it runs in, known now (a SIGKILL during the test makes the loop start another bridge).
 */
export function killAtCleanup(pid: number): void {
  const loop = startLoopOf(pid);
  cleanups.push(async () => {
    if (loop !== undefined) endStartLoop(loop);
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      return;
    }
    // Ended is a zombie too: its loop gone, the bridge waits there for PID 1 to collect it.
    for (let i = 0; i < 100; i++) {
      if (!alive(pid)) return;
      await sleep(20);
    }
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
  });
}

/** Run the CLI to completion. */
export function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

export { sleep };
