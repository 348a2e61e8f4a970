/**
 * The install advice for a shared server's missing program, followed as it reads: uv installed
 * where its installer puts it (~/.local/bin), then a call — the running bridge starts it, no sync,
 * no restart; a program of no known installer, put on the PATH, then a sync as the advice says —
 * the running bridge takes that PATH, and sync, status and doctor stop saying it is not found.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { isAlive as alive } from "../../src/core/system/process-alive.js";
import { writeScopeServer } from "../bridge-server/gateway/scope-server.js";
import { doctor, failures, waitFor } from "../doctor/helpers.js";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
} from "../helpers/fake-machine.js";
import { freePort } from "../helpers/net.js";

runInProcessByDefault();

let m: FakeMachine;
let server: string;

const bridgePid = (): number | undefined => {
  const file = path.join(m.paths.linuxHome, ".local", "share", "mcp-twin", "bridge", "serve.json");
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { pid: number }).pid : undefined;
};

/** A program that is an MCP server (the scope server), as an installer leaves it in `folder`. */
function install(folder: string, name: string): void {
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, name), `#!/bin/sh\nexec "${process.execPath}" "${server}"\n`);
  chmodSync(path.join(folder, name), 0o755);
}

/** The shared server's url entry used as Claude Code uses it: initialize, then a tool call. */
async function call(name: string): Promise<string> {
  const entry = JSON.parse(readFileSync(m.paths.claudeCodeConfig, "utf8")).mcpServers[name] as {
    url: string;
    headers: Record<string, string>;
  };
  const client = new Client({ name: "url-entry", version: "1" });
  try {
    await client.connect(
      new StreamableHTTPClientTransport(new URL(entry.url), { requestInit: { headers: entry.headers } }),
    );
    const r = (await client.callTool({ name: "where", arguments: {} })) as {
      content: Array<{ text: string }>;
    };
    return r.content[0]?.text ?? "";
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.close().catch(() => {});
  }
}

beforeAll(async () => {
  m = createFakeMachine({
    registryUrl: inject("registryUrl"),
    kind: "linux",
    uv: false,
    claudeDesktop: false,
    cursor: false,
  });
  server = path.join(m.root, "scope-server.mjs");
  writeScopeServer(server, ["now"]);
  writeManifest(m, {
    bridge: { port: await freePort() },
    servers: {
      time: { command: "uvx", args: ["mcp-server-time"], share: "machine" },
      tool: { command: "my-tool", share: "machine" },
    },
  });
  chmodSync(m.paths.claudeCodeConfig, 0o600);
}, 60_000);

afterAll(async () => {
  const pid = m && bridgePid();
  if (pid && alive(pid)) {
    process.kill(pid, "SIGTERM");
    await waitFor(() => !alive(pid), 15_000);
  }
  m?.cleanup();
});

test("uv installed where its installer puts it: the next call starts time in the running bridge", async () => {
  const sync = await m.run(["sync"]);
  expect(sync.code, sync.stderr).toBe(1);
  expect(sync.stdout).toContain(
    "Install uv in linux (it provides uvx): `curl -LsSf https://astral.sh/uv/install.sh | sh`; then the bridge starts it on the next call.",
  );
  const pid = bridgePid();
  expect(await call("time")).toContain("uvx");
  // What the advice says: uv's installer, which puts uv and uvx into ~/.local/bin.
  install(path.join(m.paths.linuxHome, ".local", "bin"), "uvx");
  const answer = await call("time");
  expect(answer, answer).toMatch(/^\{"pid":\d+,"cwd":/);
  expect(bridgePid()).toBe(pid);
  // status and doctor agree: nothing missing, nothing to fix about time.
  const status = await m.run(["status"]);
  expect(status.stdout).not.toContain("`uvx` is not found");
  const run = await doctor(m);
  expect(failures(run).filter((f) => f.server === "time")).toEqual([]);
}, 120_000);

test("a program with no known installer: on the PATH, then a sync as the advice says, and it starts", async () => {
  const before = await m.run(["sync"]);
  const advice =
    'Install my-tool there, or set "command" to its absolute path; then run `mcp-twin sync` from a terminal that finds it (the running bridge takes that PATH): the next call starts it.';
  expect(before.stdout).toContain(advice);
  const tools = path.join(m.paths.linuxHome, "tools", "bin");
  install(tools, "my-tool");
  const env = { ...m.env, PATH: `${tools}:${m.env.PATH}` };
  const sync = await m.run(["sync"], { env });
  expect(sync.code, sync.stdout + sync.stderr).toBe(0);
  expect(sync.stdout).not.toContain("is not found");
  expect(sync.stdout).not.toContain("not cached");
  expect(sync.stdout).toContain("Lists of tool cached");
  const answer = await call("tool");
  expect(answer, answer).toMatch(/^\{"pid":\d+,"cwd":/);
  const run = await doctor(m, [], { env });
  expect(failures(run)).toEqual([]);
}, 120_000);
