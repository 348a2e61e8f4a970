/**
 * stdio: `mcp-twin serve` relays to the one HTTP bridge, starting it when none answers, so two
 * stdio clients (Claude Desktop through wsl.exe, Claude Code in WSL) share one state; Ctrl-C is 130.
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { onJsonLines } from "../helpers/json-lines.js";
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

async function until<T>(what: string, get: () => T | undefined, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

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

test("a 2026-07-28 stdio client: discover answered at once while the bridge starts; calls share the state", async () => {
  const root = tempDir();
  const env = bridgeEnv(root);
  // A plugin that loads only once the test opens its gate keeps the bridge from listening until
  // then (or until the bridge gives up on the plugin, after 5 s): the discovers below are
  // answered before the gate opens, so without the bridge, and no clock is read.
  const gate = path.join(root, "gate");
  mkdirSync(path.join(root, "bridge", "plugins"), { recursive: true });
  writeFileSync(
    path.join(root, "bridge", "plugins", "slow.mjs"),
    `import { existsSync } from "node:fs";\nwhile (!existsSync(${JSON.stringify(gate)})) await new Promise((r) => setTimeout(r, 20));\nexport const tools = [];\n`,
  );
  const serve = spawn(process.execPath, [BIN, "serve", "--port", "0"], {
    env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  const lines: Array<{
    at: number;
    message: { id?: number; result?: Record<string, unknown>; error?: Record<string, unknown> };
  }> = [];
  onJsonLines<(typeof lines)[number]["message"]>(serve.stdout, (message) =>
    lines.push({ at: performance.now(), message }),
  );
  serve.stderr.resume();
  const exited = new Promise((resolve) => serve.once("exit", resolve));
  try {
    const meta = {
      "io.modelcontextprotocol/protocolVersion": "2026-07-28",
      "io.modelcontextprotocol/clientCapabilities": {},
      "io.modelcontextprotocol/clientInfo": { name: "copilot-cli", version: "1" },
    };
    const send = (m: Record<string, unknown>) =>
      serve.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", ...m })}\n`);
    const answer = (id: number) =>
      until(`answer ${id}`, () => lines.find((l) => l.message.id === id), 20_000);
    // Both discovers are answered while the bridge cannot listen (its plugin waits on the gate).
    send({ id: 0, method: "server/discover", params: { _meta: meta } });
    await answer(0);
    send({ id: 1, method: "server/discover", params: { _meta: meta } });
    const discovered = await answer(1);
    expect(discovered.message.result).toMatchObject({
      supportedVersions: ["2026-07-28"],
      capabilities: { tools: {} },
      _meta: { "io.modelcontextprotocol/serverInfo": { name: "mcp-twin-bridge" } },
    });
    // The bridge is still starting: a call waits for it, then goes through once it can listen.
    send({
      id: 2,
      method: "tools/call",
      params: { name: "memory_set", arguments: { key: "era", value: 2026 }, _meta: meta },
    });
    writeFileSync(gate, "");
    expect((await answer(2)).message.result).toMatchObject({ structuredContent: { key: "era", version: 1 } });
    // A message that is no JSON-RPC message (a member none has) is answered with the error JSON-RPC
    // gives an invalid request; the next one is answered as usual.
    const get = { name: "memory_get", arguments: { key: "era" }, _meta: meta };
    send({ id: 3, method: "tools/call", params: get, extra: true });
    send({ id: 4, method: "tools/call", params: get });
    expect((await answer(3)).message).toMatchObject({ error: { code: -32600 } });
    expect((await answer(4)).message.result).toMatchObject({ structuredContent: { value: 2026 } });
    const info = await waitForInstance(path.join(root, "bridge"));
    killAtCleanup(info.pid);
    // A 2025-11-25 stdio client sees what it wrote, and who wrote it.
    const legacy = await stdioClient(["serve", "--port", "0"], env, "claude-desktop");
    expect((await call(legacy.client, "memory_get", { key: "era" })).data).toMatchObject({
      value: 2026,
      updatedBy: "copilot-cli",
    });
    // And the SDK's own clients, pinned to 2026-07-28 and negotiating, connect the same way.
    for (const era of [{ pin: "2026-07-28" }, "auto"] as const) {
      const modern = await stdioClient(["serve", "--port", "0"], env, "modern", era);
      expect(modern.client.getProtocolEra(), JSON.stringify(era)).toBe("modern");
      expect((await call(modern.client, "memory_get", { key: "era" })).data.value).toBe(2026);
    }
  } finally {
    serve.stdin.end();
    // It ends with its client's stdin, having let go of everything.
    expect(await exited).toBe(0);
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
