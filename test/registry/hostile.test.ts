/**
 * A registry that answers with too much: an endless chunked body, and compressed bodies (gzip,
 * deflate, br) that decode to gigabytes. The client stops reading past its limit of decoded bytes
 * and says the answer is too large; `mcp-twin search`, a real process, stays small while it does.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { RegistryClient, RegistryError } from "../../src/core/registry/api.js";
import { createFakeMachine } from "../helpers/fake-machine.js";
import { type HostileServer, type Hostility, startHostileServer } from "../helpers/hostile-http.js";
import { runMeasured } from "../helpers/peak-rss.js";

const MiB = 1024 * 1024;
/**
 * `search` on an ordinary answer peaks near 100 MiB; reading up to the 16 MiB limit adds the
 * chunks, their copy and the decoded text. Past this, the answer was not bounded.
 */
const BOUND_MiB = 250;

const servers = new Map<Hostility, HostileServer>();
beforeAll(async () => {
  for (const kind of ["endless", "gzip", "deflate", "br"] as const)
    servers.set(kind, await startHostileServer(kind));
});
afterAll(async () => {
  for (const s of servers.values()) await s.close();
});

describe("the registry client reads at most 16 MiB of decoded answer", () => {
  test.each(["endless", "gzip", "deflate", "br"] as const)("%s", async (kind) => {
    const server = servers.get(kind)!;
    const before = server.sent();
    const client = new RegistryClient({ base: server.url });
    const error = await client.find(["time"], { limit: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).code).toBe("registry-too-large");
    expect((error as RegistryError).message).toMatch(
      /^The registry's answer is too large: .* more than 16 MB/,
    );
    expect((error as RegistryError).reason).toContain("the registry's answer is too large");
    // It stopped reading: what crossed the wire is the limit and the transport's buffers, not more.
    const sent = server.sent() - before;
    if (kind === "endless") expect(sent).toBeLessThan(64 * MiB);
    else expect(sent).toBeLessThan(4 * MiB); // 4 GiB were on offer, ~4 MB compressed
  });
});

describe("mcp-twin search, a real process, against a hostile registry", () => {
  test.each(["endless", "gzip"] as const)("%s: exit 1, 'too large', peak RSS bounded", async (kind) => {
    const machine = createFakeMachine({ mcpRegistryUrl: servers.get(kind)!.url });
    try {
      // A word the catalogue has no match for: the registry's failure is then the whole answer (exit 1).
      const r = await runMeasured(["search", "zzyzx"], machine.env, { killAboveMiB: 2 * BOUND_MiB });
      expect(r.killed, `killed at ${r.peakMiB} MiB: the answer was read without bound`).toBe(false);
      expect(r.peakMiB).toBeGreaterThan(0);
      expect(r.peakMiB).toBeLessThan(BOUND_MiB);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("the registry's answer is too large");
      expect(r.stderr).not.toMatch(/Cannot create a string|RangeError|heap/i);
    } finally {
      machine.cleanup();
    }
  });
});
