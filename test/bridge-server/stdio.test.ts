/**
 * stdio: `mcp-twin serve` relays to the one HTTP bridge, starting it when none answers, so two
 * stdio clients (Claude Desktop through wsl.exe, Claude Code in WSL) share one state; Ctrl-C is 130.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { KEY, runInPty } from "../helpers/pty.js";
import {
  BIN,
  bridgeEnv,
  call,
  cleanup,
  killAtCleanup,
  readJson,
  stdioClient,
  tempDir,
  waitForInstance,
} from "./helpers.js";

afterEach(cleanup);

test("two stdio serve clients start one bridge and share its state", async () => {
  const root = tempDir();
  const env = bridgeEnv(root);
  const first = await stdioClient(["serve", "--port", "0"], env, "claude-desktop");
  const info = readJson(path.join(root, "bridge", "serve.json")) as { pid: number; port: number };
  killAtCleanup(info.pid);
  const second = await stdioClient(["serve", "--port", "0"], env, "claude-code");
  expect(first.client.getServerVersion()?.name).toBe("mcp-twin-bridge");
  await call(first.client, "memory_set", { key: "auth", value: "jose" });
  expect((await call(second.client, "memory_get", { key: "auth" })).data).toMatchObject({
    found: true,
    value: "jose",
    updatedBy: "claude-desktop",
  });
  const status = (await call(second.client, "bridge_status")).data;
  expect(status.pid).toBe(info.pid);
  expect(status.clients.count).toBe(2);
  // Only the first one had to start it.
  expect(first.stderr()).toMatch(/starting one/);
  expect(second.stderr()).not.toMatch(/starting one/);
  expect((readJson(path.join(root, "bridge", "serve.json")) as { pid: number }).pid).toBe(info.pid);
}, 60_000);

test("`mcp-twin serve` typed in a terminal says on stderr what it is and how to run the bridge over HTTP", async () => {
  const root = tempDir();
  const env = bridgeEnv(root);
  const pty = runInPty(["serve", "--port", "0", "--host", "127.0.0.1"], env, root);
  try {
    await pty.waitFor(/speaks MCP on stdin and stdout.*mcp-twin bridge start.*serve --http/s, 20_000);
  } finally {
    // It starts the bridge meanwhile (detached: it outlives serve); stop that one too.
    const started = waitForInstance(path.join(root, "bridge"), undefined, 10_000).then(
      (info) => killAtCleanup(info.pid),
      () => {},
    );
    pty.type(KEY.ctrlC);
    await pty.exit;
    await started;
  }
}, 60_000);

test("stdio serve ended with Ctrl-C (SIGINT) exits 130, as serve --http does", async () => {
  const root = tempDir();
  const env = bridgeEnv(root);
  const child = spawn(process.execPath, [BIN, "serve", "--port", "0", "--host", "127.0.0.1"], {
    env,
    cwd: root,
    stdio: ["pipe", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  try {
    // Relaying: an initialize on its stdin is answered by the bridge.
    let out = "";
    const answered = new Promise<void>((resolve) =>
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString("utf8");
        if (out.includes('"serverInfo":{"name":"mcp-twin-bridge"')) resolve();
      }),
    );
    child.stdin.write(
      `${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } } })}\n`,
    );
    await answered;
    killAtCleanup((await waitForInstance(path.join(root, "bridge"))).pid);
    // What Ctrl-C sends the program in a terminal (its shell does not die with it).
    child.kill("SIGINT");
    expect(await exited).toBe(130);
  } finally {
    child.kill("SIGKILL");
  }
}, 60_000);
