/**
 * A shared server that cannot start is said so, with what to do, by status, `bridge status` and
 * doctor alike: a program (uvx) not on the bridge's PATH, with uv's install command rather than "it
 * starts on the first call"; a project folder that does not exist, named, not "spawn node ENOENT".
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { isAlive as alive } from "../../src/core/system/process-alive.js";
import { doctor, expectEveryFailureFixed, one, waitFor } from "../doctor/helpers.js";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
} from "../helpers/fake-machine.js";
import { freePort } from "../helpers/net.js";

runInProcessByDefault();

const UV =
  "Install uv in linux (it provides uvx): `curl -LsSf https://astral.sh/uv/install.sh | sh`; then the bridge starts it on the next call.";
let m: FakeMachine;
let port: number;
let gone: string;

const bridgePid = (): number | undefined => {
  const file = path.join(m.paths.linuxHome, ".local", "share", "mcp-twin", "bridge", "serve.json");
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { pid: number }).pid : undefined;
};

beforeAll(async () => {
  port = await freePort();
  m = createFakeMachine({
    registryUrl: inject("registryUrl"),
    kind: "linux",
    uv: false,
    claudeDesktop: false,
    cursor: false,
  });
  gone = path.join(m.paths.linuxHome, "work", "gone");
  writeManifest(m, {
    bridge: { port },
    servers: {
      fixture: { package: inject("fixtureName"), share: "project" },
      time: { command: "uvx", args: ["mcp-server-time"], share: "machine" },
    },
  });
  chmodSync(m.paths.claudeCodeConfig, 0o600);
  const sync = await m.run(["sync"]);
  expect(sync.code, sync.stdout + sync.stderr).toBe(1);
}, 180_000);

afterAll(async () => {
  // The bridge sync started is stopped, and its exit awaited: it writes its state as it ends, and
  // the machine's folder goes only after that.
  const pid = m && bridgePid();
  if (pid && alive(pid)) {
    process.kill(pid, "SIGTERM");
    await waitFor(() => !alive(pid), 15_000);
  }
  m?.cleanup();
});

/** The shared server's url entry used as Claude Code does, from a folder that is not there. */
async function callFrom(folder: string): Promise<string> {
  const entry = JSON.parse(readFileSync(m.paths.claudeCodeConfig, "utf8")).mcpServers.fixture as {
    url: string;
    headers: Record<string, string>;
  };
  const headers = Object.fromEntries(
    Object.entries(entry.headers).map(([k, v]) => [k, v.replace("${PWD}", folder)]),
  );
  const client = new Client({ name: "url-entry", version: "1" });
  try {
    await client.connect(new StreamableHTTPClientTransport(new URL(entry.url), { requestInit: { headers } }));
    // A call too: where the lists come from a cache, the call is what starts it.
    await client.callTool({ name: "whoami", arguments: {} });
    return "answered";
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // A project server not yet run in this folder starts at `initialize` (its answers are kept per
    // folder): the refusal then comes as the POST's JSON-RPC error, which the SDK quotes whole.
    const body = /\{"jsonrpc".*\}$/.exec(message)?.[0];
    return body ? (JSON.parse(body) as { error: { message: string } }).error.message : message;
  } finally {
    await client.close().catch(() => {});
  }
}

const sharedLines = (stdout: string) => {
  const lines = stdout.split("\n");
  return lines.slice(lines.indexOf("Shared servers (run once in the bridge)"));
};

test("a program not on the bridge's PATH: status and bridge status say it cannot start, and how to get uv", async () => {
  const status = await m.run(["status"]);
  expect(status.code, status.stderr).toBe(0);
  expect(sharedLines(status.stdout)).toEqual([
    "Shared servers (run once in the bridge)",
    "  fixture  project, not running: it starts on the first call (its lists are cached)",
    "  time     machine, cannot start: `uvx` is not found in linux (not on its PATH)",
    `           ${UV}`,
    "",
  ]);
  const json = JSON.parse((await m.run(["status", "--json"])).stdout) as Array<{
    server: string;
    shared?: { state: string; missing?: unknown };
  }>;
  expect(json.find((r) => r.server === "time")?.shared?.missing).toEqual({
    program: "uvx",
    env: "linux",
    fix: UV,
  });
  const bridge = await m.run(["bridge", "status"]);
  expect(bridge.code, bridge.stderr).toBe(0);
  const rows = bridge.stdout.split("\n");
  const at = rows.findIndex((l) => l.includes("time: "));
  expect(rows.slice(at, at + 2)).toEqual([
    "             time: machine, cannot start: `uvx` is not found in linux (not on its PATH)",
    `                   ${UV}`,
  ]);
});

test("doctor: the missing program is one failure, with uv's install command; its entry is not contacted for it", async () => {
  const run = await doctor(m);
  expect(run.code).toBe(1);
  const time = one(run, "shared.status", { server: "time" });
  expect(time).toMatchObject({
    status: "fail",
    message: "time: machine, cannot start: `uvx` is not found in linux (not on its PATH).",
    fix: UV,
  });
  expectEveryFailureFixed(run);
  const text = await m.run(["doctor"]);
  expect(text.stdout).toContain(
    "    – time  not started by doctor: it reaches time in the bridge, whose program `uvx` is not found in linux (see shared.status)\n",
  );
  expect(text.stdout).toContain(`        → ${UV}\n`);
});

test("uv installed: the line goes back to what the bridge says", async () => {
  const bin = path.join(m.paths.linuxHome, "bin-uv");
  mkdirSync(bin, { recursive: true });
  writeFileSync(path.join(bin, "uvx"), "#!/bin/sh\nexit 1\n");
  chmodSync(path.join(bin, "uvx"), 0o755);
  const status = await m.run(["status"], { env: { ...m.env, PATH: `${bin}:${m.env.PATH}` } });
  expect(sharedLines(status.stdout)[2]).toBe("  time     machine, not running: it starts on the first call");
});

test("a project folder that does not exist: named, with what to do, by the call, status, bridge status and doctor", async () => {
  const said = await callFrom(gone);
  expect(said).toContain(
    `the shared server "fixture" did not start: its project folder ${gone} does not exist here (the client's entry names it in its Mcp-Twin-Project header): start the client in a folder that exists`,
  );
  expect(said).not.toContain("ENOENT");
  const line = `project, failed: its project folder ${gone} does not exist here (the client's entry names it in its Mcp-Twin-Project header): start the client in a folder that exists`;
  const status = await m.run(["status"]);
  expect(sharedLines(status.stdout)[1]).toBe(`  fixture  ${line}`);
  const bridge = await m.run(["bridge", "status"]);
  expect(bridge.stdout).toContain(`  shared     fixture: ${line}\n`);
  const run = await doctor(m);
  expect(run.code).toBe(1);
  expect(one(run, "shared.status", { server: "fixture" })).toMatchObject({
    status: "fail",
    message: `fixture: ${line}.`,
    fix: "Start that client in a folder that exists (its entry sends the folder it runs in); `mcp-twin bridge restart` clears this report.",
  });
  expectEveryFailureFixed(run);
  // An existing folder still gets its own process, answering.
  const here = path.join(m.paths.linuxHome, "work", "here");
  mkdirSync(here, { recursive: true });
  expect(await callFrom(here)).toBe("answered");
}, 60_000);
