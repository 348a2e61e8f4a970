/**
 * The bridge's own endpoint (/mcp) in both protocol eras at once: 2026-07-28 clients (the SDK's
 * v2 client pinned to it, and negotiating) discover and call without `initialize`, subscribe to
 * notes with `subscriptions/listen`, and read truthful cache hints; 2025-11-25 clients (v2, and the
 * v1 1.32.2 SDK many servers and clients still ship) keep sessions and get no 2026 fields.
 */
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as HttpV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterEach, expect, test } from "vitest";
import { rawModernPost } from "../helpers/raw-post-2026.js";
import { bridgeForFile, call, cleanup, httpClient, sleep, startBridge } from "./helpers.js";

afterEach(cleanup);

/**
 * The bridge of the tests that write no note but the first test's: one for them. The note
 * subscription's test, which writes notes of its own, has its own.
 */
const shared = bridgeForFile();

async function until<T>(what: string, get: () => T | undefined, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

test("2026-07-28 clients discover and call without initialize; state is shared with 2025-11-25 sessions", async () => {
  const b = shared();
  const pinned = await httpClient(b.url, b.token, "claude-code", { pin: "2026-07-28" });
  const auto = await httpClient(b.url, b.token, "cursor", "auto");
  const legacy = await httpClient(b.url, b.token, "claude-desktop");
  expect(pinned.getProtocolEra()).toBe("modern");
  expect(auto.getProtocolEra()).toBe("modern");
  expect(legacy.getProtocolEra()).toBe("legacy");
  expect(pinned.getServerVersion()?.name).toBe("mcp-twin-bridge");
  expect(pinned.getServerCapabilities()).toMatchObject({ tools: {}, resources: { listChanged: true } });

  await call(legacy, "memory_set", { key: "plan", value: "v1" });
  expect((await call(pinned, "memory_get", { key: "plan" })).data).toMatchObject({
    found: true,
    value: "v1",
  });
  await call(pinned, "memory_set", { key: "plan", value: "v2" });
  // The 2026-07-28 client named itself in the request's envelope: the store says who wrote.
  expect((await call(legacy, "memory_get", { key: "plan" })).data).toMatchObject({
    value: "v2",
    updatedBy: "claude-code",
  });
  expect((await call(auto, "notes_write", { path: "p", content: "x" })).isError).toBe(false);
  expect((await auto.listResources()).resources.map((r) => r.name)).toEqual(["p.md"]);
});

test("lists carry truthful cache hints for 2026-07-28 and none for 2025-11-25; retired methods are 404", async () => {
  const b = shared();
  const tools = await rawModernPost(b.url, b.token, "tools/list");
  expect(tools.status).toBe(200);
  expect(tools.body.result).toMatchObject({ ttlMs: 60_000, cacheScope: "private" });
  expect(tools.body.result.tools.length).toBeGreaterThan(10);
  expect((await rawModernPost(b.url, b.token, "resources/list")).body.result).toMatchObject({
    ttlMs: 0,
    cacheScope: "private",
  });
  const discover = await rawModernPost(b.url, b.token, "server/discover");
  expect(discover.body.result).toMatchObject({
    supportedVersions: expect.arrayContaining(["2026-07-28"]),
    _meta: { "io.modelcontextprotocol/serverInfo": { name: "mcp-twin-bridge" } },
  });
  for (const method of ["ping", "logging/setLevel", "resources/subscribe"])
    expect((await rawModernPost(b.url, b.token, method)).status, method).toBe(404);

  // A 2025-11-25 session sees the lists as before: no 2026-07-28 fields.
  const legacy = await httpClient(b.url, b.token);
  const listed = (await legacy.listTools()) as Record<string, unknown>;
  expect(listed.ttlMs).toBeUndefined();
  expect(listed.cacheScope).toBeUndefined();
});

test("a note subscription over subscriptions/listen hears another session's write and a new note", async () => {
  const b = await startBridge();
  const reader = await httpClient(b.url, b.token, "reader", { pin: "2026-07-28" });
  const writer = await httpClient(b.url, b.token, "writer");
  await call(writer, "notes_write", { path: "plan", content: "v1\n" });
  const updated: string[] = [];
  let listChanged = 0;
  reader.setNotificationHandler("notifications/resources/updated", async (n) => {
    updated.push(n.params.uri);
  });
  reader.setNotificationHandler("notifications/resources/list_changed", async () => {
    listChanged++;
  });
  const subscription = await reader.listen({
    resourceSubscriptions: ["mcp-twin://notes/plan.md"],
    resourcesListChanged: true,
  });
  expect(subscription.honoredFilter).toMatchObject({ resourceSubscriptions: ["mcp-twin://notes/plan.md"] });
  await call(writer, "notes_write", { path: "plan", content: "v2\n", mode: "append" });
  await until("an update", () => (updated.length > 0 ? true : undefined));
  expect(updated).toEqual(["mcp-twin://notes/plan.md"]);
  await call(writer, "notes_write", { path: "other", content: "x" });
  await until("list_changed", () => (listChanged > 0 ? true : undefined));
  expect(updated).toEqual(["mcp-twin://notes/plan.md"]);
  await subscription.close();
});

test("the v1 1.32.2 SDK client keeps its session, tools and resources", async () => {
  const b = shared();
  const client = new ClientV1({ name: "old-client", version: "1" });
  await client.connect(
    new HttpV1(new URL(b.url), { requestInit: { headers: { Authorization: `Bearer ${b.token}` } } }),
  );
  try {
    expect(client.getServerVersion()?.name).toBe("mcp-twin-bridge");
    const set = await client.callTool({ name: "memory_set", arguments: { key: "k", value: 1 } });
    expect(set.isError).toBeFalsy();
    expect((await client.listResourceTemplates()).resourceTemplates).toHaveLength(1);
  } finally {
    await client.close();
  }
});
