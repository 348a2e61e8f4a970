/**
 * The registry client against a local registry serving recorded answers: pagination through
 * `metadata.nextCursor`, the newest version only, `/v0.1` with a fall back to `/v0`, not found,
 * a timeout and Ctrl-C on every call, and the cache (fresh, then stale when the registry is down).
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { InterruptedError } from "../../src/core/errors.js";
import { FRESH_MS, registryCache } from "../../src/core/registry/answer-cache.js";
import { RegistryClient, RegistryError } from "../../src/core/registry/api.js";
import { parseRegistryName } from "../../src/core/registry/index.js";
import { type McpRegistry, startMcpRegistry } from "../helpers/mcp-registry.js";
import { freePort } from "../helpers/net.js";

let registry: McpRegistry;
let dir: string;
beforeAll(async () => {
  registry = await startMcpRegistry();
});
afterAll(() => registry.close());
afterEach(() => {
  registry.set({ versions: undefined, maxLimit: undefined, delayMs: undefined, status: undefined });
  registry.requests.length = 0;
  if (dir) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-registry-cache-"));
  return dir;
};

describe("search", () => {
  test("asks for the newest versions at /v0.1 and follows nextCursor until enough are found", async () => {
    registry.set({ maxLimit: 2 });
    const client = new RegistryClient({ base: registry.url });
    const page = await client.find(["search"], { limit: 5 });
    expect(page.entries.map((e) => e.server.name)).toEqual([
      "com.brave/brave-search",
      "io.github.acme/code-search",
      "io.github.acme/docs-search",
      "io.github.acme/paper-search",
      "io.github.exa-labs/exa-search",
    ]);
    expect(registry.requests).toEqual([
      "GET /v0.1/servers?version=latest&search=search&limit=5",
      "GET /v0.1/servers?version=latest&search=search&limit=3&cursor=io.github.acme%2Fcode-search%3A0.4.1",
      "GET /v0.1/servers?version=latest&search=search&limit=1&cursor=io.github.acme%2Fpaper-search%3A2.0.0",
    ]);
    // ... and the cursor it ended at continues the search
    const rest = await client.find(["search"], { limit: 5, cursor: page.nextCursor! });
    expect(rest.entries.map((e) => e.server.name)).toEqual([
      "io.github.searxng/searxng-search",
      "io.github.tavily-ai/tavily-search",
    ]);
    expect(rest.nextCursor).toBeUndefined();
  });

  test("several words: the registry is asked for the longest, every word must match name, title or description", async () => {
    const client = new RegistryClient({ base: registry.url });
    const page = await client.find(["web", "Search"], { limit: 20 });
    expect(page.entries.map((e) => e.server.name)).toEqual([
      "com.brave/brave-search",
      "io.github.exa-labs/exa-search",
      "io.github.searxng/searxng-search",
      "io.github.tavily-ai/tavily-search",
    ]);
    expect(registry.requests[0]).toContain("search=search");
  });

  test("one server per name, its latest version; deleted ones and entries off the schema left out", async () => {
    const client = new RegistryClient({ base: registry.url });
    const fixture = await client.find(["fixture"], { limit: 20 });
    expect(fixture.entries.map((e) => `${e.server.name}@${e.server.version}`)).toEqual([
      "io.github.mcp-twin/fixture-server@1.1.0",
    ]);
    const all = await client.find(["example"], { limit: 50 });
    expect(all.entries.map((e) => e.server.name)).not.toContain("io.github.example/removed-server");
    expect(all.skipped).toBe(1); // broken-entry has no version
  });

  test("a registry that serves only /v0 is used at /v0", async () => {
    registry.set({ versions: ["v0"] });
    const client = new RegistryClient({ base: registry.url });
    expect((await client.find(["airtable"], { limit: 5 })).entries).toHaveLength(1);
    expect(await client.get("io.github.domdomegg/airtable-mcp-server")).toBeDefined();
    expect(registry.requests.map((r) => r.split("?")[0])).toEqual([
      "GET /v0.1/servers",
      "GET /v0/servers",
      "GET /v0/servers/io.github.domdomegg%2Fairtable-mcp-server/versions/latest",
    ]);
    expect(new RegistryClient({ base: `${registry.url}/v0/` }).serverUrl("a/b")).toBe(
      `${registry.url}/v0/servers/a%2Fb/versions/latest`,
    );
  });
});

describe("get", () => {
  test("latest or an exact version; an unknown one is undefined", async () => {
    const client = new RegistryClient({ base: registry.url });
    expect((await client.get("io.github.mcp-twin/fixture-server"))?.server.version).toBe("1.1.0");
    expect((await client.get("io.github.mcp-twin/fixture-server", "1.0.0"))?.server.version).toBe("1.0.0");
    expect(await client.get("io.github.mcp-twin/fixture-server", "9.9.9")).toBeUndefined();
    expect(await client.get("io.github.nobody/nothing")).toBeUndefined();
  });
});

describe("failures", () => {
  test("every call is bounded by the timeout", async () => {
    registry.set({ delayMs: 5_000 });
    const client = new RegistryClient({ base: registry.url, timeoutMs: 200 });
    const started = Date.now();
    const error = await client.find(["x"], { limit: 1 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).code).toBe("registry-timeout");
    expect((error as RegistryError).message).toContain("did not answer within 200 ms");
  });

  test("Ctrl-C (the command's signal) interrupts a call in flight", async () => {
    registry.set({ delayMs: 5_000 });
    const abort = new AbortController();
    const client = new RegistryClient({ base: registry.url, signal: abort.signal });
    setTimeout(() => abort.abort(new InterruptedError()), 100);
    await expect(client.get("io.github.mcp-twin/fixture-server")).rejects.toBeInstanceOf(InterruptedError);
  });

  test("unreachable, an HTTP error, and an answer that is not a registry", async () => {
    const base = `http://127.0.0.1:${await freePort()}`;
    const down = new RegistryClient({ base });
    // One sentence that names the registry once; its reason is a clause for a sentence that has.
    await expect(down.find(["x"], { limit: 1 })).rejects.toMatchObject({
      code: "registry-unreachable",
      message: `The MCP Registry cannot be reached: ${base} refused the connection.`,
      reason: `${base} refused the connection`,
    });
    // Offline: the name does not resolve (fetch's own error, as undici throws it).
    const offline = new RegistryClient({
      base: "https://registry.example",
      fetch: async () => {
        throw new TypeError("fetch failed", {
          cause: Object.assign(new Error("getaddrinfo"), { code: "ENOTFOUND" }),
        });
      },
    });
    await expect(offline.find(["x"], { limit: 1 })).rejects.toMatchObject({
      message:
        "The MCP Registry cannot be reached: its address https://registry.example does not resolve (offline?).",
      reason: "its address https://registry.example does not resolve (offline?)",
    });
    registry.set({ status: 503 });
    await expect(new RegistryClient({ base: registry.url }).find(["x"], { limit: 1 })).rejects.toMatchObject({
      code: "registry-down",
      message: expect.stringContaining("503"),
    });
    registry.set({ status: 403 });
    await expect(new RegistryClient({ base: registry.url }).find(["x"], { limit: 1 })).rejects.toMatchObject({
      code: "registry-http",
      message: expect.stringContaining("403"),
    });
    registry.set({ status: undefined, versions: [] });
    await expect(new RegistryClient({ base: registry.url }).find(["x"], { limit: 1 })).rejects.toMatchObject({
      code: "registry-invalid",
    });
    expect(() => new RegistryClient({ base: "ftp://example.com" })).toThrow(/not an http\(s\) URL/);
  });
});

describe("cache", () => {
  test("a fresh answer is reused; a stale one stands in (said to be old) when the registry is down", async () => {
    let now = 1_000_000;
    const cache = registryCache(tempDir(), () => now);
    const client = () => new RegistryClient({ base: registry.url, cache, now: () => now });
    await client().get("io.github.mcp-twin/fixture-server");
    await client().get("io.github.mcp-twin/fixture-server");
    expect(registry.requests).toHaveLength(1);
    now += FRESH_MS + 1;
    // refused (a client error) is an answer, not an outage: no stand-in
    registry.set({ status: 403 });
    await expect(client().get("io.github.mcp-twin/fixture-server")).rejects.toMatchObject({
      code: "registry-http",
    });
    // the registry is down (5xx), then gone: the old answer stands in, with its age
    registry.set({ status: 502 });
    expect((await client().get("io.github.mcp-twin/fixture-server"))?.staleMs).toBe(FRESH_MS + 1);
    await registry.close();
    const old = await client().get("io.github.mcp-twin/fixture-server");
    expect(old?.server.version).toBe("1.1.0");
    expect(old?.staleMs).toBe(FRESH_MS + 1);
    registry = await startMcpRegistry();
  });
});

test("registry names, as add reads them", () => {
  expect(parseRegistryName("io.github.owner/server")).toEqual({ name: "io.github.owner/server" });
  expect(parseRegistryName("io.github.owner/server@1.2.3")).toEqual({
    name: "io.github.owner/server",
    version: "1.2.3",
  });
  expect(parseRegistryName("@scope/package")).toBeUndefined();
  expect(parseRegistryName("tavily-mcp")).toBeUndefined();
  expect(parseRegistryName("a/b/c")).toBeUndefined();
});
