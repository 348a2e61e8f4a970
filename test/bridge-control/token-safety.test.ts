/**
 * The bridge token goes only to this home's bridge, proven before any credential is sent: hostile
 * listeners on loopback (one that answers as the bridge does without a token, one that claims to
 * be the bridge, a TCP proxy in front of the real bridge, a stranger that takes the port of a
 * bridge that ended mid-session) record every byte they receive, and none of it is the token —
 * through `connect`, `bridge status` and `bridge start`. Real processes, real sockets.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { bridgeFiles, CHALLENGE_HEADER, portHolder, reach } from "../../src/core/bridge-link/index.js";
import { isAlive as alive } from "../../src/core/system/process-alive.js";
import {
  bridgeEnv,
  bridgeForFile,
  call,
  cleanup,
  killAtCleanup,
  runCli,
  startBridge,
  stdioClient,
  tempDir,
  waitForInstance,
} from "../bridge-server/helpers.js";
import { killBridge, startLoopOf } from "../helpers/bridge-loop.js";
import { type Hostile, startHostile, startProxy } from "../helpers/hostile.js";
import { freePort } from "../helpers/net.js";
import { rawConnect } from "../helpers/raw-connect.js";

const hostiles: Hostile[] = [];
afterEach(async () => {
  for (const h of hostiles.splice(0)) await h.close();
  await cleanup();
});

/**
 * The bridge the tests of relays to other servers and of proxies in front of it stand beside: one
 * for them (none changes it, or its token). The tests of a bridge that ends or rotates its token
 * start their own.
 */
const running = bridgeForFile();

const keep = (h: Hostile) => {
  hostiles.push(h);
  return h;
};

const INIT = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
});

/** `mcp-twin connect …` fed one initialize; its first answer (or {}) and stderr once it ends. */
async function connectOnce(args: string[], env: Record<string, string>) {
  const r = await rawConnect(args, env, [INIT], "first-answer");
  return { code: r.code, answer: r.out[0] ?? {}, err: r.err };
}

test("connect to a loopback URL of the bridge's shape on another port: relayed as a remote, never with the token", async () => {
  const b = running(); // this home has a token, and its bridge runs elsewhere
  for (const mode of ["bridge-401", "fake-bridge"] as const)
    for (const start of [[], ["--no-start"]]) {
      const h = keep(await startHostile(mode));
      const r = await connectOnce([h.url, ...start], b.env);
      expect(h.received()).toContain("POST /mcp");
      expect(h.received()).not.toContain(b.token);
      expect(h.received()).not.toMatch(/authorization/i);
      if (mode === "fake-bridge")
        expect(r.answer).toMatchObject({ id: 1, result: { serverInfo: { name: "mcp-twin-bridge" } } });
      else {
        // A remote that wants credentials, not "the bridge" nor a port "held by" anything.
        expect((r.answer.error as { message: string }).message).toContain(`the server at ${h.url}`);
        expect(r.err).not.toMatch(/held by|credentials this bridge does not have/);
      }
    }
}, 60_000);

test("without /proc the challenge tells the bridge from a TCP proxy in front of it", async () => {
  const b = running();
  const proxy = keep(await startProxy(b.port));
  expect(await reach(bridgeFiles(b.dir), b.url)).toMatchObject({ state: "ours" });
  expect(await reach(bridgeFiles(b.dir), proxy.url)).toMatchObject({ state: "other" });
  expect(proxy.received()).toContain(CHALLENGE_HEADER);
  expect(proxy.received()).not.toContain(b.token);
});

test("a TCP proxy in front of the real bridge cannot get the token through the challenge", async () => {
  const b = running();
  const proxy = keep(await startProxy(b.port));
  const r = await connectOnce([proxy.url, "--no-start"], b.env);
  expect(proxy.received()).toContain("POST /mcp");
  expect(proxy.received()).not.toContain(b.token);
  expect(r.answer.error).toBeDefined();
});

/** A home whose manifest puts the bridge on `port`, with a token in its state folder. */
function homeWithToken(port: number): { env: Record<string, string>; token: string } {
  const env = bridgeEnv(tempDir());
  mkdirSync(env.MCP_TWIN_HOME!, { recursive: true });
  writeFileSync(
    path.join(env.MCP_TWIN_HOME!, "mcp-twin.jsonc"),
    JSON.stringify({ servers: {}, bridge: { enabled: true, port } }),
  );
  const token = "home-token-5c1e0b7a9d3f2e8a4b6c";
  mkdirSync(env.MCP_TWIN_BRIDGE_HOME!, { recursive: true, mode: 0o700 });
  writeFileSync(path.join(env.MCP_TWIN_BRIDGE_HOME!, "token"), `${token}\n`, { mode: 0o600 });
  return { env, token };
}

test("bridge status and start on a squatted port name the holder and never send it the token", async () => {
  for (const mode of ["bridge-401", "fake-bridge"] as const) {
    const port = await freePort();
    const h = keep(await startHostile(mode, port));
    const { env, token } = homeWithToken(port);
    const status = await runCli(["bridge", "status", "--json"], env);
    expect(status.code).toBe(1);
    expect(JSON.parse(status.stdout)).toMatchObject({ state: "taken" });
    expect(JSON.parse(status.stdout).what).toContain(`pid ${process.pid}`);
    const start = await runCli(["bridge", "start"], env);
    expect(start.code).toBe(1);
    expect(start.stderr).toMatch(new RegExp(`Port ${port} is held by`));
    // The relay on the manifest's bridge port says the same, and sends nothing secret either.
    const relay = await runCli(["connect", `http://127.0.0.1:${port}/mcp`], env);
    expect(relay.code).toBe(1);
    expect(relay.stderr).toMatch(/is held by/);
    expect(h.connections()).toBeGreaterThan(0);
    expect(h.received()).not.toContain(token);
    expect(h.received()).not.toMatch(/authorization/i);
  }
}, 60_000);

test("a stranger that takes the port of a bridge that ended mid-session, its keeper too, never gets the token", async () => {
  const root = tempDir();
  const port = await freePort();
  const env = bridgeEnv(root);
  const { client: relay, pid: relayPid } = await stdioClient(
    ["connect", `http://127.0.0.1:${port}/mcp`],
    env,
  );
  const first = await waitForInstance(path.join(root, "bridge"));
  killAtCleanup(first.pid);
  await call(relay, "memory_set", { key: "k", value: 1 });
  // The bridge and its keeper (which holds the port while the bridge is down) both killed.
  // The stranger binds first: the relay, held still meanwhile, would otherwise start a bridge
  // again on its stream's end and win the port; and both the bridge and its keeper (which holds
  // the port while the bridge is down) are gone before it binds.
  if (relayPid) process.kill(relayPid, "SIGSTOP");
  const keeper = startLoopOf(first.pid);
  killBridge(first.pid);
  const gone = () => !alive(first.pid) && (keeper === undefined || !alive(keeper));
  for (let i = 0; i < 400 && !gone(); i++) await new Promise((r) => setTimeout(r, 25));
  const h = keep(await strangerOn(port));
  if (relayPid) process.kill(relayPid, "SIGCONT");
  const token = (await import("node:fs")).readFileSync(path.join(root, "bridge", "token"), "utf8").trim();
  await expect(call(relay, "memory_get", { key: "k" })).rejects.toThrow(/held by|not this home's bridge/);
  // The stranger was reached (the relay asked it to prove itself), and got nothing of worth.
  expect(h.connections()).toBeGreaterThan(0);
  expect(h.received()).not.toContain(token);
  expect(h.received()).not.toMatch(/authorization/i);
}, 60_000);

test("a token rotated mid-session: the relay proves the bridge with the new one and carries on", async () => {
  const b = await startBridge();
  const { client } = await stdioClient(["connect", b.url, "--no-start"], b.env);
  await call(client, "memory_set", { key: "k", value: 1 });
  const rotated = await runCli(["serve", "--rotate-token"], b.env);
  expect(rotated.code).toBe(0);
  expect((await call(client, "memory_get", { key: "k" })).data.value).toBe(1);
});

/**
 * The stranger listening on `port` once it is free: a process that just ended can hold it a moment
 * longer under load; one that still holds it after 15 s is named in the failure.
 */
async function strangerOn(port: number) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      return await startHostile("fake-bridge", port);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EADDRINUSE") throw e;
      if (Date.now() > deadline) {
        const holder = await portHolder(port);
        throw new Error(`port ${port} is still held: ${JSON.stringify(holder)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
