/**
 * `connect <url>`: stdio ⇄ Streamable HTTP for one client session, header values from its own
 * environment (never argv), the bridge started when nothing answers, and a bridge restart
 * survived without the client noticing.
 */
import { readFileSync, realpathSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { isAlive as alive } from "../../src/core/system/process-alive.js";
import {
  bridgeEnv,
  bridgeForFile,
  call,
  cleanup,
  killAtCleanup,
  readJson,
  runCli,
  stdioClient,
  tempDir,
  waitForInstance,
} from "../bridge-server/helpers.js";
import { BIN } from "../helpers/fake-machine.js";
import { freePort } from "../helpers/net.js";
import { rawConnect } from "../helpers/raw-connect.js";

afterEach(cleanup);

/**
 * The bridge the relays of most tests reach: one for the file (each relay opens a session of its
 * own, and writes a key of its own). The tests of a bridge the relay starts or restarts start none.
 */
const bridge = bridgeForFile();

test("relays a full session with the Authorization header read from ${VAR}", async () => {
  const b = bridge();
  const other = tempDir(); // connect's own state folder has no token: the header must carry it
  const { client, stderr } = await stdioClient(
    ["connect", b.url, "--header", "Authorization: ${MCP_TWIN_HEADER_0}", "--no-start"],
    bridgeEnv(other, { MCP_TWIN_HEADER_0: `Bearer ${b.token}` }),
    "claude-desktop",
  );
  expect(client.getServerVersion()?.name).toBe("mcp-twin-bridge");
  expect(client.getInstructions()).toMatch(/shared by every connected session/);
  const tools = (await client.listTools()).tools.map((t) => t.name);
  expect(tools).toContain("handoff_post");
  await call(client, "memory_set", { key: "via-connect", value: 42 });
  expect((await call(client, "memory_get", { key: "via-connect" })).data.value).toBe(42);
  await client.close();
  expect(stderr()).not.toContain(b.token);
});

test("--token-file, and an unset ${VAR} is a usage error naming it", async () => {
  const b = bridge();
  const other = tempDir();
  const { client } = await stdioClient(
    ["connect", b.url, "--token-file", path.join(b.dir, "token"), "--no-start"],
    bridgeEnv(other),
  );
  expect((await call(client, "bridge_status")).data.pid).toBe(b.pid);
  const bad = await runCli(["connect", b.url, "--header", "Authorization: ${NOPE}"], bridgeEnv(other));
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain("${NOPE}");
  expect(bad.stdout).toBe("");
});

test("--as is for a shared server's URL with no credential of its own, and a label a token takes: else exit 2", async () => {
  const other = tempDir();
  const share = "http://127.0.0.1:9/share/memory";
  for (const [args, said] of [
    [["connect", "http://127.0.0.1:9/mcp", "--as", "linux:vscode"], "/share/<name> or /tools URL"],
    [["connect", share, "--as", "linux:vscode", "--token-file", "t"], "/share/<name> or /tools URL"],
    [["connect", share, "--as", "linux vscode"], "expected <env>:<client>"],
  ] as const) {
    const r = await runCli([...args], bridgeEnv(other));
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(said);
    expect(r.stdout).toBe("");
  }
});

test("starts the bridge when nothing answers on a loopback URL, then relays (token from the state folder)", async () => {
  const root = tempDir();
  const port = await freePort();
  const { client, stderr } = await stdioClient(["connect", `http://127.0.0.1:${port}/mcp`], bridgeEnv(root));
  const info = await waitForInstance(path.join(root, "bridge"));
  killAtCleanup(info.pid);
  expect(info.port).toBe(port);
  expect(stderr()).toMatch(/starting one/);
  await call(client, "memory_set", { key: "k", value: "v" });
  expect((await call(client, "memory_get", { key: "k" })).data.value).toBe("v");
}, 60_000);

test("a bridge restart is invisible to the client: the relay opens a new session and resends", async () => {
  const root = tempDir();
  const port = await freePort();
  const { client, stderr } = await stdioClient(["connect", `http://127.0.0.1:${port}/mcp`], bridgeEnv(root));
  const first = await waitForInstance(path.join(root, "bridge"));
  killAtCleanup(first.pid);
  await call(client, "memory_set", { key: "before", value: 1 });
  process.kill(first.pid, "SIGTERM");
  // Gone, not only told to go: until it has exited it may still answer the relay's next call.
  for (let i = 0; i < 800 && alive(first.pid); i++) await new Promise((r) => setTimeout(r, 25));
  expect(alive(first.pid)).toBe(false);
  // Nothing answers now: the relay starts the bridge again and replays initialize.
  expect((await call(client, "memory_get", { key: "before" })).data.value).toBe(1);
  const second = readJson(path.join(root, "bridge", "serve.json")) as { pid: number };
  killAtCleanup(second.pid);
  expect(second.pid).not.toBe(first.pid);
  expect(stderr()).toMatch(/reconnected/);
}, 60_000);

const INIT = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
});

test("a relay starts lean: a CommonJS main (bin/package.json), and neither node:fs/promises nor node:os, which it never uses", async () => {
  const b = bridge();
  const dir = tempDir();
  // What the relay process had as its main (an ES module main has none) and the built-in modules
  // it loaded, written as it exits. Each of these costs every relay memory (bench/relay.ts).
  const probe = path.join(dir, "main.cjs");
  const log = path.join(dir, "main.json");
  writeFileSync(
    probe,
    `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(log)}, JSON.stringify({ main: process.mainModule?.filename ?? null, loaded: process.moduleLoadList })));\n`,
  );
  const r = await rawConnect(
    [b.url, "--token-file", path.join(b.dir, "token"), "--no-start"],
    { ...bridgeEnv(dir), NODE_OPTIONS: `--require ${probe}` },
    [INIT],
    "first-answer",
  );
  expect(r.out[0]).toMatchObject({ id: 1, result: { serverInfo: { name: "mcp-twin-bridge" } } });
  expect(r.code).toBe(0);
  const { main, loaded } = JSON.parse(readFileSync(log, "utf8")) as { main: string | null; loaded: string[] };
  expect(main).toBe(realpathSync(BIN));
  expect(loaded).toContain("NativeModule http");
  expect(loaded).not.toContain("NativeModule fs/promises");
  expect(loaded).not.toContain("NativeModule os");
});

test("a line that is not JSON-RPC: one line on stderr, a JSON-RPC error on stdout, and the relay carries on", async () => {
  const b = bridge();
  const r = await rawConnect(
    [b.url, "--token-file", path.join(b.dir, "token"), "--no-start"],
    bridgeEnv(tempDir()),
    ["hello", '{"jsonrpc":"2.0","id":2}', INIT],
    1500,
  );
  expect(r.code).toBe(0);
  expect(r.out[0]).toEqual({
    jsonrpc: "2.0",
    id: null,
    error: { code: -32700, message: expect.any(String) },
  });
  expect(r.out[1]).toEqual({
    jsonrpc: "2.0",
    id: null,
    error: { code: -32600, message: expect.any(String) },
  });
  expect(r.out[2]).toMatchObject({ id: 1, result: { serverInfo: { name: "mcp-twin-bridge" } } });
  expect(r.err).not.toMatch(/invalid_union|"code":/);
  expect(r.err.split("\n").filter((l) => /ignored a line/.test(l))).toHaveLength(2);
});

test("nothing answering is said in words (marked ✖ on stderr), the answer arrives though stdin ends at once, and only the bridge is called the bridge", async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/other`;
  const r = await rawConnect([url, "--no-start"], bridgeEnv(tempDir()), [INIT]);
  expect(r.out).toEqual([
    {
      jsonrpc: "2.0",
      id: 1,
      error: {
        code: -32000,
        message: `mcp-twin: the server at ${url} is unreachable: nothing answers there (connection refused)`,
      },
    },
  ]);
  expect(r.err).not.toMatch(/aborted/i);
  // Failures are marked as errors on stderr (what a client's log or doctor quotes), never as news.
  expect(r.err).toMatch(/^✖ could not deliver initialize: nothing answers there/m);
  expect(r.err).not.toMatch(/^ℹ/m);
  const bridgeUrl = `http://127.0.0.1:${port}/mcp`;
  const local = await rawConnect([bridgeUrl, "--no-start"], bridgeEnv(tempDir()), [INIT]);
  expect((local.out[0]!.error as { message: string }).message).toBe(
    "mcp-twin: the bridge is unreachable: nothing answers there (connection refused)",
  );
});

test("a shared server whose gateway is down (and not started): the client reads which server, why, and the fix", async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/share/tavily`;
  const r = await rawConnect([url, "--no-start"], bridgeEnv(tempDir()), [INIT]);
  expect(r.out).toEqual([
    {
      jsonrpc: "2.0",
      id: 1,
      error: {
        code: -32000,
        message: `mcp-twin: the gateway that runs the shared server "tavily" is not running at http://127.0.0.1:${port} (nothing answers there (connection refused)). Fix: run \`mcp-twin sync\`: it starts the gateway now and installs its start at logon (or \`mcp-twin bridge start\` for this time only).`,
      },
    },
  ]);
});

test("a /share/ URL whose name is not UTF-8 percent-encoding: the bridge's 404, said as the request's answer", async () => {
  const b = bridge();
  const url = b.url.replace(/\/mcp$/, "/share/%E0");
  const r = await rawConnect([url, "--no-start"], b.env, [INIT]);
  // Not "✖ Unexpected error: URI malformed" with the request left unanswered.
  expect(r.out).toEqual([
    {
      jsonrpc: "2.0",
      id: 1,
      error: {
        code: -32000,
        message: "mcp-twin: the bridge answered HTTP 404: no MCP endpoint or session there (HTTP 404)",
      },
    },
  ]);
  expect(r.code).toBe(0);
  expect(r.err).not.toMatch(/Unexpected error|URI malformed/);
});
