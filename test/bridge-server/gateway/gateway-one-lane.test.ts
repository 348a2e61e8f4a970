/**
 * Every valid 2026-07-28 call to a shared server is answered on the lane, no SDK server connected for
 * it: `Mcp-Param-*` headers before the tools list was read, a tool named in the Base64 sentinel, an
 * extension's params — and the refusal of headers that disagree; two requests pipelined on one
 * connection under one id each answered.
 */
import net from "node:net";
import path from "node:path";
import { Server } from "@modelcontextprotocol/server";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { rawModernPost } from "../../helpers/raw-post-2026.js";
import { tempDir } from "../helpers.js";
import { eraFixtures, scriptServer } from "./gateway-helpers.js";
import { inProcessBridge, stopInProcess } from "./in-process-bridge.js";
import { writeScopeServer } from "./scope-server.js";

afterEach(stopInProcess);

// The SDK servers the bridge (run in this process) connects: one per request its handler serves.
let connected = 0;
const connect = Object.getOwnPropertyDescriptor(Server.prototype, "connect");
beforeAll(() => {
  const inherited = Server.prototype.connect;
  Server.prototype.connect = function (this: Server, ...args: Parameters<Server["connect"]>) {
    connected++;
    return inherited.apply(this, args);
  };
});
afterAll(() => {
  if (connect) Object.defineProperty(Server.prototype, "connect", connect);
  else delete (Server.prototype as { connect?: unknown }).connect;
});

const b64 = (s: string) => `=?base64?${Buffer.from(s, "utf8").toString("base64")}?=`;

describe.each(["v1", "v2"] as const)("a shared %s server", (flavour) => {
  test("calls the lane once refused are answered on it, no SDK server connected; discover still is the SDK's", async () => {
    const fixtures = await eraFixtures();
    const g = await inProcessBridge({ s: scriptServer(fixtures[flavour].script, "machine") });
    const url = g.shareUrl("s");
    const call = (name: string, args: Record<string, unknown>, headers: Record<string, string>, extra = {}) =>
      rawModernPost(url, g.token, "tools/call", { name, arguments: args, ...extra }, headers);
    const text = (a: Awaited<ReturnType<typeof call>>) =>
      [a.status, (a.body.result?.content ?? []).map((c: { text?: string }) => c.text).join("")] as const;
    const before = connected;

    // The first call of all, with a mirror: the tools list is read (the process started) to check it.
    const first = await call(
      "region",
      { region: "Zürich" },
      { "mcp-name": "region", "Mcp-Param-Region": b64("Zürich") },
    );
    expect(text(first)).toEqual([200, `${flavour}:region=Zürich level=<none>`]);
    expect(first.body.result._meta["io.modelcontextprotocol/serverInfo"].name).toBe(`era-${flavour}`);
    // The name in the Base64 sentinel, as a client sends one that is not plain ASCII.
    expect(text(await call("echo", { text: "hi" }, { "mcp-name": b64("echo") }))).toEqual([
      200,
      `${flavour}:hi`,
    ]);
    // An extension's params: dropped on the way, as the SDK's server drops them.
    const extended = await call("echo", { text: "x" }, { "mcp-name": "echo" }, { "x-extension": { a: 1 } });
    expect(text(extended)).toEqual([200, `${flavour}:x`]);
    // A tool the server does not have, named in non-ASCII: its answer, whatever it is, is the server's.
    const unknown = await call("ünknown", {}, { "mcp-name": b64("ünknown") });
    expect(unknown.status).toBe(200);
    expect(JSON.stringify(unknown.body)).toContain("ünknown");
    // Headers that disagree: refused as the SDK refuses, on the lane too.
    const refused = await call("region", { region: "a" }, { "mcp-name": "region", "Mcp-Param-Region": "b" });
    expect([refused.status, refused.body.error?.code]).toEqual([400, -32020]);
    const why = 'the Mcp-Param-Region header decodes to "b" but the body carries region="a"';
    expect(refused.body.error).toEqual({
      code: -32020,
      message: `Bad Request: the request headers and body disagree: ${why}`,
      data: { mismatch: { header: "Mcp-Param-Region", body: why } },
    });
    expect(connected - before, "SDK servers connected for the calls").toBe(0);

    // What the SDK's handler is kept for builds one: the count above can see it.
    const discover = await rawModernPost(url, g.token, "server/discover");
    expect(discover.body.result?.supportedVersions).toContain("2026-07-28");
    expect(connected - before).toBeGreaterThan(0);
  }, 60_000);
});

test("two 2026-07-28 requests pipelined on one connection with the same id: each answered, in order", async () => {
  const script = path.join(tempDir(), "scope.mjs");
  writeScopeServer(script, ["alpha"]);
  const g = await inProcessBridge({ s: scriptServer(script, "machine") });
  const meta = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" },
    "io.modelcontextprotocol/clientCapabilities": {},
  };
  const request = (tool: string) => {
    const body = JSON.stringify({
      jsonrpc: "2.0",
      id: 7,
      method: "tools/call",
      params: { name: tool, _meta: meta },
    });
    const head = [
      "POST /share/s HTTP/1.1",
      `host: 127.0.0.1:${g.port}`,
      `authorization: Bearer ${g.token}`,
      "content-type: application/json",
      "accept: application/json, text/event-stream",
      "mcp-protocol-version: 2026-07-28",
      "mcp-method: tools/call",
      `mcp-name: ${tool}`,
      `content-length: ${Buffer.byteLength(body)}`,
    ];
    return `${head.join("\r\n")}\r\n\r\n${body}`;
  };
  const socket = net.connect(g.port, "127.0.0.1");
  let read = "";
  const answers = await new Promise<string[]>((resolve, reject) => {
    // Both written at once, before either is answered: one write, as a pipelining client sends them.
    socket.write(request("alpha") + request("where"));
    socket.on("data", (chunk: Buffer) => {
      read += chunk.toString("utf8");
      const bodies = read
        .split("\r\n\r\n")
        .slice(1)
        .map((b) => b.replace(/^[0-9a-f]+\r\n/, ""));
      const results = bodies.map((b) => /"text":"([^"\\]*(?:\\.[^"\\]*)*)"/.exec(b)?.[1]).filter(Boolean);
      if (results.length === 2) resolve(results as string[]);
    });
    socket.once("error", reject);
    // A bound on waiting for what never comes (the answers were lost): the test fails with what was read.
    setTimeout(() => reject(new Error(`not both answered; read:\n${read}`)), 20_000).unref();
  }).finally(() => socket.destroy());
  expect(answers[0]).toBe("alpha ok");
  expect(answers[1]).toMatch(/^\{\\"pid\\":\d+/);
}, 60_000);
