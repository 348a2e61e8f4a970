/**
 * What an idle bridge has loaded: with shared servers configured and none started, `serve --http`
 * holds no command line (commander), no zod and no MCP SDK — they load with the first session, and
 * everything it loads at start stays in its memory for days (docs/dev/performance.md). A session's
 * first tools/list loads neither: the first session after a start would wait for them.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, expect, inject, test } from "vitest";
import { moduleLog } from "../helpers/module-log.js";
import { freePort } from "../helpers/net.js";
import { bridgeEnv, call, cleanup, httpClient, runCli, startBridge, tempDir } from "./helpers.js";

afterEach(cleanup);

/** A string only each library's code holds (identifiers survive the build's minifying). */
const MARKS = {
  commander: "CommanderError",
  zod: "ZodError",
  "the MCP SDK": "LATEST_PROTOCOL_VERSION",
};

const libraries = (files: string[]) => {
  const code = files.map((f) => readFileSync(f, "utf8")).join("\n");
  return Object.entries(MARKS)
    .filter(([, mark]) => code.includes(mark))
    .map(([name]) => name);
};

/**
 * A temp root whose home's manifest holds these servers, left as sync leaves it: the manifest
 * validated once (its check cached), the bridge started and stopped.
 */
async function syncedHome(servers: (root: string) => Record<string, unknown>): Promise<string> {
  const root = tempDir();
  const home = path.join(root, "mcp-twin-home");
  mkdirSync(home, { recursive: true });
  writeFileSync(path.join(home, "mcp-twin.jsonc"), JSON.stringify({ servers: servers(root) }));
  await (await startBridge({ root })).stop();
  return root;
}

test("an idle bridge with shared servers configured loads no commander, zod or SDK; a session's tools/list neither, its first call zod", async () => {
  // Never started at idle: a shared server starts with a session's first call.
  const root = await syncedHome((dir) => {
    const never = { command: process.execPath, args: [path.join(dir, "absent.js")] };
    return { one: { ...never, share: "machine" }, two: { ...never, share: "session" } };
  });

  // Every module file the bridge loads, logged by a module hook (the real bin, the built bundles).
  const loaded = moduleLog(root);
  const b = await startBridge({ root, env: loaded.env });
  // Both shares are served (said once it listens, just after serve.json is written).
  for (let waited = 0; !b.stderr().includes('sharing "two" (session)'); waited += 25) {
    if (waited > 10_000) throw new Error(`no shares said: ${b.stderr()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  const idle = loaded.files();
  const code = idle.map((f) => readFileSync(f, "utf8")).join("\n");
  // The hook saw the bridge's own code.
  expect(code).toContain("function listenHttp");
  expect(idle.map((f) => path.basename(f))).not.toContain("cli.js");
  expect(libraries(idle)).toEqual([]);

  // A session of the ordinary shape lists the tools without either (the first session after a
  // start would pay for loading them: the built-ins' list is written at build time); a built-in
  // tool's call loads zod, for its arguments' check.
  const client = await httpClient(b.url, b.token);
  expect((await client.listTools()).tools.map((t) => t.name)).toContain("memory_list");
  expect(libraries(loaded.files())).toEqual([]);
  expect((await call(client, "memory_list")).isError).toBe(false);
  expect(libraries(loaded.files())).toEqual(["zod"]);
});

test("sync's warm fills the list cache in a process apart: the bridge loads no zod or SDK for it, and a new session lists from the cache", async () => {
  const root = await syncedHome(() => ({
    fix: { command: process.execPath, args: [inject("fixtureScript")], share: "machine" },
  }));
  const loaded = moduleLog(root);
  const b = await startBridge({ root, env: loaded.env });
  const control = (route: string, method = "GET") =>
    fetch(b.url.replace(/\/mcp$/, `/control/${route}`), {
      method,
      headers: { authorization: `Bearer ${b.token}` },
    }).then((r) => r.json() as Promise<Record<string, unknown>>);
  // As sync asks it after writing the entries (once it is up: the status first).
  await control("status");
  const idle = loaded.files(b.pid);
  expect(await control("warm", "POST")).toEqual({ warmed: ["fix"], failed: [] });
  // Filled, and nothing of it runs in the bridge: the process apart started and stopped the server.
  const status = (await control("status")) as {
    shares: Array<{ name: string; cached: boolean; children: unknown[] }>;
  };
  expect(status.shares).toMatchObject([{ name: "fix", cached: true, children: [] }]);
  // Not a module more in the bridge for it (no SDK, no zod, no process library).
  expect(loaded.files(b.pid)).toEqual(idle);
  expect(libraries(idle)).toEqual([]);
  // A second warm has nothing to do, and starts nothing.
  expect(await control("warm", "POST")).toEqual({ warmed: [], failed: [] });
  // A new session lists the tools from the cache, still without starting the server.
  const client = await httpClient(b.url.replace(/\/mcp$/, "/share/fix"), b.token);
  expect((await client.listTools()).tools.map((t) => t.name)).toContain("echo");
  const after = (await control("status")) as {
    shares: Array<{ state: string; children: Array<{ pid: number | null }> }>;
  };
  expect(after.shares[0]?.state).toBe("stopped");
  expect(after.shares[0]?.children.map((c) => c.pid)).toEqual([null]);
});

test("what the lean `serve --http` does not take goes to the command line: help, an unknown flag", async () => {
  const env = bridgeEnv(tempDir());
  const help = await runCli(["serve", "--http", "--help"], env);
  expect(help.code).toBe(0);
  expect(help.stdout).toContain("Usage: mcp-twin serve");
  const unknown = await runCli(["serve", "--http", "--bogus"], env);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain("--bogus");
});

test("a bridge `bridge start` started and proved its own loads no commander, zod or SDK: the proof and `bridge status` ask its control status, not an MCP session", async () => {
  const root = tempDir();
  const env = bridgeEnv(root);
  mkdirSync(env.MCP_TWIN_HOME!, { recursive: true });
  const never = { command: process.execPath, args: [path.join(root, "absent.js")] };
  writeFileSync(
    path.join(env.MCP_TWIN_HOME!, "mcp-twin.jsonc"),
    JSON.stringify({ bridge: { port: await freePort() }, servers: { one: { ...never, share: "machine" } } }),
  );
  // Each process logs what it loads under its pid: the command line's own are not the bridge's.
  const loaded = moduleLog(root);
  const hooked = { ...env, ...loaded.env };
  const started = await runCli(["bridge", "start"], hooked);
  try {
    expect(started.code, started.stderr).toBe(0);
    expect(started.stdout).toContain("Started the bridge.");
    const { pid } = JSON.parse(readFileSync(path.join(env.MCP_TWIN_BRIDGE_HOME!, "serve.json"), "utf8"));
    const files = loaded.files(pid);
    expect(files.map((f) => readFileSync(f, "utf8")).join("\n")).toContain("function listenHttp");
    expect(libraries(files)).toEqual([]);
    // The next command knows it as this home's bridge all the same, and `bridge status` learns its
    // details (uptime, clients, shares) from the control status too: still nothing loaded.
    const status = await runCli(["bridge", "status", "--json"], env);
    expect(JSON.parse(status.stdout)).toMatchObject({
      state: "running",
      pid,
      uptimeSeconds: expect.any(Number),
      startedAt: expect.any(String),
      clients: { count: 0, sessions: [] },
      shares: [expect.objectContaining({ name: "one", mode: "machine" })],
    });
    expect(libraries(loaded.files(pid))).toEqual([]);
  } finally {
    await runCli(["bridge", "stop"], env);
  }
});
