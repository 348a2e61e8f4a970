/**
 * The gateway's control routes and its door: `GET /control/status` (the shape status, doctor and
 * `bridge status` render), `POST /control/reload` (a manifest change takes effect without a
 * restart), a per-target client token opens the gateway as the bridge token does, and nothing
 * opens without one.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { clientToken } from "../../../src/core/bridge-link/client-token.js";
import {
  callText,
  closeAfterEach,
  eraFixtures,
  gatewayBridge,
  scriptServer,
  until,
  v2Client,
} from "./gateway-helpers.js";

closeAfterEach();

test("status: each shared server's mode, processes (pid, RSS, sessions, idle time, era) and cache", async () => {
  const { v1, v2 } = await eraFixtures();
  const g = await gatewayBridge({
    servers: {
      m: scriptServer(v2.script, "machine"),
      s: scriptServer(v1.script, "session"),
      gone: { command: "/nonexistent/server", share: "machine" },
    },
    bridge: { idleMinutes: 2.5 },
  });
  const legacy = await v2Client(g.shareUrl("m"), g.token, "legacy");
  const modern = await v2Client(g.shareUrl("m"), g.token, { pin: "2026-07-28" });
  await callText(legacy, "echo", { text: "x" });
  await callText(modern, "echo", { text: "y" });
  await callText(await v2Client(g.shareUrl("s"), g.token, "legacy"), "echo", { text: "z" });
  const status = await g.status();
  expect(status.idleMinutes).toBe(2.5);
  const [m, s] = status.shares;
  expect(m).toMatchObject({ name: "m", mode: "machine", state: "running", cached: true, restarts: 0 });
  expect(m?.children).toEqual([
    {
      key: "machine",
      state: "running",
      pid: expect.any(Number),
      rssBytes: expect.any(Number),
      sessions: 1,
      idleMs: expect.any(Number),
      era: "2026-07-28",
      startedAt: expect.any(String),
    },
  ]);
  expect((m!.children[0] as unknown as { rssBytes: number }).rssBytes).toBeGreaterThan(10 * 1024 * 1024);
  expect(s).toMatchObject({ name: "s", mode: "session", state: "running" });
  expect(s?.children).toEqual([
    expect.objectContaining({ key: expect.stringMatching(/^session:/), era: "2025-11-25", sessions: 1 }),
  ]);
  // The cache is the bridge's own file, only its owner reads it.
  const cache = path.join(g.dir, "shares-cache.json");
  await until("the cache on disk", () =>
    JSON.parse(readFileSync(cache, "utf8")).servers.s ? true : undefined,
  );
  expect((await import("node:fs")).statSync(cache).mode & 0o777).toBe(0o600);
  // bridge_status on the bridge's own endpoint shows the same.
  const own = await v2Client(g.url, g.token, "legacy");
  const report = JSON.parse(await callText(own, "bridge_status")) as {
    shares: Array<{ name: string; mode: string }>;
  };
  expect(report.shares.map((x) => [x.name, x.mode])).toEqual([
    ["m", "machine"],
    ["s", "session"],
    ["gone", "machine"],
  ]);
  // A server that cannot start is named with why; a session to it is told.
  expect(status.shares.find((x) => x.name === "gone")).toMatchObject({
    state: "stopped",
    cached: false,
    children: [],
  });
  const attempt = await v2Client(g.shareUrl("gone"), g.token, "legacy").then(
    () => "connected",
    (e: Error) => e.message,
  );
  expect(attempt).toMatch(
    /the shared server .{1,2}gone.{1,2} did not start: spawn \/nonexistent\/server ENOENT/,
  );
  expect((await g.status()).shares.find((x) => x.name === "gone")).toMatchObject({
    state: "failed",
    lastError: expect.stringMatching(/ENOENT/),
  });
}, 60_000);

test("reload: a server added, one changed (its process stops, the next call runs the new one), one removed", async () => {
  const { v1, v2 } = await eraFixtures();
  const g = await gatewayBridge({
    servers: { a: scriptServer(v1.script, "machine"), b: scriptServer(v1.script, "machine") },
  });
  const a = await v2Client(g.shareUrl("a"), g.token, "legacy");
  expect(await callText(a, "echo", { text: "1" })).toBe("v1:1");
  const oldPid = JSON.parse(await callText(a, "whoami")).pid as number;
  g.writeManifest({
    servers: { a: scriptServer(v2.script, "machine", ["--both"]), c: scriptServer(v2.script, "machine") },
  });
  const report = (await g.reload()) as { added: string[]; removed: string[]; changed: string[] };
  expect(report).toMatchObject({ added: ["c"], removed: ["b"], changed: ["a"] });
  await until("the old process gone", () => {
    try {
      process.kill(oldPid, 0);
      return undefined;
    } catch {
      return true;
    }
  });
  // The next session runs the new launch (a server of both eras is driven in 2025-11-25).
  const again = await v2Client(g.shareUrl("a"), g.token, "legacy");
  expect(await callText(again, "echo", { text: "2" })).toBe("v2:2");
  expect((await g.status()).shares.find((s) => s.name === "a")?.children[0]?.era).toBe("2025-11-25");
  const c = await v2Client(g.shareUrl("c"), g.token, { pin: "2026-07-28" });
  expect(await callText(c, "echo", { text: "3" })).toBe("v2:3");
  const b = await fetch(g.shareUrl("b"), { method: "POST", headers: { authorization: `Bearer ${g.token}` } });
  expect(b.status).toBe(404);
}, 60_000);

test("a client token derived for a share opens it; none, a forged one, or a stale one does not", async () => {
  const { v2 } = await eraFixtures();
  const g = await gatewayBridge({ servers: { m: scriptServer(v2.script, "machine") } });
  const token = clientToken(g.token, "m", "linux:claude-code");
  const client = await v2Client(g.shareUrl("m"), token, { pin: "2026-07-28" });
  expect((await client.listTools()).tools.length).toBeGreaterThan(0);
  for (const bad of ["", clientToken("another-bridge-token", "m", "linux:claude-code"), `${token}x`]) {
    for (const route of [g.shareUrl("m"), g.url.replace(/\/mcp$/, "/control/status")]) {
      const r = await fetch(route, {
        method: route.endsWith("status") ? "GET" : "POST",
        headers: { authorization: `Bearer ${bad}`, "content-type": "application/json" },
        body: route.endsWith("status") ? undefined : "{}",
      });
      expect(r.status, `${route} with ${bad.slice(0, 12)}…`).toBe(401);
    }
  }
  // The bridge's own /mcp, though served like a share, opens with the bridge token only: not with
  // a share's client token nor a `/tools` one, in either era.
  for (const scoped of [token, clientToken(g.token, "/tools", "linux:claude-code")])
    for (const version of ["2025-11-25", "2026-07-28"]) {
      const r = await fetch(g.url, {
        method: "POST",
        headers: {
          authorization: `Bearer ${scoped}`,
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "mcp-protocol-version": version,
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
      });
      expect(r.status, `/mcp ${version} with ${scoped.slice(0, 12)}…`).toBe(401);
    }
}, 60_000);
