/**
 * A 2026-07-28 `tools/call` refused for its `Mcp-Param-*` headers (400, -32020 HeaderMismatch) —
 * the relay had seen no tools/list, or an old one: the relay lists the tools itself (every page,
 * under an id of its own the client never sees) and sends the call again, once. A real relay
 * (in-process) in front of real servers that check the headers: SDK v2's McpServer over HTTP, the
 * gateway sharing the v2 era fixture, and scripted ones that refuse every time, page their list
 * forever, cannot list, or hang while the client cancels.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import { afterEach, expect, test } from "vitest";
import { StreamableHttpRelay } from "../../src/core/relay/http-relay.js";
import {
  closeClients,
  eraFixtures,
  gatewayBridge,
  scriptServer,
  until,
} from "../bridge-server/gateway/gateway-helpers.js";
import { cleanup } from "../bridge-server/helpers.js";
import { startModernServer } from "../helpers/http-2026.js";
import { onJsonLines } from "../helpers/json-lines.js";

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await closeClients();
  await cleanup();
});

const ENVELOPE = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientCapabilities": {},
  "io.modelcontextprotocol/clientInfo": { name: "kept-its-list", version: "1" },
};

/** A 2026-07-28 request line, as a client that kept its tool list from an earlier run sends it. */
const request = (id: number | string, method: string, params: Record<string, unknown> = {}) =>
  JSON.stringify({ jsonrpc: "2.0", id, method, params: { ...params, _meta: ENVELOPE } });
const callRegion = (id: number | string, region: string) =>
  request(id, "tools/call", { name: "region", arguments: { region } });

/** A relay in this process: lines in, lines out (parsed), its log and exit code. */
function relay(url: string, headers: Record<string, string> = {}) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const log: string[] = [];
  const out: Array<Record<string, unknown>> = [];
  onJsonLines(stdout, (m) => out.push(m));
  const code = new StreamableHttpRelay({
    url: new URL(url),
    bridge: false,
    headers: async () => headers,
    log: (line) => log.push(line),
    stdin,
    stdout,
  }).run();
  const send = (line: string) => stdin.write(`${line}\n`);
  const answer = (id: number | string) => until(`the answer to ${id}`, () => out.find((l) => l.id === id));
  const end = async () => {
    stdin.end();
    return code;
  };
  return { send, answer, out, log, end };
}

const textOf = (line: Record<string, unknown> | undefined) =>
  ((line?.result as { content?: Array<{ text?: string }> } | undefined)?.content ?? [])
    .map((c) => c.text ?? "")
    .join("");

test("SDK v2's server: a call of an x-mcp-header tool with no tools/list first succeeds, the relay listing once", async () => {
  const m = await startModernServer();
  closers.push(m.close);
  const r = relay(m.url);
  r.send(callRegion(7, "us-west1"));
  expect(textOf(await r.answer(7))).toBe("region=us-west1");

  const posts = m.requests.filter((q) => q.method === "POST");
  expect(posts.map((q) => q.rpc)).toEqual(["tools/call", "tools/list", "tools/call"]);
  expect(posts[0]?.headers["mcp-param-region"]).toBeUndefined();
  expect(posts[1]?.headers).toMatchObject({
    "mcp-method": "tools/list",
    "mcp-protocol-version": "2026-07-28",
  });
  expect(posts[2]?.headers["mcp-param-region"]).toBe("us-west1");

  // The mirrors are known now: the next call carries its header at once, and no list goes.
  r.send(callRegion(8, "eu-west1"));
  expect(textOf(await r.answer(8))).toBe("region=eu-west1");
  expect(m.requests.filter((q) => q.rpc === "tools/list")).toHaveLength(1);
  expect(await r.end()).toBe(0);
  expect(r.out.map((l) => l.id)).toEqual([7, 8]);
  expect(r.log).toEqual([]);
}, 30_000);

test("the gateway sharing the v2 era fixture: the same call through the relay is answered", async () => {
  const { v2 } = await eraFixtures();
  const g = await gatewayBridge({ servers: { s: scriptServer(v2.script, "machine") } });
  const r = relay(g.shareUrl("s"), { authorization: `Bearer ${g.token}` });
  r.send(callRegion("first", "us-west1"));
  const answer = await r.answer("first");
  expect(answer.error).toBeUndefined();
  expect(textOf(answer)).toBe("v2:region=us-west1 level=<none>");
  expect(await r.end()).toBe(0);
  expect(r.out).toHaveLength(1);
  expect(r.log).toEqual([]);
}, 60_000);

type Listing = "two pages" | "endless pages" | "broken" | "hang";

/**
 * A 2026-07-28 server that refuses every `tools/call` with 400 -32020 and lists `region` (which
 * mirrors `region` as `Mcp-Param-Region`) as `listing` says: on the second of two pages, on pages
 * whose cursor never ends, with a 500, or — to the relay's own list — never (the request held open
 * until the relay closes it; a client's list is answered).
 */
async function refusingServer(listing: Listing) {
  const posts: Array<{ rpc: string; id: unknown; cursor?: unknown; headers: http.IncomingHttpHeaders }> = [];
  let closedLists = 0;
  let calls = 0;
  const region = {
    name: "region",
    inputSchema: { type: "object", properties: { region: { type: "string", "x-mcp-header": "Region" } } },
  };
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      const m = JSON.parse(body) as { id: unknown; method: string; params?: { cursor?: unknown } };
      posts.push({ rpc: m.method, id: m.id, cursor: m.params?.cursor, headers: req.headers });
      const json = (status: number, value: unknown) =>
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
      if (m.method === "tools/call")
        return json(400, {
          jsonrpc: "2.0",
          id: m.id,
          error: { code: -32020, message: `Header mismatch (call ${++calls})` },
        });
      if (listing === "broken") return json(500, { oops: true });
      if (listing === "hang" && String(m.id).startsWith("mcp-twin-relay-")) {
        res.once("close", () => closedLists++);
        return void res.writeHead(200, { "content-type": "text/event-stream" }).flushHeaders();
      }
      const page = Number(m.params?.cursor ?? 0);
      const result =
        listing === "endless pages"
          ? { tools: [region], nextCursor: String(page + 1) }
          : page === 0
            ? { tools: [{ name: "other", inputSchema: { type: "object" } }], nextCursor: "1" }
            : { tools: [region] };
      json(200, { jsonrpc: "2.0", id: m.id, result });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  return { url, posts, closedLists: () => closedLists };
}

test("a server that refuses every time: the client gets the second refusal once, never the relay's list", async () => {
  const s = await refusingServer("two pages");
  const r = relay(s.url);
  r.send(callRegion(1, "us-west1"));
  expect(await r.answer(1)).toEqual({
    jsonrpc: "2.0",
    id: 1,
    error: { code: -32020, message: "Header mismatch (call 2)" },
  });
  expect(s.posts.map((p) => [p.rpc, p.cursor])).toEqual([
    ["tools/call", undefined],
    ["tools/list", undefined],
    ["tools/list", "1"],
    ["tools/call", undefined],
  ]);
  // The relay's own list: an id of its own, the call's envelope, and the header learnt on page 2.
  const lists = s.posts.filter((p) => p.rpc === "tools/list");
  expect(new Set(lists.map((p) => p.id)).size).toBe(2);
  for (const p of lists) expect(String(p.id)).toMatch(/^mcp-twin-relay-/);
  expect(s.posts[3]?.headers["mcp-param-region"]).toBe("us-west1");
  expect(s.posts[0]?.headers["mcp-param-region"]).toBeUndefined();

  // Once per call: a second call (its header known now) is sent once more, never a third time.
  r.send(callRegion(2, "us-west1"));
  expect((await r.answer(2)).error).toMatchObject({ code: -32020, message: "Header mismatch (call 4)" });
  expect(await r.end()).toBe(0);
  expect(r.out.map((l) => l.id)).toEqual([1, 2]);
  expect(s.posts.filter((p) => p.rpc === "tools/call")).toHaveLength(4);
  expect(r.log).toEqual([]);
}, 30_000);

test("a list whose pages never end is read to a bound; one that cannot be read leaves the first refusal", async () => {
  const endless = await refusingServer("endless pages");
  const r = relay(endless.url);
  r.send(callRegion(1, "x"));
  expect((await r.answer(1)).error).toMatchObject({ code: -32020 });
  expect(endless.posts.filter((p) => p.rpc === "tools/list")).toHaveLength(32);
  expect(endless.posts.filter((p) => p.rpc === "tools/call")).toHaveLength(2);
  expect(await r.end()).toBe(0);

  const broken = await refusingServer("broken");
  const b = relay(broken.url);
  b.send(callRegion("a", "x"));
  expect(await b.answer("a")).toEqual({
    jsonrpc: "2.0",
    id: "a",
    error: { code: -32020, message: "Header mismatch (call 1)" },
  });
  expect(broken.posts.map((p) => p.rpc)).toEqual(["tools/call", "tools/list"]);
  expect(await b.end()).toBe(0);
  expect(b.out).toHaveLength(1);
  expect(b.log).toEqual([
    `the server at ${broken.url} refused a call's Mcp-Param headers, and its tools/list could not be read: HTTP 500: {"oops":true}`,
  ]);
}, 30_000);

test("the client cancels the call while the relay reads the list: no answer, the list closed, the relay goes on", async () => {
  const s = await refusingServer("hang");
  const r = relay(s.url);
  r.send(callRegion(1, "x"));
  await until("the relay's list", () => s.posts.some((p) => p.rpc === "tools/list"));
  r.send(JSON.stringify({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 1 } }));
  await until("the list closed", () => s.closedLists() === 1);
  r.send(request(2, "tools/list"));
  expect(await r.answer(2)).toMatchObject({ id: 2, result: { tools: [{ name: "other" }] } });
  expect(await r.end()).toBe(0);
  expect(r.out.map((l) => l.id)).toEqual([2]);
  expect(s.posts.map((p) => p.rpc)).toEqual(["tools/call", "tools/list", "tools/list"]);
  expect(r.log).toEqual([]);
}, 30_000);
