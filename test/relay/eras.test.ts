/**
 * `connect` in both protocol eras: clients pinned to 2026-07-28, negotiating ("auto") and
 * 2025-11-25 through the relay (the built CLI, a real process) to the bridge, to a 2026-07-28-only
 * remote and to a 2025-11-25-only one (the era fixtures over HTTP, real processes; and a recording
 * 2026-07-28 server on loopback for the headers). 2026-07-28 traffic goes under its own rules:
 * `MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name` and `Mcp-Param-*` on each POST, no session id, no
 * GET, `subscriptions/listen` as a long POST, a cancel that closes the request.
 */
import path from "node:path";
import type { Client, VersionNegotiationMode } from "@modelcontextprotocol/client";
import { afterEach, beforeAll, expect, test } from "vitest";
import { type EraFixture, remoteEraFixture } from "../bridge-server/gateway/era-fixtures.js";
import { eraFixtures } from "../bridge-server/gateway/gateway-helpers.js";
import {
  bridgeEnv,
  call,
  cleanup,
  sleep,
  startBridge,
  stdioClient,
  tempDir,
} from "../bridge-server/helpers.js";
import { startModernServer } from "../helpers/http-2026.js";

const MODERN = { pin: "2026-07-28" } as const;
let v1: EraFixture;
let v2: EraFixture;
const stops: Array<() => void> = [];
beforeAll(async () => {
  ({ v1, v2 } = await eraFixtures());
}, 120_000);
afterEach(async () => {
  for (const stop of stops.splice(0)) stop();
  await cleanup();
});

/** An era fixture serving over HTTP (a real process, stopped after each test). */
async function remoteFixture(fixture: EraFixture): Promise<string> {
  const remote = await remoteEraFixture(fixture);
  stops.push(remote.stop);
  return remote.url;
}

/** A client of `era` through `connect <url>` (a remote: no bridge token, never a bridge started). */
function viaRelay(url: string, name: string, era: VersionNegotiationMode) {
  return stdioClient(["connect", url, "--no-start"], bridgeEnv(tempDir()), name, era);
}

const textOf = async (client: Client, name: string, args: Record<string, unknown> = {}) =>
  (await call(client, name, args)).text;

test("the bridge through the relay: 2026-07-28, negotiating and 2025-11-25 clients at once, one state", async () => {
  const b = await startBridge();
  const args = ["connect", b.url, "--token-file", path.join(b.dir, "token"), "--no-start"];
  const env = bridgeEnv(tempDir());
  const { client: pinned, stderr } = await stdioClient(args, env, "claude-code", MODERN);
  const { client: auto } = await stdioClient(args, env, "cursor", "auto");
  const { client: legacy } = await stdioClient(args, env, "claude-desktop");
  expect(pinned.getProtocolEra()).toBe("modern");
  expect(auto.getProtocolEra()).toBe("modern");
  expect(legacy.getProtocolEra()).toBe("legacy");
  expect(pinned.getServerVersion()?.name).toBe("mcp-twin-bridge");

  await call(legacy, "memory_set", { key: "plan", value: "v1" });
  expect((await call(pinned, "memory_get", { key: "plan" })).data).toMatchObject({ value: "v1" });
  await call(pinned, "memory_set", { key: "plan", value: "v2" });
  expect((await call(auto, "memory_get", { key: "plan" })).data).toMatchObject({
    value: "v2",
    updatedBy: "claude-code",
  });
  // The bridge's notes: a 2026-07-28 client hears of a new one on its listen stream.
  const heard = new Promise<void>((resolve) =>
    pinned.setNotificationHandler("notifications/resources/list_changed", () => resolve()),
  );
  const sub = await pinned.listen({ resourcesListChanged: true });
  expect(sub.honoredFilter).toMatchObject({ resourcesListChanged: true });
  await call(legacy, "notes_write", { path: "relayed", content: "x" });
  await heard;
  expect((await pinned.listResources()).resources.map((r) => r.name)).toContain("relayed.md");
  expect(stderr()).not.toContain(b.token);
}, 60_000);

test("a 2026-07-28-only remote: each POST under its era's rules, no session, no GET", async () => {
  const m = await startModernServer();
  const url = m.url.replace(/\/mcp$/, "/remote");
  const { client: pinned } = await viaRelay(url, "pinned", MODERN);
  const { client: auto } = await viaRelay(url, "auto", "auto");
  expect(pinned.getProtocolEra()).toBe("modern");
  expect(auto.getProtocolEra()).toBe("modern");
  expect(await textOf(auto, "echo", { text: "hi" })).toBe("modern:hi");
  // `region` is mirrored as Mcp-Param-Region: the server checks the header against the body.
  await pinned.listTools();
  expect(await textOf(pinned, "region", { region: "eu-wést", level: 2 })).toBe("region=eu-wést");

  const posts = m.requests.filter((r) => r.method === "POST" && r.rpc);
  expect(m.requests.filter((r) => r.method !== "POST")).toEqual([]);
  for (const r of posts.filter((p) => p.rpc !== "notifications/cancelled")) {
    expect(r.headers["mcp-session-id"]).toBeUndefined();
    if (r.rpc?.startsWith("notifications/")) continue;
    expect(r.headers["mcp-protocol-version"]).toBe("2026-07-28");
    expect(r.headers["mcp-method"]).toBe(r.rpc);
  }
  const region = posts.find((r) => r.rpc === "tools/call" && r.headers["mcp-name"] === "region");
  expect(region?.headers["mcp-param-region"]).toBe(`=?base64?${Buffer.from("eu-wést").toString("base64")}?=`);
  expect(posts.find((r) => r.rpc === "tools/call" && r.headers["mcp-name"] === "echo")).toBeDefined();

  // A client of 2025-11-25 alone gets the server's refusal as its answer, at once.
  await expect(viaRelay(url, "legacy", "legacy")).rejects.toThrow(/2026-07-28|-32022|protocol/i);
}, 60_000);

test("2026-07-28 through the relay: subscriptions/listen stays open, a cancel closes the request", async () => {
  const m = await startModernServer();
  const { client } = await viaRelay(m.url.replace(/\/mcp$/, "/remote"), "pinned", MODERN);
  const changed = new Promise<void>((resolve) =>
    client.setNotificationHandler("notifications/tools/list_changed", () => resolve()),
  );
  const sub = await client.listen({ toolsListChanged: true });
  expect(sub.honoredFilter).toMatchObject({ toolsListChanged: true });
  await textOf(client, "bump");
  await changed;
  expect((await client.listTools()).tools.map((t) => t.name)).toContain("extra1");

  const abort = new AbortController();
  let progressed = false;
  const slow = client.callTool(
    { name: "slow", arguments: { ms: 20_000 } },
    {
      signal: abort.signal,
      onprogress: () => {
        if (!progressed) abort.abort();
        progressed = true;
      },
    },
  );
  await expect(slow).rejects.toThrow();
  for (let i = 0; i < 200 && !m.events.includes("cancelled slow"); i++) await sleep(25);
  expect(m.events).toContain("cancelled slow");
  // Not posted: over HTTP, closing the request is the cancel.
  expect(m.requests.some((r) => r.rpc === "notifications/cancelled")).toBe(false);
  expect(await textOf(client, "echo", { text: "after" })).toBe("modern:after");
}, 60_000);

test("the era fixtures as remotes: each era's client reaches the server of its era; auto reaches both", async () => {
  const old = await remoteFixture(v1);
  const { client: auto1 } = await viaRelay(old, "auto", "auto");
  expect(auto1.getProtocolEra()).toBe("legacy");
  expect(await textOf(auto1, "echo", { text: "a" })).toBe("v1:a");

  const modern = await remoteFixture(v2);
  const { client: auto2 } = await viaRelay(modern, "auto", "auto");
  expect(auto2.getProtocolEra()).toBe("modern");
  expect(await textOf(auto2, "echo", { text: "b" })).toBe("v2:b");
  const { client: pinned } = await viaRelay(modern, "pinned", MODERN);
  expect(await textOf(pinned, "count")).toMatch(/^\d+$/);

  // A client pinned to 2026-07-28 at a 2025-11-25-only server: refused at once, never a hang.
  await expect(viaRelay(old, "pinned", MODERN)).rejects.toThrow();
}, 60_000);
