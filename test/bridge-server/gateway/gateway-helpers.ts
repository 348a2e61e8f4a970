/**
 * A real bridge whose manifest shares servers, the era fixtures packed once per test run, and
 * clients of either era (SDK v2 negotiating or pinned, SDK v1 1.32.2) for its shared endpoints.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  Client,
  StreamableHTTPClientTransport,
  type VersionNegotiationMode,
} from "@modelcontextprotocol/client";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as HttpV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterEach, inject } from "vitest";
import type { ShareMode } from "../../../src/core/manifest/schema.js";
import { createFakeMachine, type FakeMachine, writeManifest } from "../../helpers/fake-machine.js";
import { type Registry, startRegistry } from "../../helpers/registry.js";
import {
  BIN,
  type Cleanups,
  cleanup,
  type RunningBridge,
  sleep,
  startBridge,
  tempDir,
  waitForInstance,
} from "../helpers.js";
import { type EraFixture, packEraFixturesOnce } from "./era-fixtures.js";

let packed: Promise<{ v1: EraFixture; v2: EraFixture }> | undefined;
/** Both era fixtures, packed once per test run (in the run's fixture folder, global-setup.ts). */
export function eraFixtures(): Promise<{ v1: EraFixture; v2: EraFixture }> {
  packed ??= packEraFixturesOnce(inject("eraDir"));
  return packed;
}

/**
 * A fake Linux machine (Claude Code and Codex) whose manifest names both era fixtures as packages,
 * `old` and `new` (with `fields` each; the manifest's other keys in `rest`), from a loopback
 * registry that serves them. The caller closes the registry and cleans the machine.
 */
export async function erasFromRegistry(
  fields: Record<string, unknown> = {},
  rest: Record<string, unknown> = {},
): Promise<{ m: FakeMachine; registry: Registry; v1: EraFixture; v2: EraFixture }> {
  const { v1, v2 } = await eraFixtures();
  const registry = await startRegistry(
    [v1, v2].map((f) => ({ name: f.name, version: f.version, tgz: f.tgz, bin: f.bin })),
  );
  let m: FakeMachine | undefined;
  try {
    m = createFakeMachine({ kind: "linux", registryUrl: registry.url, claudeDesktop: false, cursor: false });
    writeManifest(m, {
      servers: {
        old: { package: `${v1.name}@${v1.version}`, ...fields },
        new: { package: `${v2.name}@${v2.version}`, ...fields },
      },
      ...rest,
    });
    return { m, registry, v1, v2 };
  } catch (error) {
    m?.cleanup();
    await registry.close();
    throw error;
  }
}

export interface Gateway extends RunningBridge {
  shareUrl(name: string): string;
  status(): Promise<GatewayStatus>;
  reload(): Promise<Record<string, unknown>>;
  /** What sync does after adding servers (`POST /control/warm`): their lists read once, in a process apart. */
  warm(): Promise<{ warmed: string[]; failed: unknown[] }>;
  writeManifest(manifest: Record<string, unknown>): void;
  /** A shared server's own log (what its processes wrote on stderr): "" before it has one. */
  serverLog(name: string): string;
}

interface GatewayStatus {
  idleMinutes: number;
  shares: Array<{
    name: string;
    mode: string;
    state: string;
    cached: boolean;
    restarts: number;
    lastError?: string;
    children: Array<{
      key: string;
      pid: number | null;
      sessions: number;
      era: string | null;
      idleMs: number;
    }>;
  }>;
}

/**
 * A bridge (`serve --http`) with this manifest in its home (and these `secrets`); more `serve`
 * arguments in `args`; stopped with the steps of `list` (the file's, from `forFile`), else at the
 * next `cleanup()`.
 */
export async function gatewayBridge(
  manifest: Record<string, unknown>,
  args: string[] = [],
  list?: Cleanups,
  secrets?: Record<string, string>,
): Promise<Gateway> {
  const root = tempDir(list);
  const home = path.join(root, "mcp-twin-home");
  mkdirSync(home, { recursive: true });
  const write = (m: Record<string, unknown>) =>
    writeFileSync(path.join(home, "mcp-twin.jsonc"), JSON.stringify(m, null, 2));
  write(manifest);
  if (secrets)
    writeFileSync(path.join(home, "secrets.json"), JSON.stringify({ version: 1, secrets }), { mode: 0o600 });
  const b = await startBridge({ root, args }, list);
  const control = (route: string, method = "GET") =>
    fetch(b.url.replace(/\/mcp$/, `/control/${route}`), {
      method,
      headers: { authorization: `Bearer ${b.token}` },
    }).then((r) => r.json());
  return {
    ...b,
    shareUrl: (name) => b.url.replace(/\/mcp$/, `/share/${name}`),
    status: () => control("status") as Promise<GatewayStatus>,
    reload: () => control("reload", "POST") as Promise<Record<string, unknown>>,
    warm: () => control("warm", "POST") as Promise<{ warmed: string[]; failed: unknown[] }>,
    writeManifest: write,
    serverLog: (name) => {
      const file = path.join(b.dir, "logs", `${name}.log`);
      return [`${file}.1`, file].map((f) => (existsSync(f) ? readFileSync(f, "utf8") : "")).join("");
    },
  };
}

/** A server run by its script, shared in `mode`. */
export const scriptServer = (script: string, share: ShareMode, args: string[] = []) => ({
  command: process.execPath,
  args: [script, ...args],
  share,
});

/**
 * A gateway sharing both era fixtures in `mode`: `old` speaks 2025-11-25, `new` 2026-07-28; the
 * manifest's other keys (e.g. `bridge`) in `rest`.
 */
export async function bothErasGateway(
  mode: ShareMode = "machine",
  rest: Record<string, unknown> = {},
  list?: Cleanups,
): Promise<Gateway> {
  const { v1, v2 } = await eraFixtures();
  return gatewayBridge(
    { servers: { old: scriptServer(v1.script, mode), new: scriptServer(v2.script, mode) }, ...rest },
    [],
    list,
  );
}

const clients: Array<{ close(): Promise<void> }> = [];
/** Close every client opened here (call from afterEach, before the bridge's cleanup). */
export async function closeClients(): Promise<void> {
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => {})));
}

/** After each test of the calling file: its clients closed, then its bridges stopped and dirs gone. */
export function closeAfterEach(): void {
  afterEach(async () => {
    await closeClients();
    await cleanup();
  });
}

/** An SDK v2 client: "legacy" (2025-11-25), "auto" (negotiates), or pinned to 2026-07-28. */
export async function v2Client(
  url: string,
  token: string,
  era: VersionNegotiationMode,
  options: {
    headers?: Record<string, string>;
    name?: string;
    elicit?: (message: string) => Record<string, unknown>;
    /** Declares roots and answers `roots/list` with what this gives. */
    roots?: () => string[];
  } = {},
): Promise<Client> {
  const { elicit, roots } = options;
  const client = new Client(
    { name: options.name ?? "v2-client", version: "1" },
    {
      versionNegotiation: { mode: era },
      capabilities: { ...(elicit && { elicitation: { form: {} } }), ...(roots && { roots: {} }) },
    },
  );
  if (roots) client.setRequestHandler("roots/list", async () => ({ roots: roots().map((uri) => ({ uri })) }));
  if (elicit)
    client.setRequestHandler("elicitation/create", async (r) => elicit(String(r.params.message)) as never);
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { Authorization: `Bearer ${token}`, ...options.headers } },
    }),
  );
  clients.push(client);
  return client;
}

/** The SDK v1 (1.32.2) client many clients still ship: 2025-11-25 only. */
export async function v1Client(
  url: string,
  token: string,
  options: { headers?: Record<string, string>; elicit?: (message: string) => Record<string, unknown> } = {},
): Promise<ClientV1> {
  const client = new ClientV1(
    { name: "v1-client", version: "1" },
    { capabilities: options.elicit ? { elicitation: {} } : {} },
  );
  if (options.elicit) {
    const { ElicitRequestSchema } = await import("@modelcontextprotocol/sdk/types.js");
    const answer = options.elicit;
    client.setRequestHandler(ElicitRequestSchema, async (request) => answer(request.params.message) as never);
  }
  await client.connect(
    new HttpV1(new URL(url), {
      requestInit: { headers: { Authorization: `Bearer ${token}`, ...options.headers } },
    }),
  );
  clients.push(client);
  return client;
}

/** The text of a tool's answer. */
export async function callText(
  client: { callTool(p: { name: string; arguments?: Record<string, unknown> }): Promise<unknown> },
  name: string,
  args: Record<string, unknown> = {},
): Promise<string> {
  const r = (await client.callTool({ name, arguments: args })) as { content?: Array<{ text?: string }> };
  return (r.content ?? []).map((c) => c.text ?? "").join("");
}

/** Wait until `probe` holds (polled), or fail naming what did not happen. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  ms = 10_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/**
 * After a sync that started the gateway for a machine's shared servers: that gateway stopped, and
 * the test's own bridge started on a free port with a state folder of its own (in the machine's
 * root), so what it serves is the sync's installs, seen from the test. `end` stops it.
 */
export async function ownGatewayAfterSync(
  m: FakeMachine,
): Promise<{ info: { url: string; pid: number }; token: string; end(): Promise<unknown> }> {
  const started = JSON.parse(
    readFileSync(path.join(m.paths.linuxHome, ".local", "share", "mcp-twin", "bridge", "serve.json"), "utf8"),
  ) as { pid: number };
  process.kill(started.pid, "SIGTERM");
  const env = { ...m.env, MCP_TWIN_BRIDGE_HOME: path.join(m.root, "bridge") };
  const bridge = spawn(process.execPath, [BIN, "serve", "--http", "--port", "0"], { env, stdio: "ignore" });
  const exited = new Promise((resolve) => bridge.once("exit", resolve));
  const end = () => {
    bridge.kill("SIGTERM");
    return exited;
  };
  try {
    const info = await waitForInstance(env.MCP_TWIN_BRIDGE_HOME, bridge.pid);
    const token = readFileSync(path.join(env.MCP_TWIN_BRIDGE_HOME, "token"), "utf8").trim();
    return { info, token, end };
  } catch (error) {
    await end();
    throw error;
  }
}
