/**
 * A shared server that asks a client something (elicitation/create) when no call of any client is
 * in flight, or during a call of a client that did not declare it can answer: the real bridge
 * refuses it at once with an error its author can read (a refusal, not -32603 "internal error"),
 * says so in its log, asks no session, and goes on serving clients of both eras. A 2026-07-28 server asking (by
 * `input_required`) what a 2025-11-25 client did not declare: that client's call refused the same way.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { RPC } from "../../../src/core/jsonrpc/codes.js";
import { ON_MESSAGE } from "../../helpers/script-messages.js";
import { tempDir } from "../helpers.js";
import { callText, closeAfterEach, gatewayBridge, scriptServer, until, v2Client } from "./gateway-helpers.js";

closeAfterEach();

/**
 * A raw 2025-11-25 stdio server (no SDK): it asks `elicitation/create` (id "ask-start") once its
 * client says it is initialized, and again (id "ask-<n>") 100 ms after it answered its n-th call of
 * `later` — each time with no call in flight. Its n-th call of `ask` asks (id "ask-in-<n>") during
 * the call, and is answered with the answer it got. Every answer it gets to a question of its own
 * is appended, as it came, to the file named by its argument.
 */
const SCRIPT =
  ON_MESSAGE +
  String.raw`
const { appendFileSync } = require("node:fs");
const answers = process.argv[2];
const out = (m) => process.stdout.write(JSON.stringify(m) + "\n");
const ask = (id) => out({ jsonrpc: "2.0", id, method: "elicitation/create", params: {
  message: "asked " + id, requestedSchema: { type: "object", properties: {} } } });
const tools = ["echo", "later", "ask"].map((name) => ({ name, inputSchema: { type: "object" } }));
let laters = 0;
const calls = new Map();
onMessage((m) => {
  if (m.method === undefined) {
    appendFileSync(answers, JSON.stringify(m) + "\n");
    const call = calls.get(m.id);
    const text = JSON.stringify(m.error ?? m.result);
    if (call !== undefined) out({ jsonrpc: "2.0", id: call, result: { content: [{ type: "text", text }] } });
  } else if (m.method === "initialize")
    out({ jsonrpc: "2.0", id: m.id, result: { protocolVersion: "2025-11-25",
      capabilities: { tools: {} }, serverInfo: { name: "asker", version: "1.0.0" } } });
  else if (m.method === "notifications/initialized") ask("ask-start");
  else if (m.method === "tools/list") out({ jsonrpc: "2.0", id: m.id, result: { tools } });
  else if (m.method === "tools/call" && m.params.name === "ask") {
    const id = "ask-in-" + (calls.size + 1);
    calls.set(id, m.id);
    ask(id);
  } else if (m.method === "tools/call") {
    const text = m.params.name === "echo" ? "echo:" + m.params.arguments?.text : "answered";
    out({ jsonrpc: "2.0", id: m.id, result: { content: [{ type: "text", text }] } });
    if (m.params.name === "later") setTimeout(ask, 100, "ask-" + ++laters);
  } else if (m.id !== undefined) out({ jsonrpc: "2.0", id: m.id, result: {} });
});
`;

/** A bridge sharing the script as `asker`, and the answers its questions got. */
async function askerBridge() {
  const dir = tempDir();
  const script = path.join(dir, "asker.cjs");
  const file = path.join(dir, "answers.jsonl");
  writeFileSync(script, SCRIPT);
  // Whole lines only: the script may be midway through writing the last one.
  const answers = () =>
    existsSync(file)
      ? readFileSync(file, "utf8")
          .split("\n")
          .slice(0, -1)
          .map((l) => JSON.parse(l) as { id: string })
      : [];
  const answerTo = (id: string) => until(`the answer to ${id}`, () => answers().find((a) => a.id === id));
  const g = await gatewayBridge({ servers: { asker: scriptServer(script, "machine", [file]) } });
  return { g, answers, answerTo };
}

test("a shared server asking a client outside any call: told why at once, no session asked, clients of both eras served on", async () => {
  const { g, answers, answerTo } = await askerBridge();
  // Both clients can be asked (they declared elicitation), and would accept: neither must be.
  const asked: string[] = [];
  const elicit = (message: string) => {
    asked.push(message);
    return { action: "accept", content: {} };
  };
  const refused = (id: string) => ({
    jsonrpc: "2.0",
    id,
    error: {
      code: RPC.serverError,
      message:
        "elicitation/create: a shared server can ask a client only during that client's own call (no call of a client is in flight)",
    },
  });
  // The first session starts the server (an initialize is no call), which asks once it is
  // initialized. Waited for before anything else is sent: a server's question cannot say what
  // caused it, so one arriving late, while a list of this session is in flight, would go to it.
  const legacy = await v2Client(g.shareUrl("asker"), g.token, "legacy", { elicit });
  expect(await answerTo("ask-start")).toEqual(refused("ask-start"));
  const modern = await v2Client(g.shareUrl("asker"), g.token, { pin: "2026-07-28" }, { elicit });
  expect((await legacy.listTools()).tools.map((t) => t.name)).toEqual(["echo", "later", "ask"]);
  // After a call of each era is answered: nothing in flight again, the same refusal.
  for (const [n, client] of [legacy, modern].entries()) {
    expect(await callText(client, "later")).toBe("answered");
    expect(await answerTo(`ask-${n + 1}`)).toEqual(refused(`ask-${n + 1}`));
  }
  expect(answers()).toHaveLength(3);
  expect(asked).toEqual([]);
  // Each refusal said in the bridge's log, with the server and its process (its stderr comes on a
  // pipe of its own, so the last line may arrive after the server's answer file says it was refused).
  const said = () =>
    g
      .stderr()
      .match(
        /\[share asker\] machine: elicitation\/create: a shared server can ask a client only during that client's own call \(no call of a client is in flight\)/g,
      ) ?? [];
  await until("three refusals in the log", () => said().length >= 3);
  expect(said()).toHaveLength(3);
  // The bridge and the server serve on: the same process, never restarted.
  expect(await callText(legacy, "echo", { text: "a" })).toBe("echo:a");
  expect(await callText(modern, "echo", { text: "b" })).toBe("echo:b");
  const [share] = (await g.status()).shares;
  expect(share).toMatchObject({ name: "asker", state: "running", restarts: 0 });
  expect(share?.children).toHaveLength(1);
}, 60_000);

test("a shared server asking, during its call, what the client did not declare: refused at once as a refusal (-32000) in both eras; a 2026-07-28 client is told what it lacks", async () => {
  const { g, answerTo } = await askerBridge();
  // Neither client declared elicitation.
  const legacy = await v2Client(g.shareUrl("asker"), g.token, "legacy");
  const modern = await v2Client(g.shareUrl("asker"), g.token, { pin: "2026-07-28" });
  const refusal = (message: string) => ({ code: RPC.serverError, message: `elicitation/create: ${message}` });
  // 2025-11-25: the question reaches the session's route, which refuses it; the call goes on.
  const legacyRefusal = refusal('this client did not declare "elicitation" when it connected');
  expect(await callText(legacy, "ask")).toBe(JSON.stringify(legacyRefusal));
  expect(await answerTo("ask-in-1")).toEqual({ jsonrpc: "2.0", id: "ask-in-1", error: legacyRefusal });
  // 2026-07-28: the call is parked for the client's answer, so the client is refused what it lacks
  // (-32021), the server's question is refused and its call cancelled.
  await expect(modern.callTool({ name: "ask", arguments: {} })).rejects.toMatchObject({
    code: RPC.missingCapability,
    data: { requiredCapabilities: { elicitation: {} } },
  });
  expect(await answerTo("ask-in-2")).toEqual({
    jsonrpc: "2.0",
    id: "ask-in-2",
    error: refusal('the client did not declare "elicitation"'),
  });
  expect(await callText(modern, "echo", { text: "b" })).toBe("echo:b");
}, 60_000);

/**
 * A raw 2026-07-28-only stdio server (no SDK: the SDK's refuses to ask what the request's envelope
 * does not declare): it refuses initialize (-32022) as a 2026-07-28-only server does, and answers
 * `ask` with `input_required` (an elicitation, whatever the client declared) until a retry brings
 * the answer. Every request it gets is appended, as it came, to the file named by its argument.
 */
const SCRIPT_2026 =
  ON_MESSAGE +
  String.raw`
const { appendFileSync } = require("node:fs");
const got = process.argv[2];
const out = (m) => process.stdout.write(JSON.stringify({ jsonrpc: "2.0", ...m }) + "\n");
const complete = (r) => ({ ...r, resultType: "complete",
  _meta: { "io.modelcontextprotocol/serverInfo": { name: "asker26", version: "1.0.0" } } });
const text = (t) => complete({ content: [{ type: "text", text: t }] });
const tools = ["echo", "ask"].map((name) => ({ name, inputSchema: { type: "object" } }));
onMessage((m) => {
  if (m.id === undefined || m.method === undefined) return;
  appendFileSync(got, JSON.stringify(m) + "\n");
  const p = m.params ?? {};
  if (m.method === "initialize")
    out({ id: m.id, error: { code: -32022, message: "Unsupported protocol version: " + p.protocolVersion,
      data: { supported: ["2026-07-28"], requested: p.protocolVersion } } });
  else if (m.method === "server/discover")
    out({ id: m.id, result: complete({ supportedVersions: ["2026-07-28"], capabilities: { tools: {} } }) });
  else if (m.method === "tools/list") out({ id: m.id, result: complete({ tools }) });
  else if (m.method === "tools/call" && p.name === "echo") out({ id: m.id, result: text("echo:" + p.arguments?.text) });
  else if (m.method === "tools/call" && p.name === "ask" && p.inputResponses?.who)
    out({ id: m.id, result: text("hello " + p.inputResponses.who.content?.name + " (" + p.requestState + ")") });
  else if (m.method === "tools/call" && p.name === "ask")
    out({ id: m.id, result: { resultType: "input_required", requestState: "st-1", inputRequests: { who: {
      method: "elicitation/create", params: { mode: "form", message: "Your name?",
        requestedSchema: { type: "object", properties: { name: { type: "string" } } } } } } } });
  else out({ id: m.id, error: { code: -32601, message: "Method not found: " + m.method } });
});
`;

test("a 2026-07-28 server's input_required during the call of a 2025-11-25 client that did not declare it: refused as a refusal (-32000), the call not sent again, the session served on", async () => {
  const dir = tempDir();
  const script = path.join(dir, "asker26.cjs");
  const file = path.join(dir, "requests.jsonl");
  writeFileSync(script, SCRIPT_2026);
  type Got = { method: string; params?: { name?: string; _meta?: Record<string, unknown> } };
  const calls = () =>
    readFileSync(file, "utf8")
      .split("\n")
      .slice(0, -1)
      .map((l) => JSON.parse(l) as Got)
      .filter((m) => m.method === "tools/call" && m.params?.name === "ask");
  const g = await gatewayBridge({ servers: { asker26: scriptServer(script, "machine", [file]) } });
  // The same server drives a client that can answer: it is asked, and the call sent again with its answer.
  const asked: string[] = [];
  const able = await v2Client(g.shareUrl("asker26"), g.token, "legacy", {
    elicit: (message) => {
      asked.push(message);
      return { action: "accept", content: { name: "Ada" } };
    },
  });
  expect(await callText(able, "ask")).toBe("hello Ada (st-1)");
  expect(asked).toEqual(["Your name?"]);
  expect(calls()).toHaveLength(2);
  // A 2025-11-25 client that did not declare elicitation: its envelope says so, the server asks anyway.
  const unable = await v2Client(g.shareUrl("asker26"), g.token, "legacy");
  for (const round of [1, 2]) {
    await expect(unable.callTool({ name: "ask", arguments: {} }), `round ${round}`).rejects.toMatchObject({
      code: RPC.serverError,
      message: 'elicitation/create: this client did not declare "elicitation" when it connected',
    });
    // Sent once, not again with answers the client could not give; a 2026-07-28 server holds nothing
    // between a call and its retry, so nothing is left waiting.
    const [first, ...after] = calls().slice(2 + (round - 1));
    expect(first?.params?._meta?.["io.modelcontextprotocol/clientCapabilities"]).toEqual({});
    expect(after).toEqual([]);
  }
  expect(asked).toHaveLength(1);
  // The session, and the one process, serve on.
  expect(await callText(unable, "echo", { text: "a" })).toBe("echo:a");
  expect(await callText(able, "echo", { text: "b" })).toBe("echo:b");
  const [share] = (await g.status()).shares;
  expect(share).toMatchObject({ name: "asker26", state: "running", restarts: 0 });
  expect(share?.children).toMatchObject([{ era: "2026-07-28" }]);
}, 60_000);
