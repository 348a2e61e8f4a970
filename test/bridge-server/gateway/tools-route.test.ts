/**
 * The gateway's `/tools` route (tools-route.ts) on its own: a request keeps nothing of itself once
 * answered (an initialize's check, a relay's end naming a session not held), so a flood of distinct
 * folders and relay sessions leaves the heap as it was; one client's keys, however many it names,
 * never fill it for another.
 */
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import type { JSONRPCMessage } from "@modelcontextprotocol/server";
import { expect, test } from "vitest";
import { CallStop } from "../../../src/bridge-server/call-stop.js";
import { ListCache } from "../../../src/bridge-server/gateway/list-cache.js";
import { toolsHost } from "../../../src/bridge-server/gateway/tools-route.js";
import { HttpSessionTransport } from "../../../src/bridge-server/session-transport.js";
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

/** `/tools` for opencode and Zed (no server behind it: its own two tools are enough here). */
function twoClients() {
  return toolsHost({
    cache: ListCache.memory(),
    side: { platform: "linux", mountRoot: "/mnt/" },
    idleMs: () => 60_000,
    log: () => {},
    plan: () => ({
      clients: [
        { client: "opencode", servers: [] },
        { client: "zed", servers: [] },
      ],
      keep: [],
      launches: [],
      failed: [],
    }),
    host: () => undefined,
  });
}

const as = (client: string) => `Bearer ${clientToken("b".repeat(43), "/tools", `linux:${client}`)}`;
const LIST = {
  jsonrpc: "2.0",
  id: 1,
  method: "tools/list",
  params: {
    _meta: {
      "io.modelcontextprotocol/protocolVersion": "2026-07-28",
      "io.modelcontextprotocol/clientCapabilities": {},
    },
  },
};

/** A 2026-07-28 tools/list on the lane, as http.ts hands it on: its answer, or "refused" (a cap met). */
function listed(host: ReturnType<typeof toolsHost>, headers: Record<string, string>): Promise<unknown> {
  const call = host.endpoint().lane?.(headers, LIST);
  if (!call) return Promise.resolve("refused");
  return new Promise((resolve) =>
    call((m: JSONRPCMessage) => ("result" in m || "error" in m) && resolve(m), new CallStop()),
  );
}

test("one client's 300 junk folders leave another client served: its new folder, its relay and its 2025-11-25 session", async () => {
  const host = twoClients();
  const junk = { authorization: as("opencode") };
  // Each answered (its key started its upstream), then nothing in flight: its own make room for the next.
  for (let i = 0; i < 300; i++)
    expect(await listed(host, { ...junk, "mcp-twin-project": `/junk/${i}` })).toMatchObject({ result: {} });
  const zed = { authorization: as("zed") };
  expect(await listed(host, { ...zed, "mcp-twin-project": "/home/me/app" })).toMatchObject({ result: {} });
  expect(await listed(host, { ...zed, "mcp-twin-session": "relay-1" })).toMatchObject({ result: {} });
  const session = await host.endpoint().connect(new HttpSessionTransport("zed-session"), zed);
  await session.close();
  await host.close();
});

test("2025-11-25 sessions of one client past its half are refused, each in use; another client's still opens", async () => {
  const host = twoClients();
  const endpoint = host.endpoint();
  // Sessions the client keeps open (attached: in use), as many as it likes under varied client names
  // (the session table's cap is per name): the 129th is refused, and the server is not full.
  const opened: Array<{ close(): Promise<void> }> = [];
  const refusals: string[] = [];
  for (let i = 0; i < 260; i++)
    await endpoint.connect(new HttpSessionTransport(`junk-${i}`), { authorization: as("opencode") }).then(
      (s) => opened.push(s),
      (e: Error) => refusals.push(e.message),
    );
  expect(opened).toHaveLength(128);
  expect(new Set(refusals)).toEqual(
    new Set([
      "Service Unavailable: this client already holds 128 sessions of this server (at most half of its 256), each of them in use: try again once one is not (no call in flight, no session on it)",
    ]),
  );
  const zed = await endpoint.connect(new HttpSessionTransport("zed-session"), { authorization: as("zed") });
  await Promise.all([zed, ...opened].map((s) => s.close()));
  await host.close();
});
