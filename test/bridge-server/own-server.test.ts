/**
 * The bridge's own server (`/mcp`) as one upstream in the bridge's process (own-server.ts), served
 * like a share: its calls' clients and cancels, with no wire between; a 2026-07-28 request answered alike
 * on the lane and by the SDK's handler (an extension key in its params), byte for byte but the id;
 * a 2025-11-25 session's subscriptions held as a share's are.
 */
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { CallStop } from "../../src/bridge-server/call-stop.js";
import type { Call } from "../../src/bridge-server/gateway/call.js";
import { NotesFolder } from "../../src/bridge-server/notes-folder.js";
import { OwnServer } from "../../src/bridge-server/own-server.js";
import { ToolSet } from "../../src/bridge-server/own-tools.js";
import { defineTool } from "../../src/bridge-server/tools/define.js";
import { postModern } from "../helpers/raw-post-2026.js";
import { call as callOver, cleanup, httpClient, startBridge, tempDir } from "./helpers.js";

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

test("2026-07-28 requests to the bridge's own tools, plugins and notes: the lane and the SDK's handler answer alike", async () => {
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
  // The same calls, in order, to two bridges alike: one by the lane, one by the SDK's handler (the
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
  // The same members and values (their order is JSON's own business).
  const times = (v: unknown) => JSON.parse(JSON.stringify(v).replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, "<time>"));
  let id = 1;
  for (const [tool, args] of cases) {
    const fast = await call(fastSide.url, fastSide.token, id, tool, args, false);
    const slow = await call(slowSide.url, slowSide.token, id++, tool, args, true);
    expect(times(fast), `${tool} ${args}`).toEqual(times(slow));
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
    expect(times(fast), `${method} ${params}`).toEqual(times(slow));
  }
  const b = fastSide;
  const echoed = await call(b.url, b.token, id++, "echo", '{"text":"hi"}', false);
  expect(echoed.message.result).toMatchObject({
    content: [{ type: "text", text: "hi" }],
    resultType: "complete",
    _meta: { "io.modelcontextprotocol/serverInfo": { name: "mcp-twin-bridge" } },
  });
}, 60_000);

test("the own server as an upstream: each call's client named by the call, a cancel aborts its tool, no wire between", async () => {
  const seen: Array<{ client: string; signal: AbortSignal }> = [];
  let began!: () => void;
  const started = new Promise<void>((resolve) => {
    began = resolve;
  });
  const tools = new ToolSet([], async () => [
    defineTool({ name: "who", description: "Who calls" }, (_args, call) => {
      seen.push(call);
      return { content: [{ type: "text", text: call.client }] };
    }),
    defineTool({ name: "wait", description: "Waits until cancelled" }, (_args, call) => {
      seen.push(call);
      began();
      return new Promise((resolve) =>
        call.signal.addEventListener("abort", () =>
          resolve({ content: [{ type: "text", text: String(call.signal.reason) }] }),
        ),
      );
    }),
  ]);
  const events = { notified: () => {}, asked: async () => ({}), closed: () => {} };
  const server = new OwnServer(tools, new NotesFolder(tempDir()), events);
  expect(server.said).toMatchObject({ era: "2026-07-28", capabilities: { tools: {} } });
  const call = (name: string, info?: Record<string, unknown>) => {
    const stop = new CallStop();
    const params = { name, arguments: {} };
    const c: Call = {
      request: { id: 1, method: "tools/call", params },
      client: { era: "2025-11-25", session: {}, capabilities: {}, info },
      stop,
      notify: () => {},
    };
    return { stop, answer: server.call(c) };
  };
  const who = await call("who", { name: "claude-code", version: "1" }).answer;
  expect(who).toEqual({ content: [{ type: "text", text: "claude-code" }] });
  await expect(call("nope").answer).rejects.toMatchObject({ code: -32602 });
  const waiting = call("wait");
  await started;
  expect(seen[1]?.client).toBe("unknown");
  expect(seen[1]?.signal.aborted).toBe(false);
  waiting.stop.abort("the client cancelled the request");
  expect(await waiting.answer).toEqual({
    content: [{ type: "text", text: "the client cancelled the request" }],
  });
  expect(seen[1]?.signal.aborted).toBe(true);
  await server.close();
});

test("a 2025-11-25 session's note subscriptions are held as a share's: updates under the URI it named, the share's cap and words", async () => {
  const b = await startBridge();
  const reader = await httpClient(b.url, b.token, "reader");
  const writer = await httpClient(b.url, b.token, "writer");
  const updated: string[] = [];
  reader.setNotificationHandler("notifications/resources/updated", async (n) => {
    updated.push(n.params.uri);
  });
  // A note named without its `.md`: the update names it as the session did, not as the folder spells it.
  await reader.subscribeResource({ uri: "mcp-twin://notes/plan" });
  for (let n = 0; updated.length === 0; n++) {
    await callOver(writer, "notes_write", { path: "plan", content: `v${n}\n` });
    await new Promise((r) => setImmediate(r));
    if (n > 1000) throw new Error("no update came");
  }
  expect(new Set(updated)).toEqual(new Set(["mcp-twin://notes/plan"]));
  // A share's cap on one session's subscriptions, in its words (gateway/subscriptions.ts).
  for (let n = 1; n < 1000; n++) await reader.subscribeResource({ uri: `mcp-twin://notes/n${n}.md` });
  const refused = await reader.subscribeResource({ uri: "mcp-twin://notes/one-more.md" }).then(
    () => undefined,
    (e: { code?: number; message?: string }) => e,
  );
  expect(refused?.code).toBe(-32602);
  expect(refused?.message).toContain("a session may be subscribed to at most 1000 resources at once");
}, 60_000);
