/**
 * One lifecycle, at the manifest's settings: `mcp-twin bridge status|start|stop|restart`, a stdio
 * client started while no bridge runs, a port changed under a running bridge (relays follow it),
 * something else holding the port (named, never called "running"), and probes that are not
 * counted as open sessions. Real processes: the built CLI, a real HTTP server squatting on the port.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { isAlive as alive } from "../../src/core/system/process-alive.js";
import {
  bridgeEnv,
  call,
  cleanup,
  killAtCleanup,
  readJson,
  runCli,
  startBridge,
  stdioClient,
  tempDir,
  waitForInstance,
} from "../bridge-server/helpers.js";
import { freePort } from "../helpers/net.js";

afterEach(cleanup);

/** A home whose manifest enables the bridge on `port`; returns the CLI's environment. */
function homeWithBridge(port: number, root = tempDir()): Record<string, string> {
  const env = bridgeEnv(root);
  setPort(env, port);
  return env;
}

function setPort(env: Record<string, string>, port: number): void {
  mkdirSync(env.MCP_TWIN_HOME!, { recursive: true });
  writeFileSync(
    path.join(env.MCP_TWIN_HOME!, "mcp-twin.jsonc"),
    `// the bridge's settings\n${JSON.stringify({ servers: {}, bridge: { enabled: true, port } }, null, 2)}\n`,
  );
}

async function bridge(env: Record<string, string>, ...args: string[]) {
  const r = await runCli(["bridge", ...args, "--json"], env);
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(r.stdout);
  } catch {
    // the test says what it expected
  }
  if (typeof json.pid === "number") killAtCleanup(json.pid);
  return { ...r, json };
}

/** An HTTP server on `port` that answers everything with 401, as another home's bridge would. */
async function squat(port: number, realm = 'Bearer realm="mcp-twin"'): Promise<void> {
  const server = http.createServer((_req, res) => {
    res.writeHead(401, { "www-authenticate": realm, "content-type": "application/json" }).end("{}");
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  squatters.push(server);
}
const squatters: http.Server[] = [];
afterEach(async () => {
  for (const s of squatters.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

describe("a stdio client started while no bridge runs", () => {
  test("`mcp-twin serve` starts the bridge at the manifest's port, not 7760", async () => {
    const port = await freePort();
    const env = homeWithBridge(port);
    const { client, stderr } = await stdioClient(["serve"], env, "claude-desktop");
    const info = await waitForInstance(env.MCP_TWIN_BRIDGE_HOME!);
    killAtCleanup(info.pid);
    expect(info.port).toBe(port);
    expect(stderr()).toMatch(new RegExp(`starting one .*|no bridge answers on 127\\.0\\.0\\.1:${port}`));
    await call(client, "memory_set", { key: "k", value: "v" });
    expect((await call(client, "memory_get", { key: "k" })).data.value).toBe("v");
  }, 60_000);
});

describe("mcp-twin bridge", () => {
  test("status, start, stop, restart — with pid, port, uptime, version, clients (probes not counted)", async () => {
    const port = await freePort();
    const env = homeWithBridge(port);
    const stopped = await bridge(env, "status");
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.json).toMatchObject({
      action: "status",
      state: "stopped",
      settings: { host: "127.0.0.1", port, url: `http://127.0.0.1:${port}/mcp` },
      stateDir: env.MCP_TWIN_BRIDGE_HOME,
    });

    const started = await bridge(env, "start");
    expect(started.code, started.stderr).toBe(0);
    expect(started.json).toMatchObject({
      state: "running",
      started: true,
      url: `http://127.0.0.1:${port}/mcp`,
    });
    const pid = started.json.pid as number;
    expect(alive(pid)).toBe(true);
    expect((await bridge(env, "start")).json).toMatchObject({ state: "running", started: false, pid });

    // One real client; the status probes themselves are not clients.
    const { client } = await stdioClient(["connect", `http://127.0.0.1:${port}/mcp`], env, "claude-code");
    await call(client, "memory_set", { key: "k", value: 1 });
    for (let i = 0; i < 2; i++) await bridge(env, "status");
    const status = await bridge(env, "status");
    expect(status.json).toMatchObject({
      state: "running",
      pid,
      version: expect.any(String),
      uptimeSeconds: expect.any(Number),
      clients: { count: 1, sessions: [expect.objectContaining({ client: "claude-code" })] },
      plugins: { loaded: [], failed: [] },
      shares: [],
    });
    const human = await runCli(["bridge", "status"], env);
    expect(human.stdout).toMatch(new RegExp(`Running at http://127\\.0\\.0\\.1:${port}/mcp`));
    // Open sessions, said as such (a client that exits without closing its session still counts).
    expect(human.stdout).toMatch(
      /sessions\s+1 open \(claude-code\), the last request \d+s ago; a session stays open until its client closes it or leaves \(then ended within a minute, by default\)/,
    );

    const restarted = await bridge(env, "restart");
    expect(restarted.json).toMatchObject({
      state: "running",
      started: true,
      stopped: { pid, forced: false },
    });
    expect(restarted.json.pid).not.toBe(pid);
    expect(alive(pid)).toBe(false);
    // The relay's session went with the old bridge; its next call opens a new one, unnoticed.
    expect((await call(client, "memory_get", { key: "k" })).data.value).toBe(1);

    const off = await bridge(env, "stop");
    expect(off.json).toMatchObject({ state: "stopped", stopped: { pid: restarted.json.pid } });
    expect(alive(restarted.json.pid as number)).toBe(false);
    expect(existsSync(path.join(env.MCP_TWIN_BRIDGE_HOME!, "serve.json"))).toBe(false);
    const again = await runCli(["bridge", "stop"], env);
    expect(again.code).toBe(0);
    // Said once, by the state's line (not "was not running" and then "Not running").
    expect(again.stdout).not.toMatch(/was not running/);
    expect(again.stdout.split("\n").filter((l) => /not running/i.test(l))).toHaveLength(1);
    expect((await runCli(["bridge", "nope"], env)).code).toBe(2);
  }, 90_000);

  test("a port changed under a running bridge: `bridge status` says so, restart moves it, relays follow", async () => {
    const [first, second] = [await freePort(), await freePort()];
    const env = homeWithBridge(first);
    const started = await bridge(env, "start");
    expect(started.json.pid).toEqual(expect.any(Number));
    // A client whose entry was written for the old port, still running.
    const { client, stderr } = await stdioClient(
      ["connect", `http://127.0.0.1:${first}/mcp`],
      env,
      "claude-desktop",
    );
    await call(client, "memory_set", { key: "plan", value: "jose" });

    setPort(env, second);
    const moved = await bridge(env, "status");
    expect(moved.code).toBe(0);
    expect(moved.json).toMatchObject({
      state: "elsewhere",
      url: `http://127.0.0.1:${first}/mcp`,
      settings: { port: second },
      fix: expect.stringMatching(/bridge restart/),
    });
    const restarted = await bridge(env, "restart");
    expect(restarted.json).toMatchObject({ state: "running", url: `http://127.0.0.1:${second}/mcp` });
    expect(alive(started.json.pid as number)).toBe(false);
    // The old entry's relay finds the bridge where it is now.
    expect((await call(client, "memory_get", { key: "plan" })).data.value).toBe("jose");
    expect(stderr()).toMatch(new RegExp(`runs at http://127\\.0\\.0\\.1:${second}/mcp.*relaying there`));
    // A client started now with the old entry goes there too, and starts nothing on the old port.
    const late = await stdioClient(["connect", `http://127.0.0.1:${first}/mcp`], env, "late");
    expect((await call(late.client, "memory_get", { key: "plan" })).data.value).toBe("jose");
    expect((readJson(path.join(env.MCP_TWIN_BRIDGE_HOME!, "serve.json")) as { port: number }).port).toBe(
      second,
    );
  }, 90_000);
});

describe("something else on the port", () => {
  test("is named, never taken for the bridge: status, start, and a relay all say what holds it", async () => {
    const port = await freePort();
    await squat(port);
    const env = homeWithBridge(port);
    const status = await bridge(env, "status");
    expect(status.code).toBe(1);
    expect(status.json).toMatchObject({
      state: "taken",
      what: expect.stringMatching(/another mcp-twin bridge.*another WSL distro/),
      fix: expect.stringMatching(
        /"bridge": \{ "port": \d+ \}`; port \d+ is free now\), then run `mcp-twin sync`/,
      ),
    });
    // Named by pid and command line too (this test's own process holds it).
    expect(status.json.what).toContain(`pid ${process.pid}`);
    const start = await runCli(["bridge", "start"], env);
    expect(start.code).toBe(1);
    expect(start.stderr).toMatch(new RegExp(`Port ${port} is held by another mcp-twin bridge`));
    const relay = await runCli(["connect", `http://127.0.0.1:${port}/mcp`], env);
    expect(relay.code).toBe(1);
    expect(relay.stderr).toMatch(/held by another mcp-twin bridge/);
    expect(existsSync(path.join(env.MCP_TWIN_BRIDGE_HOME!, "serve.json"))).toBe(false);
  }, 60_000);

  test("a program that wants other credentials is described as such", async () => {
    const port = await freePort();
    await squat(port, 'Basic realm="router"');
    const status = await bridge(homeWithBridge(port), "status");
    expect(status.json).toMatchObject({
      state: "taken",
      what: expect.stringMatching(/asks for credentials.*HTTP 401/),
    });
  });
});

test("a bridge slow to answer (held still for 4 s, as at a busy logon) is given longer before it is said not to answer; one that stays still is", async () => {
  const b = await startBridge();
  process.kill(b.pid, "SIGSTOP");
  try {
    const slow = runCli(["bridge", "status"], b.env);
    // The stimulus, not a wait for an event: a bridge that does not answer for 4 s, then does.
    await new Promise((r) => setTimeout(r, 4000));
    process.kill(b.pid, "SIGCONT");
    const r = await slow;
    expect(r.stdout).not.toContain("does not answer");
    expect(r.stdout).toContain(`Running at ${b.url}`);
    expect(r.code).toBe(0);

    // Still for good: said not to answer once its time is out (1 s here, MCP_TWIN_BRIDGE_ANSWER_TIMEOUT;
    // the 10 s above are the default's).
    process.kill(b.pid, "SIGSTOP");
    const still = await runCli(["bridge", "status"], { ...b.env, MCP_TWIN_BRIDGE_ANSWER_TIMEOUT: "1" });
    expect(still.stdout).toContain(
      `✖ Its process (pid ${b.pid}) holds the state but does not answer at ${b.url}`,
    );
    expect(still.code).toBe(1);
  } finally {
    process.kill(b.pid, "SIGCONT");
  }
}, 120_000);

test("a stop run while a start waits for its bridge: the start says it was stopped, not that it failed to start", async () => {
  const root = tempDir();
  const env = homeWithBridge(await freePort(), root);
  // A plugin that loads only once the bridge is told to stop keeps it from answering before then.
  mkdirSync(path.join(root, "bridge", "plugins"), { recursive: true });
  writeFileSync(
    path.join(root, "bridge", "plugins", "slow.mjs"),
    'await new Promise((r) => process.once("SIGTERM", r));\nexport const tools = [];\n',
  );
  const start = runCli(["bridge", "start"], env);
  // The start wrote its keeper's record: the bridge is starting.
  const keeper = path.join(root, "bridge", "keeper.json");
  for (let i = 0; !existsSync(keeper); i++) {
    if (i > 300) throw new Error("the start wrote no keeper.json in 30 s");
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = await runCli(["bridge", "stop"], env);
  expect(stop.code, stop.stderr).toBe(0);
  const started = await start;
  expect(started.code).toBe(1);
  expect(started.stderr).toContain(
    "The bridge was stopped while it started: `mcp-twin bridge stop` (or uninstall) was run meanwhile.",
  );
  expect(started.stderr).not.toContain("did not start");
}, 60_000);
