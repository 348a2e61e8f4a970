/**
 * A 2026-07-28 `tools/call` to one of the bridge's own tools goes past the SDK's server on a fast
 * lane (own-tool-call.ts): each answer here is compared with the same call answered by the SDK's server
 * (a request the lane does not take: an extension key in its params), byte for byte but for the id.
 */
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { JSONRPCMessage } from "@modelcontextprotocol/server";
import { afterEach, expect, test } from "vitest";
import { CallStop } from "../../src/bridge-server/call-stop.js";
import { ownToolCall } from "../../src/bridge-server/own-tool-call.js";
import { ToolSet } from "../../src/bridge-server/session-server.js";
import { defineTool } from "../../src/bridge-server/tools/define.js";
import { postModern } from "../helpers/raw-post-2026.js";
import { cleanup, startBridge, tempDir } from "./helpers.js";

afterEach(cleanup);

const META = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" },
  "io.modelcontextprotocol/clientCapabilities": {},
};

/** One raw 2026-07-28 tools/call, its body as sent (so `__proto__` keys travel as JSON); `slow`: the SDK's. */
async function call(
  url: string,
  token: string,
  id: number,
  tool: string,
  argsJson: string | undefined,
  slow: boolean,
) {
  const body = `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":${JSON.stringify(tool)}${
    argsJson === undefined ? "" : `,"arguments":${argsJson}`
  },"_meta":${JSON.stringify(META)}${slow ? ',"x-extension":true' : ""}}}`;
  const answer = await postModern(url, token, "tools/call", body, { "mcp-name": tool });
  const message = answer.messages.at(-1)!;
  expect(message.id).toBe(id);
  delete message.id;
  return { status: answer.status, message };
}

/** A copy of a bridge's root (before it ever ran): the same plugins, a state of its own. */
function copyRoot(root: string): string {
  const copy = tempDir();
  cpSync(root, copy, { recursive: true });
  return copy;
}

test("2026-07-28 calls to the bridge's own tools and plugins: the fast lane answers as the SDK's server does", async () => {
  const root = tempDir();
  const plugins = path.join(root, "bridge", "plugins");
  mkdirSync(plugins, { recursive: true });
  writeFileSync(
    path.join(plugins, "own.mjs"),
    `export const tools = [
      { name: "echo", description: "Echo", inputSchema: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
        handler: ({ text }) => text },
      { name: "boom", description: "Throws", handler: () => { throw new Error("it broke"); } },
    ];\n`,
  );
  // The same calls, in order, to two bridges alike: one by the lane, one by the SDK's server (the
  // tools keep state, so each side needs its own); times are the only thing that may differ.
  const twin = copyRoot(root);
  const fastSide = await startBridge({ root });
  const slowSide = await startBridge({ root: twin });
  const cases: Array<[string, string | undefined]> = [
    ["memory_set", '{"key":"plan","value":"v1"}'],
    ["memory_set", '{"key":"plan","value":"v2"}'],
    ["memory_get", '{"key":"plan"}'],
    ["memory_get", '{"key":5}'],
    ["memory_get", "{}"],
    ["memory_set", '{"key":"__proto__","value":{"__proto__":{"polluted":true}}}'],
    ["memory_get", '{"key":"__proto__"}'],
    ["memory_list", undefined],
    ["notes_write", '{"path":"p","content":"x\\n"}'],
    ["notes_read", '{"path":"p"}'],
    ["echo", '{"text":"hi"}'],
    ["echo", '{"text":5}'],
    ["boom", "{}"],
    ["no_such_tool", "{}"],
  ];
  const times = (v: unknown) => JSON.stringify(v).replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, "<time>");
  let id = 1;
  for (const [tool, args] of cases) {
    const fast = await call(fastSide.url, fastSide.token, id, tool, args, false);
    const slow = await call(slowSide.url, slowSide.token, id++, tool, args, true);
    expect(times(fast), `${tool} ${args}`).toBe(times(slow));
  }
  const b = fastSide;
  const echoed = await call(b.url, b.token, id++, "echo", '{"text":"hi"}', false);
  expect(echoed.message.result).toMatchObject({
    content: [{ type: "text", text: "hi" }],
    resultType: "complete",
    _meta: { "io.modelcontextprotocol/serverInfo": { name: "mcp-twin-bridge" } },
  });
}, 60_000);

test("the lane takes an ordinary call of a known tool, and leaves everything else to the SDK's server", async () => {
  const seen: unknown[] = [];
  const tools = new ToolSet([
    defineTool({ name: "who", description: "Who calls" }, (_args, call) => {
      seen.push(call.client);
      return { content: [{ type: "text", text: call.client }] };
    }),
  ]);
  const request = (params: Record<string, unknown>, method = "tools/call") =>
    ({ jsonrpc: "2.0", id: 7, method, params }) as unknown as JSONRPCMessage;
  const ordinary = { name: "who", arguments: {}, _meta: META };
  for (const declined of [
    request(ordinary, "prompts/get"),
    request({ ...ordinary, name: "nope" }),
    request({ ...ordinary, arguments: [1] }),
    request({ ...ordinary, requestState: "s" }),
    request({ name: "who", arguments: {} }),
  ])
    expect(ownToolCall(tools, declined)).toBeUndefined();

  const fast = ownToolCall(tools, request(ordinary))!;
  const sent: JSONRPCMessage[] = [];
  await new Promise<void>((resolve) => {
    fast((m) => {
      sent.push(m);
      resolve();
    }, new CallStop());
  });
  expect(seen).toEqual(["raw"]);
  expect(sent).toEqual([
    {
      jsonrpc: "2.0",
      id: 7,
      result: {
        content: [{ type: "text", text: "raw" }],
        resultType: "complete",
        _meta: {
          "io.modelcontextprotocol/serverInfo": { name: "mcp-twin-bridge", version: expect.any(String) },
        },
      },
    },
  ]);

  // A call the client cancelled before its answer gets none.
  const cancelled = new CallStop();
  const late: JSONRPCMessage[] = [];
  ownToolCall(tools, request(ordinary))!((m) => late.push(m), cancelled);
  cancelled.abort();
  await new Promise((r) => setTimeout(r, 20));
  expect(late).toEqual([]);
});

test("a tool's handler on the lane gets an AbortSignal that aborts when the client cancels", async () => {
  let signal: AbortSignal | undefined;
  let began!: () => void;
  const started = new Promise<void>((resolve) => {
    began = resolve;
  });
  const tools = new ToolSet([
    defineTool({ name: "wait", description: "Waits until cancelled" }, (_args, call) => {
      signal = call.signal;
      began();
      return new Promise((resolve) =>
        call.signal.addEventListener("abort", () =>
          resolve({ content: [{ type: "text", text: String(call.signal.reason) }] }),
        ),
      );
    }),
  ]);
  const stop = new CallStop();
  const sent: JSONRPCMessage[] = [];
  ownToolCall(tools, {
    jsonrpc: "2.0",
    id: 1,
    method: "tools/call",
    params: { name: "wait", _meta: META },
  } as unknown as JSONRPCMessage)!((m) => sent.push(m), stop);
  await started;
  expect(signal?.aborted).toBe(false);
  stop.abort("the client cancelled the request");
  expect(signal?.aborted).toBe(true);
  expect(signal?.reason).toBe("the client cancelled the request");
  await new Promise((r) => setTimeout(r, 20));
  expect(sent).toEqual([]);
});
