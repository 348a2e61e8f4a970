/**
 * stdio: `mcp-twin serve` relays to the one HTTP bridge, starting it when none answers, so two
 * stdio clients (Claude Desktop through wsl.exe, Claude Code in WSL) share one state.
 */
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { KEY, runInPty } from "../helpers/pty.js";
import {
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
