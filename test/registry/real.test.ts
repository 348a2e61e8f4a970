/**
 * Opt-in: the real MCP Registry (network). Every entry of a few real searches must parse, and a
 * real server must be fetchable by name — the check that the recorded shapes in
 * test/fixtures/mcp-registry are still what registry.modelcontextprotocol.io answers.
 */
import { expect, test } from "vitest";
import { OFFICIAL_REGISTRY, RegistryClient } from "../../src/core/registry/api.js";
import { summarize } from "../../src/core/registry/convert.js";

const enabled = process.env.MCP_TWIN_REAL_REGISTRY === "1";

test.skipIf(!enabled)(
  "the real registry answers in the shapes mcp-twin reads (skipped: set MCP_TWIN_REAL_REGISTRY=1, needs network)",
  async () => {
    const client = new RegistryClient({ base: OFFICIAL_REGISTRY, timeoutMs: 20_000 });
    for (const word of ["github", "filesystem", "search"]) {
      const page = await client.find([word], { limit: 30, maxPages: 2 });
      expect(page.entries.length).toBeGreaterThan(0);
      // A few entries off the schema may exist (anyone publishes); most must parse.
      expect(page.skipped).toBeLessThan(page.entries.length);
      for (const entry of page.entries) expect(summarize(entry).name).toBe(entry.server.name);
      const first = page.entries[0]!;
      expect((await client.get(first.server.name))?.server.name).toBe(first.server.name);
    }
  },
  120_000,
);
