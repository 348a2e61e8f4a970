/**
 * The gateway's `/tools` while its servers live: a changed tools list indexed again at
 * once and told to the open sessions; a server's question reaching the client in either era; a
 * `project` server's tools searched and called in the folder the request names, and only there.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { clientToken } from "../../../src/core/bridge-link/client-token.js";
import { tempDir } from "../helpers.js";
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

/** A bridge whose manifest puts these servers behind Gemini CLI's `tools` entry, their lists read (as sync does). */
async function onDemand(servers: (v1: string, v2: string) => Record<string, unknown>): Promise<Gateway> {
  const { v1, v2 } = await eraFixtures();
  const g = await gatewayBridge({
    servers: servers(v1.script, v2.script),
    toolSearch: { clients: ["gemini-cli"] },
  });
  const warmed = await g.warm();
  expect(warmed).toMatchObject({ failed: [] });
  return g;
}

const toolsUrl = (g: Gateway) => g.url.replace(/\/mcp$/, "/tools");
const tokenOf = (g: Gateway) => clientToken(g.token, "/tools", "linux:gemini-cli");

type Client = Awaited<ReturnType<typeof v2Client>>;
const search = async (c: Client, query: string) => {
  const r = await c.callTool({ name: "search_tools", arguments: { query, limit: 10 } });
  const found = r.structuredContent as { tools: Array<{ name: string }>; note?: string };
  return { names: found.tools.map((t) => t.name), note: found.note };
};

test("a server's changed tools list is indexed again once, when it changes, and the open /tools sessions (and 2026-07-28 listens) are told", async () => {
  const g = await onDemand((v1) => ({ old: scriptServer(v1, "machine") }));
  const client = await v2Client(toolsUrl(g), tokenOf(g), "legacy");
  const watcher = await v2Client(toolsUrl(g), tokenOf(g), "legacy");
  let told = 0;
  watcher.setNotificationHandler("notifications/tools/list_changed", () => {
    told++;
  });
  // A 2026-07-28 client hears it on its listen.
  const modern = await v2Client(toolsUrl(g), tokenOf(g), { pin: "2026-07-28" });
  let heard = 0;
  modern.setNotificationHandler("notifications/tools/list_changed", () => {
    heard++;
  });
  const listening = await modern.listen({ toolsListChanged: true });
  expect((await search(watcher, "select:old/extra1")).names).toEqual([]);
  // `bump` adds a tool: the server says tools/list_changed, the gateway reads its list again.
  expect(await callText(client, "call_tool", { name: "old/bump", arguments: {} })).toBe("bumped 1");
  await until("the watching session told its tools changed", () => told > 0 || undefined);
  await until("the 2026-07-28 listen told", () => heard > 0 || undefined);
  await listening.close();
  // Its first request since: the new tool is there, indexed when the list changed (once), not now.
  expect((await search(watcher, "select:old/extra1")).names).toEqual(["old/extra1"]);
  const reindexed = g.stderr().match(/\[tools\] old: its list changed, \d+ tools indexed again/g) ?? [];
  expect(reindexed).toHaveLength(1);
  expect((await watcher.listTools()).tools[0]?.description).toMatch(/^- old \(10 tools\)(: .+)?$/m);
}, 120_000);

test.each(["legacy", { pin: "2026-07-28" as const }] as const)(
  "a server's question reaches a %o client through call_tool, and its answer goes back (a 2025-11-25 server and a 2026-07-28 one)",
  async (era) => {
    const g = await onDemand((v1, v2) => ({
      old: scriptServer(v1, "machine"),
      new: scriptServer(v2, "machine"),
    }));
    const client = await v2Client(toolsUrl(g), tokenOf(g), era, {
      elicit: (message) => ({ action: "accept", content: { name: message === "Your name?" ? "Ada" : "?" } }),
    });
    expect(await callText(client, "call_tool", { name: "old/ask", arguments: {} })).toBe("hello Ada");
    expect(await callText(client, "call_tool", { name: "new/ask", arguments: {} })).toBe("hello Ada");
    // A client that cannot answer is told so in the tool's answer.
    const mute = await v2Client(toolsUrl(g), tokenOf(g), era);
    const refused = await mute.callTool({ name: "call_tool", arguments: { name: "old/ask", arguments: {} } });
    expect(JSON.stringify(refused.content)).toMatch(/elicitation/);
  },
  120_000,
);

test("a project server's tools are searched and called in the folder the request names; without one, search_tools says why", async () => {
  const g = await onDemand((v1) => ({ proj: scriptServer(v1, "project") }));
  const a = path.join(tempDir(), "a");
  const b = path.join(tempDir(), "b");
  for (const dir of [a, b]) mkdirSync(dir, { recursive: true });
  const inFolder = (dir: string) =>
    v2Client(toolsUrl(g), tokenOf(g), "legacy", { headers: { "Mcp-Twin-Project": dir } });
  const inA = await inFolder(a);
  // Before its first call there: the list its server gave sync.
  expect((await search(inA, "echo")).names).toContain("proj/echo");
  expect(JSON.parse(await callText(inA, "call_tool", { name: "proj/whoami", arguments: {} })).cwd).toBe(a);
  // A tool its process in folder a added is found there, not in folder b.
  expect(await callText(inA, "call_tool", { name: "proj/bump", arguments: {} })).toBe("bumped 1");
  await until(
    "folder a's new tool found",
    async () => (await search(inA, "select:proj/extra1")).names.length === 1 || undefined,
  );
  const inB = await inFolder(b);
  expect((await search(inB, "select:proj/extra1")).names).toEqual([]);
  expect((await search(inB, "echo")).names).toContain("proj/echo");
  // No folder named: its tools are not offered, and the answer says why in one line.
  const nowhere = await v2Client(toolsUrl(g), tokenOf(g), "legacy");
  const found = await search(nowhere, "echo");
  expect(found.names).toEqual([]);
  expect(found.note).toMatch(/^Not searched: proj: .*Mcp-Twin-Project header[^\n]*$/);
  const call = await nowhere.callTool({
    name: "call_tool",
    arguments: { name: "proj/echo", arguments: { text: "x" } },
  });
  expect(call.isError).toBe(true);
  // Called anyway: refused by the one route with why and what to do, the server never started.
  expect(JSON.stringify(call.content)).toMatch(/proj\/echo could not be called: .*Mcp-Twin-Project header/);
  expect((await nowhere.listTools()).tools[0]?.description).toMatch(/^- proj \(not searched here: /m);
}, 120_000);

test("through call_tool, a server's progress reaches the client under its own token and the client's cancel reaches the server, as through /share (both eras, a 2025-11-25 server and a 2026-07-28 one)", async () => {
  const g = await onDemand((v1, v2) => ({
    old: scriptServer(v1, "machine"),
    new: scriptServer(v2, "machine"),
  }));
  for (const name of ["old", "new"])
    for (const era of ["legacy", { pin: "2026-07-28" }] as const) {
      const client = await v2Client(toolsUrl(g), tokenOf(g), era);
      const what = `${name} ${JSON.stringify(era)}`;
      let seen = 0;
      const slow = { name: "call_tool", arguments: { name: `${name}/slow`, arguments: { ms: 200 } } };
      const done = await client.callTool(slow, { onprogress: () => void seen++ });
      expect(JSON.stringify(done.content), what).toContain("slept 200");
      expect(seen, what).toBeGreaterThan(0);
      const abort = new AbortController();
      const long = { name: "call_tool", arguments: { name: `${name}/slow`, arguments: { ms: 20_000 } } };
      let started = () => {};
      const progressed = new Promise<void>((resolve) => {
        started = resolve;
      });
      const call = client
        .callTool(long, { signal: abort.signal, onprogress: () => started() })
        .catch(() => "cancelled");
      await progressed;
      // The server says so on stderr, which goes to its own log.
      const before = (g.serverLog(name).match(/slow cancelled after/g) ?? []).length;
      abort.abort();
      expect(await call, what).toBe("cancelled");
      await until(`${what}: the server saw the cancel`, () =>
        (g.serverLog(name).match(/slow cancelled after/g) ?? []).length > before ? true : undefined,
      );
    }
}, 120_000);
