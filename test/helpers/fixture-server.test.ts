/**
 * The fixture servers: both complete a real MCP handshake with the SDK's client, and the plain one
 * the tests start answers every message, and misbehaves on every flag, as the SDK one does.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { describe, expect, inject, test } from "vitest";

const servers = { plain: inject("fixtureScript"), sdk: inject("fixtureSdkScript") };

test.each(Object.entries(servers))(
  "the %s fixture server completes a real MCP handshake",
  async (_, script) => {
    const transport = new StdioClientTransport({ command: process.execPath, args: [script], stderr: "pipe" });
    const client = new Client({ name: "test", version: "0.0.0" });
    await client.connect(transport);
    try {
      const tools = await client.listTools();
      expect(tools.tools.map((t) => t.name).sort()).toEqual(["add", "echo", "env", "whoami"]);
      const result = await client.callTool({ name: "echo", arguments: { text: "hi" } });
      expect(result.content).toEqual([{ type: "text", text: "hi" }]);
    } finally {
      await client.close();
    }
  },
);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a server with these lines on its stdin (then closed; --hang: left open) until it exits (--hang: is killed). */
function run(script: string, args: string[], input: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      stdio: ["pipe", "pipe", "pipe"],
      env: { PATH: process.env.PATH, FIXTURE_SET: "12345" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
      // --hang answers nothing: once it said so, what it does with stdin is seen by then
      if (args.includes("--hang") && stderr.includes("\n")) child.kill();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.on("error", () => {}); // a server that exits at once closes its stdin first
    // --hang: stdin left open until it is killed (at its end of input it would exit by itself, 0,
    // as soon as the kill under load: the code would be whichever came first).
    const text = input.map((l) => `${l}\n`).join("");
    if (args.includes("--hang")) child.stdin.write(text);
    else child.stdin.end(text);
  });
}

/** The answers in id order (the SDK answers some after others), the server's pid taken out. */
function answers(stdout: string): unknown[] {
  const lines = stdout.split("\n").filter((l) => l.startsWith("{"));
  const parsed = lines.map((l) => JSON.parse(l.replace(/\\"pid\\":\d+/, '\\"pid\\":0')) as { id: unknown });
  return parsed.sort((a, b) => String(a.id).localeCompare(String(b.id), "en", { numeric: true }));
}

const init = (id: number, params: unknown) =>
  JSON.stringify({ jsonrpc: "2.0", id, method: "initialize", params });
const req = (id: unknown, method: string, params?: unknown) =>
  JSON.stringify({ jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) });
const callTool = (id: number, params: unknown) => req(id, "tools/call", params);
const client = { capabilities: {}, clientInfo: { name: "t", version: "1" } };

// Every kind of message a client or the bridge sends, and the malformed ones hostile tests send.
const MESSAGES = [
  req(1, "tools/list"), // before initialize
  req("d", "server/discover", {}),
  init(2, { protocolVersion: "2026-07-28", ...client }),
  init(3, { protocolVersion: "2024-11-05", ...client }),
  init(4, { protocolVersion: "1999-01-01", ...client }),
  init(5, { protocolVersion: "2025-11-25", ...client }),
  init(6, {}),
  init(7, { protocolVersion: "2025-11-25", capabilities: [], clientInfo: { name: "t" } }),
  JSON.stringify({ jsonrpc: "2.0", id: 8 }),
  JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
  req(9, "ping"),
  req(10, "ping", { _meta: {} }),
  req(11, "tools/list", { cursor: "abc" }),
  callTool(12, { name: "echo", arguments: { text: "hi ✓" } }),
  callTool(13, { name: "echo", arguments: { text: 5 } }),
  callTool(14, { name: "echo" }),
  callTool(15, { name: "echo", arguments: { text: "x", extra: 1 }, _meta: { progressToken: "p" } }),
  callTool(16, { name: "nope", arguments: {} }),
  callTool(17, { name: "add", arguments: { a: 1.5, b: 2 } }),
  callTool(18, { name: "add", arguments: { a: "x" } }),
  '{"jsonrpc":"2.0","id":19,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":1e400}}}',
  callTool(20, { name: "env", arguments: { name: "FIXTURE_SET" } }),
  callTool(21, { name: "env", arguments: { name: "FIXTURE_UNSET" } }),
  callTool(22, { name: "whoami", arguments: { x: 1 } }),
  callTool(23, { name: "tool1" }),
  callTool(24, {}),
  callTool(25, { name: "echo", arguments: 5 }),
  callTool(26, { name: "echo", arguments: null }),
  callTool(27, { name: "echo", arguments: [] }),
  req(28, "resources/list"),
  req(29, "prompts/list"),
  req(30, "logging/setLevel", { level: "info" }),
  req(31, "completion/complete", {}),
  req(32, "notifications/initialized"),
  // Dropped unanswered by both: not JSON, not JSON-RPC 2.0, a null or fractional id, an extra key,
  // params not an object, a batch, a response, an empty line.
  "not json",
  JSON.stringify({ id: 40, method: "ping" }),
  req(null, "ping"),
  req(41.5, "ping"),
  JSON.stringify({ jsonrpc: "2.0", id: 42, method: "ping", extra: 1 }),
  req(43, "ping", 5),
  JSON.stringify([{ jsonrpc: "2.0", id: 44, method: "ping" }]),
  JSON.stringify({ jsonrpc: "2.0", id: 45, result: {} }),
  "",
  `${req(46, "ping")}\r`,
];

describe("the plain fixture server answers as the SDK one", () => {
  test("every message: the same answers, none where the SDK gives none", async () => {
    const flags = ["--tools", "2"];
    const [plain, sdk] = await Promise.all([
      run(servers.plain, flags, MESSAGES),
      run(servers.sdk, flags, MESSAGES),
    ]);
    expect(sdk.code).toBe(0);
    expect(answers(sdk.stdout).length).toBe(33);
    expect(answers(plain.stdout)).toEqual(answers(sdk.stdout));
    expect(plain).toMatchObject({ code: 0, stderr: sdk.stderr });
  });

  test.each(
    [
      ["--banner"],
      ["--refuse-init"],
      ["--discover", "silent"],
      ["--discover", "exit"],
      ["--exit", "3"],
      ["--need-env", "FIXTURE_UNSET"],
      ["--need-env", "FIXTURE_SET"],
      ["--hang"],
      ["--slow", "50"],
    ].map((args) => ({ args, flags: args.join(" ") })),
  )("$flags", async ({ args }) => {
    const input = [req("d", "server/discover", {}), init(1, { protocolVersion: "2025-11-25", ...client })];
    const [plain, sdk] = await Promise.all([run(servers.plain, args, input), run(servers.sdk, args, input)]);
    expect(sdk.stderr + sdk.stdout).not.toBe("");
    expect(plain).toMatchObject({ code: sdk.code, stderr: sdk.stderr });
    expect(plain.stdout.split("\n").filter((l) => !l.startsWith("{"))).toEqual(
      sdk.stdout.split("\n").filter((l) => !l.startsWith("{")),
    );
    expect(answers(plain.stdout)).toEqual(answers(sdk.stdout));
  });

  test("--describe-from: a tool's description replaced and a tool added, as the file says at start", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "fixture-describe-"));
    try {
      const file = path.join(dir, "described.json");
      writeFileSync(file, JSON.stringify({ echo: "Echo it", fresh: "A tool added since" }));
      const args = ["--describe-from", file];
      const input = [
        init(1, { protocolVersion: "2025-11-25", ...client }),
        req(2, "tools/list"),
        callTool(3, { name: "fresh", arguments: {} }),
      ];
      const [plain, sdk] = await Promise.all([
        run(servers.plain, args, input),
        run(servers.sdk, args, input),
      ]);
      const listed = answers(sdk.stdout)[1] as {
        result: { tools: Array<{ name: string; description: string }> };
      };
      expect(listed.result.tools.map((t) => [t.name, t.description])).toEqual([
        ["echo", "Echo it"],
        ["add", "Add two numbers"],
        ["env", "Is an environment variable set? (length only, never the value)"],
        ["whoami", "argv, cwd, pid and execArgv of this server"],
        ["fresh", "A tool added since"],
      ]);
      expect(answers(sdk.stdout)[2]).toMatchObject({
        result: { content: [{ type: "text", text: "fresh" }] },
      });
      expect(answers(plain.stdout)).toEqual(answers(sdk.stdout));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test("--roots: both servers ask the client's roots once initialized, on a change and during the call, and say what came", async () => {
  const said = await Promise.all(
    Object.values(servers).map(async (script) => {
      const transport = new StdioClientTransport({
        command: process.execPath,
        args: [script, "--roots"],
        stderr: "pipe",
      });
      const client = new Client(
        { name: "test", version: "0.0.0" },
        { capabilities: { roots: { listChanged: true } } },
      );
      let calls = 0;
      let changeAsked = () => {};
      const changed = new Promise<void>((resolve) => {
        changeAsked = resolve;
      });
      client.setRequestHandler("roots/list", async () => {
        calls++;
        if (calls !== 3) return { roots: [{ uri: `file:///r${calls}` }] };
        changeAsked();
        throw new Error("no roots now");
      });
      await client.connect(transport);
      try {
        const listed = (await client.listTools()).tools.map((t) => t.name);
        const first = await client.callTool({ name: "roots", arguments: {} });
        await client.sendRootsListChanged();
        // The change's question (the third, refused) answered before the next call asks again.
        await changed;
        const second = await client.callTool({ name: "roots", arguments: {} });
        return { listed, first: first.content, second: second.content };
      } finally {
        await client.close();
      }
    }),
  );
  const text = (o: unknown) => [{ type: "text", text: JSON.stringify(o) }];
  expect(said[1]).toEqual({
    listed: ["echo", "add", "env", "whoami", "roots"],
    first: text({ start: ["file:///r1"], changed: null, now: ["file:///r2"] }),
    second: text({
      start: ["file:///r1"],
      changed: { error: "MCP error -32603: no roots now" },
      now: ["file:///r4"],
    }),
  });
  expect(said[0]).toEqual(said[1]);
});
