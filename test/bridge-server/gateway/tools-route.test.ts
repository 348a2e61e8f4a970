/**
 * The gateway's `/tools` route (tools-route.ts) on its own: a request keeps nothing of itself once
 * answered (an initialize's check, a relay's end naming a session not held), so a flood of distinct
 * folders and relay sessions leaves the heap as it was.
 */
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import { expect, test } from "vitest";
import { ListCache } from "../../../src/bridge-server/gateway/list-cache.js";
import { toolsHost } from "../../../src/bridge-server/gateway/tools-route.js";
import { clientToken } from "../../../src/core/bridge-link/client-token.js";

v8.setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
/** The heap once the garbage is collected. */
async function held(): Promise<number> {
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  return process.memoryUsage().heapUsed;
}

test("initialize checks and relay ends with a new folder or session each keep nothing: the heap stays where it was", async () => {
  const host = toolsHost({
    cache: ListCache.memory(),
    side: { platform: "linux", mountRoot: "/mnt/" },
    idleMs: () => 60_000,
    log: () => {},
    plan: () => ({ clients: [{ client: "gemini-cli", servers: [] }], keep: [], launches: [], failed: [] }),
    host: () => undefined,
  });
  const endpoint = host.endpoint();
  const authorization = `Bearer ${clientToken("b".repeat(43), "/tools", "linux:gemini-cli")}`;
  const flood = async (from: number, n: number) => {
    for (let i = from; i < from + n; i++) {
      expect(endpoint.admit?.({ authorization, "mcp-twin-project": `/work/project-${i}` })).toBeUndefined();
      expect(await endpoint.end?.({ authorization, "mcp-twin-session": `relay-session-${i}` })).toBe(false);
    }
  };
  // Its code run once first: what a first run compiles and caches is not what is measured.
  await flood(0, 2_000);
  const before = await held();
  await flood(2_000, 30_000);
  // Their 60,000 keys kept held 18 MB; none kept, what is left is noise.
  expect((await held()) - before).toBeLessThan(4 * 1024 * 1024);
  await host.close();
});
