/**
 * A remote server that wants credentials, through the relay: a 401 is said as the remote needing
 * credentials (a login when it points at OAuth metadata), never as the bridge's port "held by" a
 * program; and the seam for a login (RemoteAuth): its headers go with each request, a 401 asks it
 * once for fresh ones, and one it cannot give ends the session with its words — with a tiny
 * provider here, on a real relay (in-process) against a real loopback server.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import { afterEach, expect, test } from "vitest";
import type { LoginHeaders as RemoteAuth } from "../../src/core/oauth/relay-auth.js";
import { StreamableHttpRelay } from "../../src/core/relay/http-relay.js";
import { BIN, bridgeEnv, tempDir } from "../bridge-server/helpers.js";
import { startHostile } from "../helpers/hostile.js";
import { onJsonLines } from "../helpers/json-lines.js";

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** A Streamable HTTP server that answers each request with its method, to `Bearer <token>` only. */
async function protectedServer(token: string): Promise<{ url: URL; seen: string[] }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      seen.push(req.headers.authorization ?? "");
      if (req.headers.authorization !== `Bearer ${token}`) {
        res
          .writeHead(401, {
            "www-authenticate": 'Bearer resource_metadata="http://x/.well-known/oauth-protected-resource"',
          })
          .end();
        return;
      }
      if (req.method !== "POST") return void res.writeHead(405).end();
      const m = JSON.parse(body) as { id?: unknown; method: string };
      if (m.id === undefined) return void res.writeHead(202).end();
      res.writeHead(200, { "content-type": "application/json", "mcp-session-id": "s1" });
      res.end(JSON.stringify({ jsonrpc: "2.0", id: m.id, result: { method: m.method } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  servers.push(server);
  return { url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`), seen };
}

/** A relay in this process: lines in, lines out, its log and exit code. */
function inProcess(url: URL, auth: RemoteAuth) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const log: string[] = [];
  const lines: Array<Record<string, unknown>> = [];
  onJsonLines(stdout, (m) => lines.push(m));
  const relay = new StreamableHttpRelay({
    url,
    bridge: false,
    headers: async () => ({}),
    auth,
    log: (line) => log.push(line),
    stdin,
    stdout,
  });
  const code = relay.run();
  const ask = async (id: number, method: string) => {
    stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id, method })}\n`);
    for (let i = 0; i < 400 && !lines.some((l) => l.id === id); i++)
      await new Promise((r) => setTimeout(r, 10));
    return lines.find((l) => l.id === id);
  };
  return { ask, log, code, end: () => stdin.end() };
}

test("a login's headers go with every request; a 401 asks it once for fresh ones, and the request goes again", async () => {
  const server = await protectedServer("fresh");
  let refusals = 0;
  const auth: RemoteAuth = {
    headers: async () => ({ Authorization: "Bearer stale" }),
    refused: async () => {
      refusals++;
      return { Authorization: "Bearer fresh" };
    },
  };
  const r = inProcess(server.url, auth);
  expect(await r.ask(1, "initialize")).toMatchObject({ id: 1, result: { method: "initialize" } });
  expect(await r.ask(2, "tools/list")).toMatchObject({ id: 2, result: { method: "tools/list" } });
  expect(refusals).toBe(1);
  expect(server.seen).toEqual(["Bearer stale", "Bearer fresh", "Bearer fresh"]);
  r.end();
  expect(await r.code).toBe(0);
});

test("a login that cannot be had: the client reads why, so does stderr, and the relay ends (exit 1)", async () => {
  const server = await protectedServer("fresh");
  const why = "mcp-twin: linear's login has expired; run `mcp-twin login linear`";
  const r = inProcess(server.url, {
    headers: async () => ({ Authorization: "Bearer stale" }),
    refused: async () => {
      throw new Error(why);
    },
  });
  expect(await r.ask(1, "initialize")).toEqual({
    jsonrpc: "2.0",
    id: 1,
    error: { code: -32000, message: why },
  });
  expect(await r.code).toBe(1);
  expect(r.log).toContain(why);

  // Not logged in at all: the same, from the first request.
  const never = inProcess(server.url, {
    headers: () => Promise.reject(new Error(why)),
    refused: () => Promise.reject(new Error(why)),
  });
  expect(await never.ask(1, "initialize")).toMatchObject({ id: 1, error: { message: why } });
  expect(await never.code).toBe(1);
  expect(server.seen).toEqual(["Bearer stale"]);
});

test("a remote on loopback that wants a login is a remote: no bridge token, its 401 said as needing a login", async () => {
  const h = await startHostile("oauth-401");
  const env = bridgeEnv(tempDir());
  const { spawn } = await import("node:child_process");
  const child = spawn(process.execPath, [BIN, "connect", h.url], { env, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => {
    out += c.toString();
  });
  child.stderr.on("data", (c: Buffer) => {
    err += c.toString();
  });
  child.stdin.end(`${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: {} })}\n`);
  await new Promise((r) => child.once("exit", r));
  await h.close();
  expect(JSON.parse(out.split("\n")[0]!)).toMatchObject({
    id: 1,
    error: {
      message: `mcp-twin: the server at ${h.url} needs credentials (HTTP 401): it asks for a login (OAuth) that this entry does not have`,
    },
  });
  expect(err).not.toMatch(/held by|credentials this bridge does not have|bridge/i);
  expect(h.received()).not.toMatch(/authorization/i);
});

test("--auth <server>: the relay loads the login provider and answers with what it says", async () => {
  const server = await protectedServer("fresh");
  const { spawn } = await import("node:child_process");
  const child = spawn(process.execPath, [BIN, "connect", server.url.href, "--auth", "linear"], {
    env: bridgeEnv(tempDir()),
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (c: Buffer) => {
    out += c.toString();
  });
  child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: {} })}\n`);
  const code = await new Promise((r) => child.once("exit", r));
  expect(code).toBe(1);
  expect(JSON.parse(out.split("\n")[0]!)).toMatchObject({
    id: 1,
    error: { message: expect.stringContaining("linear") },
  });
  expect(server.seen).toEqual([]);
});
