/**
 * An ordinary 2026-07-28 request to the bridge's own endpoint goes past the SDK's server on the lane
 * (own-route.ts): each answer here is compared with the same request answered by the SDK's server
 * (a request the lane does not take: an extension key in its params), byte for byte but for the id.
 */
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { JSONRPCMessage } from "@modelcontextprotocol/server";
import { afterEach, expect, test } from "vitest";
import { CallStop } from "../../src/bridge-server/call-stop.js";
import { NotesFolder } from "../../src/bridge-server/notes-folder.js";
import { ownRoute } from "../../src/bridge-server/own-route.js";
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

/** One raw 2026-07-28 request, its params as sent (so `__proto__` keys travel as JSON); `slow`: the SDK's. */
async function send(
  url: string,
  token: string,
  id: number,
  method: string,
  paramsJson: string,
  name: string | undefined,
  slow: boolean,
) {
  const body = `{"jsonrpc":"2.0","id":${id},"method":"${method}","params":{${paramsJson}${
    paramsJson ? "," : ""
  }"_meta":${JSON.stringify(META)}${slow ? ',"x-extension":true' : ""}}}`;
  const answer = await postModern(url, token, method, body, name === undefined ? {} : { "mcp-name": name });
  const message = answer.messages.at(-1)!;
  expect(message.id).toBe(id);
  delete message.id;
  return { status: answer.status, message };
}

/** One raw 2026-07-28 tools/call of `tool` with its arguments as JSON text (none: undefined). */
const call = (
  url: string,
  token: string,
  id: number,
  tool: string,
  argsJson: string | undefined,
  slow: boolean,
) =>
  send(
    url,
    token,
    id,
    "tools/call",
    `"name":${JSON.stringify(tool)}${argsJson === undefined ? "" : `,"arguments":${argsJson}`}`,
    tool,
    slow,
  );

/** A copy of a bridge's root (before it ever ran): the same plugins, a state of its own. */
function copyRoot(root: string): string {
  const copy = tempDir();
  cpSync(root, copy, { recursive: true });
  return copy;
}

test("2026-07-28 requests to the bridge's own tools, plugins and notes: the lane answers as the SDK's server does", async () => {
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
  // The lists and the notes as resources (a note written above, one missing, one not a note).
  const requests: Array<[string, string, string?]> = [
    ["tools/list", ""],
    ["resources/list", ""],
    ["resources/templates/list", ""],
    ["resources/read", '"uri":"mcp-twin://notes/p.md"', "mcp-twin://notes/p.md"],
    ["resources/read", '"uri":"mcp-twin://notes/nope.md"', "mcp-twin://notes/nope.md"],
    ["resources/read", '"uri":"http://example.com/x"', "http://example.com/x"],
    ["resources/read", '"uri":"mcp-twin://notes/../x"', "mcp-twin://notes/../x"],
  ];
  for (const [method, params, name] of requests) {
    const fast = await send(fastSide.url, fastSide.token, id, method, params, name, false);
    const slow = await send(slowSide.url, slowSide.token, id++, method, params, name, true);
    expect(times(fast), `${method} ${params}`).toBe(times(slow));
  }
  const b = fastSide;
  const echoed = await call(b.url, b.token, id++, "echo", '{"text":"hi"}', false);
  expect(echoed.message.result).toMatchObject({
    content: [{ type: "text", text: "hi" }],
    resultType: "complete",
    _meta: { "io.modelcontextprotocol/serverInfo": { name: "mcp-twin-bridge" } },
  });
}, 60_000);

test("the lane takes an ordinary request it can answer, and leaves everything else to the SDK's server", async () => {
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
  const own = ownRoute(tools, new NotesFolder(tempDir()));
  for (const declined of [
    request(ordinary, "prompts/get"),
    request({ ...ordinary, name: "nope" }),
    request({ ...ordinary, arguments: [1] }),
    request({ ...ordinary, requestState: "s" }),
    request({ name: "who", arguments: {} }),
    request({ _meta: META }, "prompts/list"),
    request({ _meta: META, cursor: "c" }, "tools/list"),
    request({ _meta: META, uri: 5 }, "resources/read"),
  ])
    expect(own(declined)).toBeUndefined();
  for (const method of ["tools/list", "resources/list", "resources/templates/list"])
    expect(own(request({ _meta: META }, method))).toBeTypeOf("function");

  const fast = own(request(ordinary))!;
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
  own(request(ordinary))!((m) => late.push(m), cancelled);
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
  ownRoute(
    tools,
    new NotesFolder(tempDir()),
  )({
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
