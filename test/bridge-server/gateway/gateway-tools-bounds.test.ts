/**
 * One server, or one request, never breaks `/tools` for the others, on a real bridge: a server
 * whose tools nest 4,000 levels is left out of search with one line (every client's `/tools`
 * answers), its lists left out of the list cache's file (the others saved, said), and the bridge
 * stops cleanly after, so a restart comes back; a 4 MB query is answered at once with why; a
 * schema's catastrophic pattern is never run by the gateway (its server judges the call).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { clientToken } from "../../../src/core/bridge-link/client-token.js";
import { rawModernPost } from "../../helpers/raw-post-2026.js";
import { forFile, startBridge, tempDir } from "../helpers.js";
import { gatewayBridge, scriptServer, until } from "./gateway-helpers.js";
import { writeScopeServer } from "./scope-server.js";

/** A 2025-11-25 server of one tool whose input schema nests `levels` objects (its answer written as text). */
const DEEP_SERVER = `const levels = Number(process.argv[2]);
const schema = '{"type":"object","properties":{"a":'.repeat(levels) + '{"type":"string"}' + "}}".repeat(levels);
const reply = (id, result) => process.stdout.write('{"jsonrpc":"2.0","id":' + JSON.stringify(id) + ',"result":' + result + "}\\n");
let buffer = "";
process.stdin.on("data", (chunk) => {
  buffer += chunk;
  for (let nl = buffer.indexOf("\\n"); nl !== -1; nl = buffer.indexOf("\\n")) {
    const m = JSON.parse(buffer.slice(0, nl) || "{}");
    buffer = buffer.slice(nl + 1);
    if (m.id === undefined || !m.method) continue;
    if (m.method === "initialize")
      reply(m.id, JSON.stringify({ protocolVersion: "2025-11-25", capabilities: { tools: {} }, serverInfo: { name: "deep", version: "1" } }));
    else if (m.method === "tools/list")
      reply(m.id, '{"tools":[{"name":"deep","description":"reads deep things","inputSchema":' + schema + "}]}");
    else reply(m.id, "{}");
  }
});
process.stdin.on("end", () => process.exit(0));
`;

/**
 * A 2025-11-25 server of one tool, `match`, whose argument's pattern backtracks without end on
 * "aaaa…!" (`^(a+)+$`): a call writes the file argv[2] (it reached the server), then is answered.
 */
const PATTERN_SERVER = `const reply = (id, result) => process.stdout.write(JSON.stringify({ jsonrpc: "2.0", id, result }) + "\\n");
const schema = { type: "object", properties: { s: { type: "string", pattern: "^(a+)+$" } }, required: ["s"] };
let buffer = "";
process.stdin.on("data", (chunk) => {
  buffer += chunk;
  for (let nl = buffer.indexOf("\\n"); nl !== -1; nl = buffer.indexOf("\\n")) {
    const m = JSON.parse(buffer.slice(0, nl) || "{}");
    buffer = buffer.slice(nl + 1);
    if (m.id === undefined || !m.method) continue;
    if (m.method === "initialize")
      reply(m.id, { protocolVersion: "2025-11-25", capabilities: { tools: {} }, serverInfo: { name: "pat", version: "1" } });
    else if (m.method === "tools/list") reply(m.id, { tools: [{ name: "match", description: "matches a's", inputSchema: schema }] });
    else if (m.method === "tools/call") {
      require("node:fs").writeFileSync(process.argv[2], "called");
      reply(m.id, { content: [{ type: "text", text: "judged by its server" }], isError: true });
    } else reply(m.id, {});
  }
});
process.stdin.on("end", () => process.exit(0));
`;

let called = "";
const gateway = forFile(async (list) => {
  const dir = tempDir(list);
  writeFileSync(path.join(dir, "deep.mjs"), DEEP_SERVER);
  writeFileSync(path.join(dir, "pat.cjs"), PATTERN_SERVER);
  called = path.join(dir, "pat-called");
  writeScopeServer(path.join(dir, "scope.mjs"), ["alpha"]);
  return gatewayBridge(
    {
      servers: {
        deep: scriptServer(path.join(dir, "deep.mjs"), "machine", ["4000"]),
        fine: scriptServer(path.join(dir, "scope.mjs"), "machine"),
        pat: scriptServer(path.join(dir, "pat.cjs"), "machine", [called]),
      },
      toolSearch: { clients: ["gemini-cli", "opencode"] },
    },
    [],
    list,
  );
});

const tools = (client: string) => clientToken(gateway().token, "/tools", `linux:${client}`);
const toolsUrl = () => gateway().url.replace(/\/mcp$/, "/tools");
const search = (client: string, query: string) =>
  rawModernPost(
    toolsUrl(),
    tools(client),
    "tools/call",
    { name: "search_tools", arguments: { query } },
    { "mcp-name": "search_tools" },
  );

test("a server whose tools nest 4,000 levels: left out of search with one line, /tools answering every client; the list cache saved without it, said", async () => {
  const g = gateway();
  // /tools served first: its index then follows each list the gateway keeps.
  expect((await search("gemini-cli", "alpha")).status).toBe(200);
  // Each server's lists read by a start of its own (a call of a client of /share/<name>): kept, and indexed.
  for (const [name, tool] of [
    ["fine", "alpha"],
    ["deep", "deep"],
  ] as const)
    await rawModernPost(g.shareUrl(name), g.token, "tools/call", { name: tool }, { "mcp-name": tool });
  await until(
    "both lists read",
    () => /left out of search/.test(g.stderr()) && /fine: its list changed/.test(g.stderr()),
  ).catch((e: Error) => {
    throw new Error(`${e.message}:\n${g.stderr()}`);
  });
  for (const client of ["gemini-cli", "opencode"]) {
    const found = await search(client, "alpha");
    expect(found.body.result?.isError, client).toBeUndefined();
    expect(JSON.stringify(found.body.result?.structuredContent), client).toContain("fine/alpha");
    const listed = await rawModernPost(toolsUrl(), tools(client), "tools/list");
    expect(listed.body.result?.tools?.[0]?.description).toMatch(/^- deep \(0 tools\)$/m);
  }
  expect(g.stderr().match(/\[tools\].*left out of search.*/g)).toEqual([
    '[tools] deep: left out of search: its tool "deep" nests deeper than 64 levels: that tool left out',
  ]);
  // Its entry cannot be written as JSON (nested past the stack): left out of the file, said; the others kept.
  await until("deep's entry left out of the cache file", () =>
    /\[share deep\] its lists are not kept in .*shares-cache\.json: /.test(g.stderr()),
  );
  await until("the cache saved with fine's", () => {
    const file = JSON.parse(readFileSync(path.join(g.dir, "shares-cache.json"), "utf8"));
    return Object.keys(file.servers).includes("fine") && !Object.keys(file.servers).includes("deep");
  });
}, 60_000);

test("a 4 MB query is answered at once with why (its length), not searched", async () => {
  const found = await search("opencode", "read ".repeat(800_000));
  expect(found.status).toBe(200);
  expect(found.body.result?.isError).toBe(true);
  expect(found.body.result?.content?.[0]?.text).toMatch(
    /^the arguments of search_tools do not fit its schema: query: .*<=1000 characters/,
  );
}, 60_000);

test("a schema's catastrophic pattern is not run by the gateway: the call reaches its server, and another client's /share tools/list is answered", async () => {
  const g = gateway();
  // /tools served, then pat's list read (a /share client lists it): indexed.
  expect((await search("gemini-cli", "match")).status).toBe(200);
  expect((await rawModernPost(g.shareUrl("pat"), g.token, "tools/list")).status).toBe(200);
  await until("pat's list indexed", () => /pat: its list changed/.test(g.stderr()));
  // 40 characters: 2^40 steps of backtracking, were the gateway to run the pattern on its one loop.
  const arguments_ = { name: "pat/match", arguments: { s: `${"a".repeat(40)}!` } };
  const call = rawModernPost(
    toolsUrl(),
    tools("opencode"),
    "tools/call",
    { name: "call_tool", arguments: arguments_ },
    {
      "mcp-name": "call_tool",
    },
  );
  // The call went on to its server: the gateway checked its arguments without the pattern.
  await until("the call reached pat", () => existsSync(called));
  const listed = await rawModernPost(g.shareUrl("fine"), g.token, "tools/list");
  expect(listed.body.result?.tools?.map((t: { name: string }) => t.name)).toContain("alpha");
  expect(JSON.stringify((await call).body.result)).toContain("judged by its server");
}, 60_000);

test("after a save that could not keep a server's lists, the bridge stops cleanly and a start comes back", async () => {
  const g = gateway();
  expect(await g.stop()).toBe(0);
  const again = await startBridge({ root: g.root });
  const status = await fetch(again.url.replace(/\/mcp$/, "/control/status"), {
    headers: { authorization: `Bearer ${again.token}` },
  });
  expect(status.status).toBe(200);
  expect(await again.stop()).toBe(0);
}, 60_000);
