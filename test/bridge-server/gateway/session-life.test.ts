/**
 * How long a 2025-11-25 session lives, with real processes: it ends when its client is gone (killed,
 * no DELETE), taking its `session` server's process with it; a live client idle past the grace
 * keeps both; and a bridge killed mid-session and started again honours the session's id, so the
 * client's next call works without a new initialize (SDK v2 and v1 clients, shared and own endpoints),
 * while a DELETE that comes as it is being opened again ends it then.
 * The grace runs on a clock the test moves (the bridge in process), never on a sleep.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterEach, describe, expect, test } from "vitest";
import { SESSION_GRACE_MS } from "../../../src/bridge-server/sessions.js";
import { clientToken } from "../../../src/core/bridge-link/client-token.js";
import { bridgeFiles } from "../../../src/core/bridge-link/index.js";
import { isAlive as alive } from "../../../src/core/system/process-alive.js";
import { ON_MESSAGE } from "../../helpers/script-messages.js";
import { bridgeEnv, startBridge, stdioClient, tempDir } from "../helpers.js";
import {
  callText,
  closeClients,
  eraFixtures,
  gatewayBridge,
  scriptServer,
  until,
  v1Client,
  v2Client,
} from "./gateway-helpers.js";
import { type InProcessBridge, inProcessBridge, stopInProcess } from "./in-process-bridge.js";

afterEach(async () => {
  await closeClients();
  await stopInProcess();
});

/** The pid of the `session` processes of the shared server `name` (status). */
async function sessionPids(
  g: { status(): Promise<{ shares: Array<{ name: string; children: Array<{ pid: number | null }> }> }> },
  name: string,
): Promise<number[]> {
  const share = (await g.status()).shares.find((s) => s.name === name);
  return (share?.children ?? []).flatMap((c) => (c.pid === null ? [] : [c.pid]));
}

/** Until `n` sessions have their GET stream open (the bridge has seen each client's stream). */
const streamsOpen = (b: Pick<InProcessBridge, "sessions">, n: number) =>
  until(`${n} GET streams open`, () => b.sessions().filter((s) => s.streaming).length >= n);

/** Until the client's transport gives up its GET stream (the SDK's retries, on the client's own timers). */
const gaveUp = (client: { onerror?: ((error: Error) => void) | undefined }) =>
  new Promise<void>((resolve) => {
    const before = client.onerror;
    client.onerror = (error) => {
      before?.(error);
      if (/Maximum reconnection attempts/.test(error.message)) resolve();
    };
  });

/**
 * A client in a process of its own (SDK v2, 2025-11-25) that connects, calls `whoami`, prints
 * `{ pid }` of the server's process, then sits there, its GET stream open, until killed.
 */
async function clientProcess(
  url: string,
  token: string,
): Promise<{ child: ChildProcess; serverPid: number }> {
  const sdk = import.meta.resolve("@modelcontextprotocol/client");
  const script = `
    const { Client, StreamableHTTPClientTransport } = await import(${JSON.stringify(sdk)});
    const client = new Client({ name: "killed-client", version: "1" }, { versionNegotiation: { mode: "legacy" } });
    await client.connect(new StreamableHTTPClientTransport(new URL(${JSON.stringify(url)}), {
      requestInit: { headers: { Authorization: ${JSON.stringify(`Bearer ${token}`)} } },
    }));
    const r = await client.callTool({ name: "whoami", arguments: {} });
    process.stdout.write(r.content[0].text + "\\n");
    setInterval(() => {}, 1 << 30);
  `;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.includes("\n")) resolve(out.split("\n")[0]!);
    });
    child.once("exit", (code) => reject(new Error(`the client exited (${code}) before it called`)));
  });
  return { child, serverPid: (JSON.parse(line) as { pid: number }).pid };
}

/**
 * A raw 2025-11-25 stdio server (no SDK) with one tool, `count` (this process's counter): asked to
 * initialize, it appends its pid to the file its first argument names, and answers once the file
 * its second names exists (a test holds its start as long as it needs).
 */
const HELD =
  ON_MESSAGE +
  String.raw`
const { appendFileSync, existsSync } = require("node:fs");
const [started, go] = process.argv.slice(2);
const out = (m) => process.stdout.write(JSON.stringify(m) + "\n");
const serverInfo = { name: "held", version: "1.0.0" };
let count = 0;
onMessage((m) => {
  const answer = (result) => out({ jsonrpc: "2.0", id: m.id, result });
  if (m.method === "initialize") {
    appendFileSync(started, process.pid + "\n");
    const held = () => existsSync(go)
      ? answer({ protocolVersion: "2025-11-25", capabilities: { tools: {} }, serverInfo })
      : setTimeout(held, 20);
    held();
  } else if (m.method === "tools/list") answer({ tools: [{ name: "count", inputSchema: { type: "object" } }] });
  else if (m.method === "tools/call") answer({ content: [{ type: "text", text: String(++count) }] });
  else if (m.id !== undefined) answer({});
});
`;

describe("a session ends when its client is gone (the bridge in process, on a clock)", () => {
  test("a client killed (SIGKILL, no DELETE): its session ends and its session process stops once the grace has passed", async () => {
    const { v1 } = await eraFixtures();
    const b = await inProcessBridge({ s: scriptServer(v1.script, "session") });
    const { child, serverPid } = await clientProcess(b.shareUrl("s"), b.token);
    expect(alive(serverPid)).toBe(true);
    expect(await sessionPids(b, "s")).toEqual([serverPid]);
    child.kill("SIGKILL");
    // Time passes a second at a time until the process is gone: the clock's time before the bridge
    // saw the client gone counts for nothing, so what passed is at least the grace if it waited.
    let passed = 0;
    await until("the killed client's session process gone", () => {
      if (!alive(serverPid)) return true;
      b.clock.advance(1000);
      passed += 1000;
      return false;
    });
    expect(passed).toBeGreaterThanOrEqual(SESSION_GRACE_MS);
    expect(await sessionPids(b, "s")).toEqual([]);
    expect(b.log()).toMatch(/of killed-client ended: no stream open and no request for 50 s/);
  }, 60_000);

  test("a live client idle for three graces keeps its session, its process and its state", async () => {
    const { v1 } = await eraFixtures();
    const b = await inProcessBridge({ s: scriptServer(v1.script, "session") });
    const a = await v2Client(b.shareUrl("s"), b.token, "legacy");
    const c = await v1Client(b.shareUrl("s"), b.token);
    const before = await Promise.all([a, c].map(async (x) => JSON.parse(await callText(x, "whoami")).pid));
    expect(await callText(a, "count")).toBe("1");
    expect(await callText(c, "count")).toBe("1");
    await streamsOpen(b, 2);
    // Nothing sent for three graces: only their GET streams are open.
    b.clock.advance(3 * SESSION_GRACE_MS);
    expect(await callText(a, "count")).toBe("2");
    expect(await callText(c, "count")).toBe("2");
    const after = await Promise.all([a, c].map(async (x) => JSON.parse(await callText(x, "whoami")).pid));
    expect(after).toEqual(before);
    expect(before.every(alive)).toBe(true);
    expect(b.log()).not.toMatch(/ended: no stream open/);
  }, 60_000);

  test("a relay (`mcp-twin connect`) idle for three graces keeps its session: it holds the GET stream open", async () => {
    const { v1 } = await eraFixtures();
    const b = await inProcessBridge({ s: scriptServer(v1.script, "session") });
    const { client } = await stdioClient(
      ["connect", b.shareUrl("s"), "--token-file", path.join(b.dir, "token"), "--no-start"],
      bridgeEnv(tempDir()),
      "relayed",
      "legacy",
    );
    const { pid } = JSON.parse(await callText(client, "whoami")) as { pid: number };
    expect(await callText(client, "count")).toBe("1");
    await streamsOpen(b, 1);
    b.clock.advance(3 * SESSION_GRACE_MS);
    expect(await callText(client, "count")).toBe("2");
    expect(JSON.parse(await callText(client, "whoami")).pid).toBe(pid);
    expect(b.log()).not.toMatch(/ended: no stream open/);
  }, 60_000);
});

describe("a restart is invisible", () => {
  test("the bridge killed mid-session and started again: the next call works on the same session (SDK v2 and v1, shared and own endpoints)", async () => {
    const { v1 } = await eraFixtures();
    const g = await gatewayBridge({ servers: { s: scriptServer(v1.script, "session") } });
    const a = await v2Client(g.shareUrl("s"), g.token, "legacy");
    const b = await v1Client(g.shareUrl("s"), g.token);
    const own = await v2Client(g.url, g.token, "legacy", { name: "own-endpoint" });
    expect(await callText(a, "count")).toBe("1");
    expect(await callText(b, "count")).toBe("1");
    expect(await callText(own, "memory_set", { key: "k", value: "kept" })).toMatch(/k/);
    const ids = [a, b, own].map((c) => (c.transport as StreamableHTTPClientTransport).sessionId);
    const keyFile = path.join(g.dir, "session-key");
    expect(existsSync(keyFile)).toBe(true);
    expect(readFileSync(keyFile, "utf8").length).toBeGreaterThan(40);
    const key = readFileSync(keyFile, "utf8");

    g.child.kill("SIGKILL");
    await new Promise((r) => g.child.once("exit", r));
    const again = await startBridge({ root: g.root, port: g.port });
    expect(again.port).toBe(g.port);
    expect(readFileSync(keyFile, "utf8")).toBe(key);

    // The next call of each works, on the same session id (no new initialize): a new process of
    // the `session` server (what the old one held died with the bridge), the bridge's own state.
    // Two at once on one session: the second came while the first opened it again, was handed the
    // half-open session, and was never answered (the SDK's 60 s timeout).
    const both = await Promise.all([callText(a, "count"), callText(a, "count")]);
    expect(both.sort()).toEqual(["1", "2"]);
    expect(await callText(b, "count")).toBe("1");
    expect(await callText(own, "memory_get", { key: "k" })).toMatch(/kept/);
    expect([a, b, own].map((c) => (c.transport as StreamableHTTPClientTransport).sessionId)).toEqual(ids);
    expect(await callText(a, "count")).toBe("3");
    expect(again.stderr()).toMatch(/of v2-client opened again from its id/);
  }, 90_000);

  test("down for longer than an SDK client's stream retries: the session opened again keeps its process and state past the grace", async () => {
    const { v1 } = await eraFixtures();
    const g = await gatewayBridge({ servers: { s: scriptServer(v1.script, "session") } });
    const a = await v2Client(g.shareUrl("s"), g.token, "legacy");
    const b = await v1Client(g.shareUrl("s"), g.token);
    expect(await callText(a, "count")).toBe("1");
    const given = [gaveUp(a), gaveUp(b)];
    g.child.kill("SIGKILL");
    await new Promise((r) => g.child.once("exit", r));
    // The SDK clients try their GET stream again twice (1 s, then 1.5 s later) and give up.
    await Promise.all(given);
    const again = await inProcessBridge(
      { s: scriptServer(v1.script, "session") },
      { dir: g.dir, port: g.port },
    );
    const pids = [await callText(a, "whoami"), await callText(b, "whoami")].map((t) => JSON.parse(t).pid);
    expect(await callText(a, "count")).toBe("1");
    expect(await callText(b, "count")).toBe("1");
    again.clock.advance(3 * SESSION_GRACE_MS);
    expect(await callText(a, "count")).toBe("2");
    expect(await callText(b, "count")).toBe("2");
    expect([await callText(a, "whoami"), await callText(b, "whoami")].map((t) => JSON.parse(t).pid)).toEqual(
      pids,
    );
    expect(again.log()).not.toMatch(/ended: no stream open/);
  }, 90_000);

  test("a sealed id stays its credential's: another token holder gets 404, before and after a restart; a forged id gets 404", async () => {
    const { v1 } = await eraFixtures();
    const g = await gatewayBridge({ servers: { s: scriptServer(v1.script, "session") } });
    const a = await v2Client(g.shareUrl("s"), g.token, "legacy");
    expect(await callText(a, "count")).toBe("1");
    const id = (a.transport as StreamableHTTPClientTransport).sessionId!;
    const other = clientToken(g.token, "s", "test:other");
    const ask = (bearer: string, sessionId: string, url = g.shareUrl("s")) =>
      fetch(url, {
        method: "POST",
        headers: {
          authorization: `Bearer ${bearer}`,
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "mcp-protocol-version": "2025-11-25",
          "mcp-session-id": sessionId,
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
      });
    expect((await ask(other, id)).status).toBe(404);
    const forged = `${id.slice(0, -4)}${id.endsWith("AAAA") ? "BBBB" : "AAAA"}`;
    expect((await ask(g.token, forged)).status).toBe(404);

    g.child.kill("SIGKILL");
    await new Promise((r) => g.child.once("exit", r));
    await startBridge({ root: g.root, port: g.port });
    expect((await ask(other, id)).status).toBe(404);
    expect((await ask(g.token, forged)).status).toBe(404);
    // Not at another endpoint either.
    expect((await ask(g.token, id, g.url)).status).toBe(404);
    expect((await ask(g.token, id)).status).toBe(200);
  }, 90_000);

  test("a session DELETEd while it is being opened again after a restart ends then, its `session` process with it, not after the grace", async () => {
    const dir = tempDir();
    const script = path.join(dir, "held.cjs");
    const started = path.join(dir, "started");
    const go = path.join(dir, "go");
    writeFileSync(script, HELD);
    writeFileSync(go, "");
    const server = scriptServer(script, "session", [started, go]);
    const g = await gatewayBridge({ servers: { s: server } });
    const a = await v2Client(g.shareUrl("s"), g.token, "legacy");
    expect(await callText(a, "count")).toBe("1");
    const id = (a.transport as StreamableHTTPClientTransport).sessionId!;
    g.child.kill("SIGKILL");
    await new Promise((r) => g.child.once("exit", r));
    // Nothing cached: opening the session again starts its process, whose start is held.
    const files = bridgeFiles(g.dir);
    rmSync(files.shareCache, { force: true });
    rmSync(go);
    const pids = () => readFileSync(started, "utf8").trim().split("\n").map(Number);
    const before = pids().length;
    const again = await inProcessBridge({ s: server }, { dir: g.dir, port: g.port });
    const call = callText(a, "count").catch((error: Error) => error.message);
    const pid = await until("the session's process started again", () => pids()[before]);
    const deleted = fetch(g.shareUrl("s"), {
      method: "DELETE",
      headers: {
        authorization: `Bearer ${g.token}`,
        "mcp-protocol-version": "2025-11-25",
        "mcp-session-id": id,
      },
    });
    // The DELETE is taken (its id kept as ended) while the session is still being opened.
    await until("the DELETE taken", () => existsSync(files.sessionsEnded));
    writeFileSync(go, "");
    await until("the session opened again", () => /opened again from its id/.test(again.log()));
    expect((await deleted).status).toBe(200);
    expect(again.sessions().map((s) => s.id)).not.toContain(id);
    await until("its process gone", () => !alive(pid));
    expect((await again.status()).shares[0]?.children).toEqual([]);
    // Its call in flight is answered, not left waiting: its session ended under it, or — sent before
    // the DELETE, it raced it — the process opened again answered it first (count 1 in a new process).
    expect(await call).toMatch(/^(?:.*Session closed.*|1)$/);
  }, 60_000);

  test("a session its client ended (DELETE) is not opened again", async () => {
    const g = await gatewayBridge({ servers: {} });
    const a = await v2Client(g.url, g.token, "legacy");
    const transport = a.transport as StreamableHTTPClientTransport;
    const id = transport.sessionId!;
    await transport.terminateSession();
    const r = await fetch(g.url, {
      method: "POST",
      headers: {
        authorization: `Bearer ${g.token}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-protocol-version": "2025-11-25",
        "mcp-session-id": id,
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(r.status).toBe(404);
  }, 30_000);
});
