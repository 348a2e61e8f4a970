/**
 * `serve --share <server>` exposes a manifest server (the fixture, over stdio) at /share/<name>
 * behind the same token, and restarts it when it dies; plugins add tools, and a broken plugin is
 * reported and skipped without taking the bridge down.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, inject, test } from "vitest";
import { until } from "./gateway/gateway-helpers.js";
import { bridgeEnv, call, cleanup, httpClient, runCli, startBridge, tempDir } from "./helpers.js";

afterEach(cleanup);

function manifestRoot(servers: Record<string, unknown>): string {
  const root = tempDir();
  const home = path.join(root, "mcp-twin-home");
  mkdirSync(home, { recursive: true });
  writeFileSync(path.join(home, "mcp-twin.jsonc"), JSON.stringify({ servers }, null, 2));
  writeFileSync(
    path.join(home, "secrets.json"),
    JSON.stringify({ version: 1, secrets: { FIXTURE_KEY: "s3cret-value-123" } }),
  );
  return root;
}

describe("--share", () => {
  test("the fixture server is reachable at /share/fixture with the token, and comes back after it dies", async () => {
    const root = manifestRoot({
      fixture: {
        command: process.execPath,
        args: [inject("fixtureScript")],
        env: { FIXTURE_KEY: "${secret:FIXTURE_KEY}" },
      },
    });
    const b = await startBridge({ root, args: ["--share", "fixture"] });
    const url = b.url.replace(/\/mcp$/, "/share/fixture");
    // A credential that is not the token is refused (so is none: no-credential.test.ts).
    const wrong = { "content-type": "application/json", authorization: "Bearer not-the-token" };
    expect((await fetch(url, { method: "POST", headers: wrong, body: "{}" })).status).toBe(401);
    const client = await httpClient(url, b.token, "claude-desktop");
    expect(client.getServerVersion()?.name).toBe("mcp-twin-fixture");
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual([
      "add",
      "echo",
      "env",
      "whoami",
    ]);
    expect((await call(client, "echo", { text: "hello from Windows" })).text).toBe("hello from Windows");
    // The secret reached the child's environment (length only), and never the log.
    expect((await call(client, "env", { name: "FIXTURE_KEY" })).data).toEqual({ set: true, length: 16 });
    expect(b.stderr()).not.toContain("s3cret-value-123");
    // Kill the child: the bridge restarts it; the same HTTP session keeps working.
    const { pid } = (await call(client, "whoami")).data as { pid: number };
    process.kill(pid, "SIGKILL");
    // A call before the bridge saw it die fails; one after starts it again.
    await until("the server started again answers", async () =>
      (await call(client, "add", { a: 2, b: 3 }).then(
        (r) => r.text,
        () => "",
      )) === "5"
        ? true
        : undefined,
    );
    expect(((await call(client, "whoami")).data as { pid: number }).pid).not.toBe(pid);
    const bridge = await httpClient(b.url, b.token);
    const status = (await call(bridge, "bridge_status")).data;
    expect(status.shares).toEqual([
      expect.objectContaining({ name: "fixture", path: "/share/fixture", state: "running", restarts: 1 }),
    ]);
  }, 60_000);

  test("an unknown server is a usage error (exit 2) and nothing starts", async () => {
    const root = manifestRoot({ fixture: { command: process.execPath, args: [inject("fixtureScript")] } });
    const r = await runCli(["serve", "--share", "nope", "--port", "0"], bridgeEnv(root));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--share nope: not a server in .*Servers there: fixture/s);
  });

  test.each(["constructor", "__proto__", "toString", "hasOwnProperty"])(
    "--share %s is an unknown server too, not a member of Object.prototype",
    async (name) => {
      const root = manifestRoot({ fixture: { command: process.execPath, args: [inject("fixtureScript")] } });
      const r = await runCli(["serve", "--share", name, "--port", "0"], bridgeEnv(root));
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--share ${name}: not a server in`);
    },
  );
});

describe("plugins", () => {
  test("a good plugin adds its tools; broken ones are reported and skipped; a throwing handler is a tool error", async () => {
    const root = tempDir();
    const plugins = path.join(root, "bridge", "plugins");
    mkdirSync(plugins, { recursive: true });
    writeFileSync(
      path.join(plugins, "good.mjs"),
      `export const tools = [
        { name: "shout", description: "Upper-case a text", inputSchema: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
          handler: async ({ text }, ctx) => text.toUpperCase() + " (for " + ctx.client + ")" },
        { name: "boom", description: "Always fails", handler: () => { throw new Error("kaput"); } },
        { name: "sum", description: "Adds numbers", inputSchema: { type: "object", properties: { xs: { type: "array", items: { type: "number" } } } },
          handler: ({ xs = [] }) => ({ total: xs.reduce((a, b) => a + b, 0) }) },
      ];\n`,
    );
    writeFileSync(path.join(plugins, "syntax.mjs"), "export const tools = [ this is not javascript\n");
    writeFileSync(path.join(plugins, "throws.js"), 'throw new Error("plugin init failed");\n');
    writeFileSync(
      path.join(plugins, "nohandler.mjs"),
      'export const tools = [{ name: "x", description: "no handler" }];\n',
    );
    writeFileSync(
      path.join(plugins, "taken.mjs"),
      'export const tools = [{ name: "memory_get", description: "steals a name", handler: () => 1 }];\n',
    );
    writeFileSync(path.join(plugins, "empty.mjs"), "export const nothing = 1;\n");
    writeFileSync(path.join(plugins, "notes.txt"), "not a plugin");
    const b = await startBridge({ root });
    const client = await httpClient(b.url, b.token, "claude-code");
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["shout", "boom", "sum", "memory_get"]));
    expect(names).not.toContain("x");
    expect((await call(client, "shout", { text: "hi" })).text).toBe("HI (for claude-code)");
    expect((await call(client, "sum", { xs: [1, 2, 3] })).data).toEqual({ total: 6 });
    const bad = await call(client, "shout", { text: 5 });
    expect(bad.isError).toBe(true);
    const boom = await call(client, "boom");
    expect(boom).toMatchObject({ isError: true, text: "boom failed: kaput" });
    const status = (await call(client, "bridge_status")).data.plugins;
    expect(status.loaded).toEqual([
      { file: path.join(plugins, "good.mjs"), tools: ["shout", "boom", "sum"] },
    ]);
    const failed = Object.fromEntries(
      status.failed.map((f: { file: string; error: string }) => [path.basename(f.file), f.error]),
    );
    expect(Object.keys(failed).sort()).toEqual([
      "empty.mjs",
      "nohandler.mjs",
      "syntax.mjs",
      "taken.mjs",
      "throws.js",
    ]);
    expect(failed["throws.js"]).toBe("plugin init failed");
    expect(failed["nohandler.mjs"]).toMatch(/handler/);
    expect(failed["taken.mjs"]).toMatch(/already taken/);
    expect(b.stderr()).toMatch(/syntax\.mjs skipped/);
    // Still serving everything else.
    expect((await call(client, "memory_set", { key: "k", value: 1 })).isError).toBe(false);
  });
});

test("a plugin tool's x-mcp-header argument: a 2026-07-28 call's Mcp-Param header is checked against its body", async () => {
  const root = tempDir();
  const plugins = path.join(root, "bridge", "plugins");
  mkdirSync(plugins, { recursive: true });
  writeFileSync(
    path.join(plugins, "region.mjs"),
    `export const tools = [{ name: "where", description: "says its region",
      inputSchema: { type: "object", properties: { region: { type: "string", "x-mcp-header": "Region" } } },
      handler: ({ region }) => "region " + region }];\n`,
  );
  const b = await startBridge({ root });
  const post = async (args: Record<string, unknown>, headers: Record<string, string>) => {
    const res = await fetch(b.url, {
      method: "POST",
      headers: {
        authorization: `Bearer ${b.token}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-protocol-version": "2026-07-28",
        "mcp-method": "tools/call",
        "mcp-name": "where",
        ...headers,
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: {
          name: "where",
          arguments: args,
          _meta: {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {},
          },
        },
      }),
    });
    const text = await res.text();
    const json = text.startsWith("{")
      ? text
      : (text.split("\n").find((l) => l.startsWith("data: ")) ?? "").slice(6);
    return { status: res.status, body: JSON.parse(json) as { result?: unknown; error?: { code: number } } };
  };
  // Both ways in: the handler's (first, and with a header) and the fast lane's (no header at all).
  for (let round = 0; round < 2; round++) {
    expect(await post({ region: "Zürich" }, { "mcp-param-region": "=?base64?WsO8cmljaA==?=" })).toMatchObject(
      {
        status: 200,
        body: { result: { content: [{ text: "region Zürich" }] } },
      },
    );
    expect(await post({ region: "eu" }, {})).toMatchObject({
      status: 400,
      body: { error: { code: -32020 } },
    });
    expect(await post({ region: "eu" }, { "mcp-param-region": "us" })).toMatchObject({
      status: 400,
      body: { error: { code: -32020 } },
    });
  }
});

describe("a plugin that never finishes loading", () => {
  test("is reported and skipped after its timeout; the bridge serves, and leaves no lock owner behind", async () => {
    const root = tempDir();
    const plugins = path.join(root, "bridge", "plugins");
    mkdirSync(plugins, { recursive: true });
    // A real module whose top-level await never settles (and holds nothing else open).
    writeFileSync(
      path.join(plugins, "forever.mjs"),
      "await new Promise(() => {});\nexport const tools = [];\n",
    );
    writeFileSync(
      path.join(plugins, "fine.mjs"),
      'export const tools = [{ name: "ping_plugin", description: "answers pong", handler: () => "pong" }];\n',
    );
    const b = await startBridge({ root });
    const client = await httpClient(b.url, b.token);
    const status = (await call(client, "bridge_status")).data.plugins;
    expect(status.failed).toEqual([
      {
        file: path.join(plugins, "forever.mjs"),
        error: expect.stringMatching(/did not finish loading in 5 s/),
      },
    ]);
    expect((await call(client, "ping_plugin")).text).toBe("pong");
    expect(b.stderr()).toMatch(/forever\.mjs skipped/);
    expect(await b.stop()).toBe(0);
    expect(existsSync(path.join(b.dir, "sync.lock.owner"))).toBe(false);
    expect(existsSync(path.join(b.dir, "serve.json"))).toBe(false);
  }, 60_000);
});

test("a bridge that ends before it listens (a plugin exits the process) says why and exits non-zero", async () => {
  const root = tempDir();
  const plugins = path.join(root, "bridge", "plugins");
  mkdirSync(plugins, { recursive: true });
  writeFileSync(path.join(plugins, "quits.mjs"), "process.exit(0);\n");
  const r = await runCli(["serve", "--http", "--port", "0"], bridgeEnv(root));
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/ended before it listened, while loading the plugin .*quits\.mjs/);
  expect(existsSync(path.join(root, "bridge", "sync.lock.owner"))).toBe(false);
});
