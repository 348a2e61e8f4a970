/**
 * The gateway's `/tools` (tools on demand) on a real bridge with the era fixtures: a
 * shared server (`old`, 2025-11-25, machine) and one that is not (`new`, 2026-07-28: one process
 * per session there). Searching starts nothing; a tool the client does not get is neither found nor
 * called; arguments that do not fit the tool's schema never reach its server; in both eras.
 */
import { expect, test } from "vitest";
import { clientToken } from "../../../src/core/bridge-link/client-token.js";
import { postModern, rawModernPost } from "../../helpers/raw-post-2026.js";
import { rawInitialize, rawSession } from "../../helpers/raw-session.js";
import {
  callText,
  closeAfterEach,
  eraFixtures,
  type Gateway,
  gatewayBridge,
  scriptServer,
  until,
  v2Client,
} from "./gateway-helpers.js";

closeAfterEach();

const rules = { tools: { deny: ["ask"] }, clientTools: { "gemini-cli": { deny: ["count"] } } };

async function onDemandGateway(): Promise<Gateway> {
  const { v1, v2 } = await eraFixtures();
  const g = await gatewayBridge({
    servers: {
      old: { ...scriptServer(v1.script, "machine"), ...rules },
      new: { command: process.execPath, args: [v2.script], ...rules },
    },
    toolSearch: { clients: ["gemini-cli"], keep: ["old/whoami"] },
  });
  // What sync does after adding servers: their lists read once, in a process apart, then stopped.
  const warmed = await g.warm();
  expect(warmed).toMatchObject({ warmed: expect.arrayContaining(["old", "new"]) });
  return g;
}

const toolsUrl = (g: Gateway) => g.url.replace(/\/mcp$/, "/tools");
// A process started (a refused call may name one, never starts it).
const running = async (g: Gateway) =>
  (await g.status()).shares.filter((s) => s.children.some((c) => c.pid !== null)).map((s) => s.name);

interface Found {
  tools: Array<{ name: string; inputSchema: unknown }>;
}
const search = async (c: Awaited<ReturnType<typeof v2Client>>, query: string) =>
  ((await c.callTool({ name: "search_tools", arguments: { query, limit: 10 } })).structuredContent as Found)
    .tools;

test.each(["legacy", { pin: "2026-07-28" as const }] as const)(
  "a toolSearch client (%o) lists search_tools, call_tool and its kept tool; searching starts nothing; its rules hold",
  async (era) => {
    const g = await onDemandGateway();
    const token = clientToken(g.token, "/tools", "linux:gemini-cli");
    const client = await v2Client(toolsUrl(g), token, era);
    const listed = (await client.listTools()).tools;
    expect(listed.map((t) => t.name)).toEqual(["search_tools", "call_tool", "whoami"]);
    expect(listed[0]?.description).toMatch(/^- old \(\d+ tools\)(: .+)?$/m);
    expect(listed[0]?.description).toMatch(/^- new \(\d+ tools\)(: .+)?$/m);
    const found = (await search(client, "echo")).map((t) => t.name);
    expect(found.slice(0, 2).sort()).toEqual(["new/echo", "old/echo"]);
    // The manifest's rules first: `count` is denied to Gemini CLI, `ask` to every client.
    expect((await search(client, "select:old/count,new/count,old/ask")).map((t) => t.name)).toEqual([]);
    expect((await search(client, "counter plus one")).map((t) => t.name)).not.toContain("old/count");
    expect(await running(g)).toEqual([]);
    // Arguments that do not fit: a tool error with the schema, and the server was not even started.
    const bad = await client.callTool({
      name: "call_tool",
      arguments: { name: "old/echo", arguments: { text: 5 } },
    });
    expect(bad.isError).toBe(true);
    expect(JSON.stringify(bad.content)).toMatch(/text: .*expected string/i);
    expect(JSON.stringify(bad.content)).toContain('\\"required\\":[\\"text\\"]');
    const denied = await client.callTool({
      name: "call_tool",
      arguments: { name: "old/count", arguments: {} },
    });
    expect(denied).toMatchObject({ isError: true });
    // Refused as /share refuses it (the one route, share-call.ts): the rule and its line, not "no such tool".
    expect(JSON.stringify(denied.content)).toMatch(
      /the tool \\"count\\" of old is not available to gemini-cli: the manifest's servers\.old\.clientTools\.gemini-cli\.deny \([^)]*:\d+:\d+\) denies it/,
    );
    expect(await running(g)).toEqual([]);
    // A call that fits starts the server on its first call; a JSON string of arguments is taken too.
    expect(await callText(client, "call_tool", { name: "old/echo", arguments: { text: "a" } })).toBe("v1:a");
    expect(await callText(client, "call_tool", { name: "old/echo", arguments: '{"text":"b"}' })).toBe("v1:b");
    expect(await callText(client, "whoami")).toMatch(/"pid":\d+/);
    expect(await running(g)).toEqual(["old"]);
  },
  120_000,
);

test("a server that is not shared runs one process per /tools session, ended with it", async () => {
  const g = await onDemandGateway();
  const token = clientToken(g.token, "/tools", "linux:gemini-cli");
  const a = await v2Client(toolsUrl(g), token, "legacy");
  const b = await v2Client(toolsUrl(g), token, "legacy");
  expect(await callText(a, "call_tool", { name: "new/echo", arguments: { text: "a" } })).toBe("v2:a");
  expect(await callText(b, "call_tool", { name: "new/echo", arguments: { text: "b" } })).toBe("v2:b");
  const children = async () => (await g.status()).shares.find((s) => s.name === "new")?.children.length;
  expect(await children()).toBe(2);
  // The session's end (its DELETE) ends its process.
  await (a.transport as { terminateSession?: () => Promise<void> } | undefined)?.terminateSession?.();
  await until("the ended session's process stops", async () => ((await children()) === 1 ? true : undefined));
  // Never at /share/new: it stands behind /tools only.
  const direct = await fetch(g.shareUrl("new"), {
    method: "POST",
    headers: { authorization: `Bearer ${g.token}` },
  });
  expect(direct.status).toBe(404);
}, 120_000);

test("a relay's /tools session (Mcp-Twin-Session) ended by its DELETE ends its processes behind /tools too", async () => {
  const g = await onDemandGateway();
  const token = clientToken(g.token, "/tools", "linux:gemini-cli");
  const relay = { "mcp-twin-session": "relay-1" };
  const params = { name: "call_tool", arguments: { name: "new/echo", arguments: { text: "r" } } };
  const called = await rawModernPost(toolsUrl(g), token, "tools/call", params, {
    ...relay,
    "mcp-name": "call_tool",
  });
  expect(JSON.stringify(called.body.result?.content)).toContain("v2:r");
  const children = async () => (await g.status()).shares.find((s) => s.name === "new")?.children.length;
  expect(await children()).toBe(1);
  const end = (session: string) =>
    fetch(toolsUrl(g), {
      method: "DELETE",
      headers: { authorization: `Bearer ${token}`, "mcp-twin-session": session },
    });
  expect((await end("relay-2")).status).toBe(404);
  expect((await end("relay-1")).status).toBe(200);
  await until("the relay session's process stops", async () => ((await children()) === 0 ? true : undefined));
}, 120_000);

test("a token of another client, of a shared server or the bridge's own finds nothing at /tools", async () => {
  const g = await onDemandGateway();
  for (const token of [
    clientToken(g.token, "/tools", "linux:claude-desktop"),
    clientToken(g.token, "old", "linux:gemini-cli"),
    g.token,
  ]) {
    await expect(v2Client(toolsUrl(g), token, "legacy")).rejects.toThrow();
    await expect(v2Client(toolsUrl(g), token, { pin: "2026-07-28" })).rejects.toThrow();
  }
}, 120_000);

test("a token toolSearch does not name is refused at /tools as forbidden (403, -32000, why) in either era, its discover too", async () => {
  const g = await onDemandGateway();
  const token = clientToken(g.token, "/tools", "linux:claude-desktop");
  const forbidden = {
    code: -32000,
    message: expect.stringMatching(/^Forbidden: \/tools serves the clients the manifest's toolSearch names/),
  };
  for (const method of ["tools/list", "server/discover"]) {
    const r = await rawModernPost(toolsUrl(g), token, method, {}, { "mcp-twin-session": "s1" });
    expect([method, r.status, r.body.error]).toEqual([method, 403, forbidden]);
  }
  const init = await rawInitialize(toolsUrl(g), token);
  expect([init.status, ((await init.json()) as { error?: unknown }).error]).toEqual([403, forbidden]);
}, 120_000);

test("a call the filter cannot judge is refused at /tools: a name that is not a string, a batch, another shape", async () => {
  const g = await onDemandGateway();
  const token = clientToken(g.token, "/tools", "linux:gemini-cli");
  const meta = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" },
    "io.modelcontextprotocol/clientCapabilities": {},
  };
  const call = (name: unknown, args: unknown) =>
    JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name, arguments: args, _meta: meta },
    });
  const refused = async (body: string) => {
    const r = await postModern(toolsUrl(g), token, "tools/call", body, { "mcp-name": "call_tool" });
    const last = r.messages.at(-1);
    return r.status >= 400 || last?.error !== undefined || last?.result?.isError === true;
  };
  expect(await refused(call(["call_tool"], { name: "old/count" }))).toBe(true);
  expect(await refused(call("call_tool", { name: ["old/count"], arguments: {} }))).toBe(true);
  expect(await refused(`[${call("call_tool", { name: "old/count", arguments: {} })}]`)).toBe(true);
  expect(await refused(call("call_tool", "old/count"))).toBe(true);
  // None of them reached a server: nothing runs.
  expect(await running(g)).toEqual([]);
}, 120_000);

test("an open 2025-11-25 /tools session whose client a reload took out of toolSearch is refused as forbidden (403, -32000, why)", async () => {
  const g = await onDemandGateway();
  const token = clientToken(g.token, "/tools", "linux:gemini-cli");
  const session = await rawSession(toolsUrl(g), token);
  const list = { jsonrpc: "2.0", id: 1, method: "tools/list" };
  expect((await session.post(list)).status).toBe(200);
  const { v1 } = await eraFixtures();
  g.writeManifest({
    servers: { old: { ...scriptServer(v1.script, "machine"), ...rules } },
    toolSearch: { clients: ["opencode"] },
  });
  await g.reload();
  const refused = await session.post({ ...list, id: 2 });
  expect([refused.status, refused.answers[0]?.error]).toEqual([
    403,
    {
      code: -32000,
      message: expect.stringMatching(
        /^Forbidden: \/tools serves the clients the manifest's toolSearch names/,
      ),
    },
  ]);
}, 120_000);

test("a server behind /tools whose command exits at once is said unavailable with why, never as 0 tools; counts pluralise", async () => {
  const { v1 } = await eraFixtures();
  const g = await gatewayBridge({
    servers: {
      old: scriptServer(v1.script, "machine"),
      crashy: { command: process.execPath, args: ["-e", "process.exit(3)"], share: "machine" },
    },
    toolSearch: { clients: ["gemini-cli"] },
  });
  // Sync's warm: old's list read, crashy's start failed.
  const warmed = await g.warm();
  expect(warmed.warmed).toEqual(["old"]);
  const token = clientToken(g.token, "/tools", "linux:gemini-cli");
  const client = await v2Client(toolsUrl(g), token, "legacy");
  const description = (await client.listTools()).tools[0]?.description ?? "";
  expect(description).toMatch(/^- old \(\d+ tools\)(: .+)?$/m);
  expect(description).toMatch(
    /^- crashy: unavailable \(did not start: the server exited \(code 3\) before it answered\)$/m,
  );
  expect(description).not.toMatch(/\b0 tools\b|\b1 tools\b/);
}, 120_000);
