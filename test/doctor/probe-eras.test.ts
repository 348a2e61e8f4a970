/**
 * doctor's probe settles each server's protocol era as a negotiating client does, in place on the
 * server it started: a 2026-07-28-only server (SDK v2) and a 2025-11-25-only one (SDK v1) both pass
 * and say which era; a 2025 server that never answers `server/discover` costs the short wait, one
 * that exits on it is started again, and a 2026-only server too slow for the wait is started again
 * in its era. Remote servers the same over HTTP, where a 401 is never taken for an era. Real
 * processes (the packed era fixtures and the fixture server) and real loopback servers.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { beforeAll, describe, expect, inject, test } from "vitest";
import { DISCOVER_WAIT_MS, probeServer } from "../../src/core/doctor/probe/live-probe.js";
import { probeHttpRemote } from "../../src/core/doctor/probe/remote-probe.js";
import { createRunner } from "../../src/core/system/run.js";
import type { EraFixture } from "../bridge-server/gateway/era-fixtures.js";
import { eraFixtures } from "../bridge-server/gateway/gateway-helpers.js";
import { startModernServer } from "../helpers/http-2026.js";

const runner = createRunner();
const node = (script: string, ...args: string[]) => ({
  file: process.execPath,
  args: [script, ...args],
  env: { PATH: process.env.PATH },
});
let v1: EraFixture;
let v2: EraFixture;
beforeAll(async () => {
  ({ v1, v2 } = await eraFixtures());
});

describe("probeServer negotiates the era", () => {
  test("a 2026-07-28-only server passes, in 2026-07-28 (it answered server/discover)", async () => {
    const r = await probeServer(runner, node(v2.script), 20_000);
    expect(r.error).toBeUndefined();
    expect(r).toMatchObject({ ok: true, serverName: "era-v2", protocol: { version: "2026-07-28" } });
    expect(r.tools).toBeGreaterThan(5);
    const discover = r.protocol?.discover;
    if (r.protocol?.restarted) {
      // A start slower than the wait (a loaded machine: the SDK v2 server's start is CPU-bound) is
      // started again in its era, as a negotiating client does; never for an answer within the wait.
      expect(discover?.gaveUpMs).toBe(DISCOVER_WAIT_MS);
      if (discover?.answeredMs !== undefined)
        expect(discover.answeredMs).toBeGreaterThanOrEqual(DISCOVER_WAIT_MS);
    } else {
      expect(discover?.answeredMs).toBeGreaterThan(0);
      expect(discover?.answeredMs).toBeLessThan(DISCOVER_WAIT_MS);
    }
  });

  test("a 2025-11-25-only server passes, in 2025-11-25: its -32601 to server/discover, no wait", async () => {
    const started = Date.now();
    const r = await probeServer(runner, node(v1.script), 20_000);
    expect(r).toMatchObject({
      ok: true,
      serverName: "era-v1",
      protocol: { version: "2025-11-25", discover: { error: { code: -32601 } } },
    });
    expect(r.protocol?.discover.gaveUpMs).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(DISCOVER_WAIT_MS + 5_000);
  });

  test("a 2025 server that never answers server/discover: initialize after the short wait, on the same process", async () => {
    const r = await probeServer(runner, node(inject("fixtureScript"), "--discover", "silent"), 20_000);
    expect(r).toMatchObject({
      ok: true,
      protocol: { version: "2025-11-25", discover: { gaveUpMs: DISCOVER_WAIT_MS } },
    });
    expect(r.protocol?.restarted).toBeUndefined();
    expect(r.startupMs).toBeGreaterThanOrEqual(DISCOVER_WAIT_MS);
  });

  test("a 2025 server that exits on server/discover (as rmcp's do) is started again for initialize", async () => {
    const r = await probeServer(runner, node(inject("fixtureScript"), "--discover", "exit"), 20_000);
    expect(r.error).toBeUndefined();
    expect(r).toMatchObject({
      ok: true,
      protocol: { version: "2025-11-25", discover: { exited: true }, restarted: true },
    });
  });

  test("a 2026-07-28-only server slower than the wait is started again, in 2026-07-28 alone", async () => {
    const r = await probeServer(runner, node(v2.script, "--slow", String(DISCOVER_WAIT_MS + 500)), 30_000);
    expect(r.error).toBeUndefined();
    expect(r).toMatchObject({
      ok: true,
      protocol: { version: "2026-07-28", restarted: true, discover: { gaveUpMs: DISCOVER_WAIT_MS } },
    });
    expect(r.protocol?.discover.answeredMs).toBeGreaterThanOrEqual(DISCOVER_WAIT_MS);
  });

  test("a server that fails still fails, with its own words", async () => {
    const r = await probeServer(runner, node(inject("fixtureScript"), "--exit", "3"), 10_000);
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/exited with code 3/);
    expect(r.stderr).toContain("fixture: exiting at once as asked");
  });
});

/** A 2025-11-25-only server over Streamable HTTP (SDK v1, sessions), as deployed servers are. */
async function legacyHttpServer(): Promise<{ url: string; close(): Promise<void> }> {
  const { McpServer: McpServerV1 } = await import("@modelcontextprotocol/sdk/server/mcp.js");
  const { StreamableHTTPServerTransport } = await import(
    "@modelcontextprotocol/sdk/server/streamableHttp.js"
  );
  const { randomUUID } = await import("node:crypto");
  const sessions = new Map<string, InstanceType<typeof StreamableHTTPServerTransport>>();
  const server = http.createServer(async (req, res) => {
    const id = req.headers["mcp-session-id"];
    const known = typeof id === "string" ? sessions.get(id) : undefined;
    if (known) return known.handleRequest(req, res);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sid) => void sessions.set(sid, transport),
    });
    const mcp = new McpServerV1({ name: "legacy-http", version: "1.0.0" });
    mcp.registerTool("echo", { description: "echo" }, async () => ({ content: [] }));
    await mcp.connect(transport);
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("probeHttpRemote negotiates the era", () => {
  const remote = (url: string, headers: Record<string, string> = {}) => ({
    url,
    headers,
    transport: "http" as const,
  });

  test("a 2026-07-28-only remote passes in 2026-07-28; a 2025-11-25 one in 2025-11-25 after its 4xx", async () => {
    const modern = await startModernServer();
    const legacy = await legacyHttpServer();
    try {
      const m = await probeHttpRemote(remote(modern.url), 10_000);
      expect(m.error).toBeUndefined();
      expect(m).toMatchObject({ ok: true, serverName: "http-2026", protocol: { version: "2026-07-28" } });
      expect(modern.requests.some((r) => r.rpc === "initialize")).toBe(false);
      const l = await probeHttpRemote(remote(legacy.url), 10_000);
      expect(l.error).toBeUndefined();
      expect(l).toMatchObject({ ok: true, serverName: "legacy-http", protocol: { version: "2025-11-25" } });
      expect(l.protocol?.discover.error?.status).toBeGreaterThanOrEqual(400);
      expect(l.protocol?.discover.error?.status).toBeLessThan(500);
    } finally {
      await modern.close();
      await legacy.close();
    }
  });

  test("a refusal's own full stop is dropped: the finding ends the sentence once (never 'not installed..')", async () => {
    // What the bridge answers for a shared server that cannot run here: HTTP 400 and its JSON-RPC error.
    const message = 'Invalid params: the shared server "memory" cannot run here: not installed.';
    const server = http.createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        res.writeHead(400, { "content-type": "application/json" });
        res.end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32602, message }, id: null }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/share/memory`;
      const r = await probeHttpRemote(remote(url), 10_000);
      expect(r).toMatchObject({ ok: false, cause: "http", status: 400 });
      expect(r.error).toBe(`the server answered HTTP 400: ${message.slice(0, -1)}`);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test("a 401 is a login's matter, never an era: a 2026-07-28 server behind a token", async () => {
    const modern = await startModernServer({ token: "t0ken" });
    try {
      const without = await probeHttpRemote(remote(modern.url), 10_000);
      expect(without).toMatchObject({ ok: false, cause: "login", status: 401 });
      // Nothing was taken for a 2025 server: no initialize after the 401.
      expect(modern.requests.map((r) => r.rpc)).toEqual(["server/discover"]);
      const withToken = await probeHttpRemote(remote(modern.url, { Authorization: "Bearer t0ken" }), 10_000);
      expect(withToken).toMatchObject({ ok: true, protocol: { version: "2026-07-28" } });
    } finally {
      await modern.close();
    }
  });
});
