/**
 * An entry written before the bridge moved (its client not restarted since) follows the bridge to
 * where the manifest puts it now — running there, or started there — and never relays the client's
 * traffic to a program that took the old port calling itself mcp-twin-bridge; when the bridge
 * cannot be had there either, each request is answered with an MCP error that says why. Real
 * bridges (`bridge start`), a real squatter on the old port, the real relay process.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import {
  bridgeEnv,
  call,
  cleanup,
  httpClient,
  killAtCleanup,
  readJson,
  runCli,
  stdioClient,
  tempDir,
} from "../bridge-server/helpers.js";
import { type Hostile, startHostile } from "../helpers/hostile.js";
import { freePort } from "../helpers/net.js";
import { rawConnect } from "../helpers/raw-connect.js";

const hostiles: Hostile[] = [];
afterEach(async () => {
  for (const h of hostiles.splice(0)) await h.close();
  await cleanup();
});

/** A home whose manifest puts the bridge on `port`. */
function setPort(env: Record<string, string>, port: number): void {
  writeFileSync(
    path.join(env.MCP_TWIN_HOME!, "mcp-twin.jsonc"),
    JSON.stringify({ servers: {}, bridge: { enabled: true, port } }),
  );
}

/** `bridge <action>` at the manifest's settings; the pid of the bridge then running, if any. */
async function bridge(env: Record<string, string>, action: "start" | "restart" | "stop") {
  const r = await runCli(["bridge", action, "--json"], env);
  expect(r.code, r.stderr).toBe(0);
  const pid = (JSON.parse(r.stdout) as { pid?: number }).pid;
  if (pid && action !== "stop") killAtCleanup(pid);
  return pid;
}

/**
 * A home whose bridge listened on an old port and was moved to a new one (the manifest changed,
 * the bridge restarted there); a program posing as the bridge now holds the old port.
 */
async function moved(running: boolean) {
  const root = tempDir();
  const env = bridgeEnv(root);
  const [oldPort, newPort] = [await freePort(), await freePort()];
  (await import("node:fs")).mkdirSync(env.MCP_TWIN_HOME!, { recursive: true });
  setPort(env, oldPort);
  await bridge(env, "start");
  setPort(env, newPort);
  await bridge(env, running ? "restart" : "stop");
  const squatter = await startHostile("fake-bridge", oldPort);
  hostiles.push(squatter);
  return { env, root, oldPort, newPort, squatter, oldUrl: `http://127.0.0.1:${oldPort}/mcp` };
}

const secret = "postgres://app:s3cret@db.internal/app";

test.each([
  ["running on its new port", true],
  ["stopped", false],
])(
  "the bridge moved and is %s, a squatter on the old port: a relay from the old entry goes to the bridge, the squatter gets nothing",
  async (_, running) => {
    const m = await moved(running);
    const { client, stderr } = await stdioClient(["connect", m.oldUrl], m.env);
    await call(client, "memory_set", { key: "db", value: secret });
    expect(client.getServerVersion()?.version).not.toBe("9.9.9"); // the squatter's
    // The value is in this home's bridge, which runs on the manifest's port.
    const info = readJson(path.join(m.root, "bridge", "serve.json")) as {
      port: number;
      url: string;
      pid: number;
    };
    killAtCleanup(info.pid);
    expect(info.port).toBe(m.newPort);
    const token = (await import("node:fs")).readFileSync(path.join(m.root, "bridge", "token"), "utf8").trim();
    const direct = await httpClient(info.url, token);
    expect((await call(direct, "memory_get", { key: "db" })).data.value).toBe(secret);
    // The squatter saw connections (the challenge, never answered), nothing of the client's.
    expect(m.squatter.received()).not.toContain("memory_set");
    expect(m.squatter.received()).not.toContain("initialize");
    expect(m.squatter.received()).not.toContain(token);
    expect(stderr()).toMatch(
      new RegExp(`this entry names 127\\.0\\.0\\.1:${m.oldPort}, where this home's bridge listened before`),
    );
  },
  90_000,
);

test("the bridge moved and its new port is held too: every request is answered with an MCP error that names the holder, nothing is relayed", async () => {
  const m = await moved(false);
  const other = await startHostile("fake-bridge", m.newPort);
  hostiles.push(other);
  const init = JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
  });
  const r = await rawConnect([m.oldUrl], m.env, [init], "first-answer");
  expect(r.out).toEqual([
    {
      jsonrpc: "2.0",
      id: 1,
      error: {
        code: -32000,
        message: expect.stringMatching(new RegExp(`^mcp-twin: Port ${m.newPort} is held by`)),
      },
    },
  ]);
  expect(r.code).toBe(1);
  for (const h of [m.squatter, other]) {
    expect(h.received()).not.toContain('"clientInfo":{"name":"raw"');
    expect(h.received()).not.toMatch(/authorization/i);
  }
}, 90_000);
