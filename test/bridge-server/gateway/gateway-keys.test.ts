/**
 * Whose a shared server's sessions and answers are, with real bridges and processes: a session's
 * keys only its credential's, answers kept per folder and per session, keys forgotten, ends heard.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterEach, describe, expect, test } from "vitest";
import { clientToken } from "../../../src/core/bridge-link/client-token.js";
import { isAlive as alive } from "../../../src/core/system/process-alive.js";
import { onJsonLines } from "../../helpers/json-lines.js";
import { rawModernPost } from "../../helpers/raw-post-2026.js";
import { rawSession } from "../../helpers/raw-session.js";
import { BIN, bridgeEnv, forFile, stdioClient, tempDir } from "../helpers.js";
import {
  callText,
  closeClients,
  eraFixtures,
  type Gateway,
  gatewayBridge,
  scriptServer,
  until,
  v1Client,
  v2Client,
} from "./gateway-helpers.js";
import { inProcessBridge, stopInProcess } from "./in-process-bridge.js";
import { writeScopeServer } from "./scope-server.js";

afterEach(async () => {
  await closeClients();
  await stopInProcess();
});

/** A scope server (scope-server.ts) written to a new folder, with these tools. */
function scopeScript(tools: string[] = ["alpha"]): string {
  const file = path.join(tempDir(), "scope-server.mjs");
  writeScopeServer(file, tools);
  return file;
}

/** A raw 2025-11-25 request on a session (as any client could send it): its status and text. */
async function legacyPost(
  url: string,
  token: string,
  sessionId: string,
  method: "POST" | "GET" | "DELETE",
  body?: unknown,
): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      accept: method === "GET" ? "text/event-stream" : "application/json, text/event-stream",
      "mcp-session-id": sessionId,
      "mcp-protocol-version": "2025-11-25",
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  // A GET stream that opened would never end: its status is the answer.
  if (method === "GET") {
    void response.body?.cancel();
    return { status: response.status, text: "" };
  }
  return { status: response.status, text: await response.text() };
}

/**
 * A gateway sharing a scope server per session, for the two tests of another credential that
 * reaches no session (on /mcp, and under one Mcp-Twin-Session value): each makes sessions and keys
 * of its own and judges no count, so they share it.
 */
const sessionShared = forFile(async (list) => {
  const file = path.join(tempDir(list), "scope-server.mjs");
  writeScopeServer(file, ["alpha"]);
  return gatewayBridge({ servers: { s: scriptServer(file, "session") } }, [], list);
});

const sessionIdOf = (client: { transport?: unknown }) =>
  (client.transport as StreamableHTTPClientTransport).sessionId as string;

/** The text of a raw 2026-07-28 tools/call's answer. */
const modernText = (answer: { body: Record<string, unknown> }) =>
  ((answer.body.result as { content?: Array<{ text?: string }> } | undefined)?.content ?? [])
    .map((c) => c.text)
    .join("");

describe("a session's keys are its credential's", () => {
  test("another credential naming a 2025-11-25 session's id reaches neither the session nor its process; status shows no id", async () => {
    const { v1 } = await eraFixtures();
    const g = await gatewayBridge({ servers: { s: scriptServer(v1.script, "session") } });
    const owner = await v2Client(g.shareUrl("s"), g.token, "legacy");
    expect(await callText(owner, "count")).toBe("1");
    const id = sessionIdOf(owner);
    expect(id).toBeTruthy();

    const other = clientToken(g.token, "s", "linux:other-client");
    const call = { jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "count", arguments: {} } };
    // As Mcp-Session-Id: as if the session did not exist (404), for every method.
    for (const method of ["POST", "GET", "DELETE"] as const) {
      const taken = await legacyPost(
        g.shareUrl("s"),
        other,
        id,
        method,
        method === "POST" ? call : undefined,
      );
      expect(taken.status, method).toBe(404);
      expect(taken.text).not.toMatch(/"text":"2"/);
    }
    // As Mcp-Twin-Session: a process of its own, not the owner's (its counter starts at 1).
    const borrowed = await rawModernPost(
      g.shareUrl("s"),
      other,
      "tools/call",
      { name: "count", arguments: {} },
      { "mcp-name": "count", "mcp-twin-session": id },
    );
    expect(modernText(borrowed)).toBe("1");
    // The owner's session and counter are untouched, under its own credential.
    expect(await callText(owner, "count")).toBe("2");
    expect((await legacyPost(g.shareUrl("s"), g.token, id, "POST", call)).text).toMatch(/"text":"3"/);
    // Status, which every token holder reads, lists no live id.
    expect(JSON.stringify(await g.status())).not.toContain(id);
  }, 60_000);

  test("the bridge's own endpoint too: another credential reaches no session there (a client token opens no /mcp)", async () => {
    const g = sessionShared();
    const owner = await v2Client(g.url, g.token, "legacy");
    const id = sessionIdOf(owner);
    const other = clientToken(g.token, "s", "linux:other-client");
    const set = {
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name: "memory_set", arguments: { key: "k", value: 1 } },
    };
    expect((await legacyPost(g.url, other, id, "POST", set)).status).toBe(401);
    expect((await legacyPost(g.url, other, id, "DELETE")).status).toBe(401);
    expect((await owner.listTools()).tools.length).toBeGreaterThan(0);
  }, 60_000);

  test("two credentials naming the same Mcp-Twin-Session never share a process", async () => {
    const g = sessionShared();
    const whereFor = async (token: string) =>
      JSON.parse(
        modernText(
          await rawModernPost(
            g.shareUrl("s"),
            token,
            "tools/call",
            { name: "where", arguments: {} },
            { "mcp-name": "where", "mcp-twin-session": "same-value" },
          ),
        ),
      ) as { pid: number };
    const a = await whereFor(g.token);
    const b = await whereFor(clientToken(g.token, "s", "linux:other-client"));
    expect(b.pid).not.toBe(a.pid);
    expect((await whereFor(g.token)).pid).toBe(a.pid);
  }, 60_000);
});

describe("cached answers are kept per folder and per session", () => {
  test("project: a session in folder B never gets folder A's instructions or resources, in either era", async () => {
    const g = await gatewayBridge({ servers: { p: scriptServer(scopeScript(), "project") } });
    const root = tempDir();
    const [a, b] = ["folder-a", "folder-b"].map((n) => path.join(root, n)) as [string, string];
    for (const dir of [a, b]) mkdirSync(dir);
    const inA = await v2Client(g.shareUrl("p"), g.token, "legacy", { headers: { "Mcp-Twin-Project": a } });
    expect(inA.getInstructions()).toBe(`Serving the folder ${a}`);
    expect((await inA.listResources()).resources.map((r) => r.name)).toEqual(["plan-folder-a.md"]);
    await callText(inA, "where"); // its lists are read once a call was answered
    await until("folder A's lists cached", async () => {
      const s = await g.status();
      return s.shares[0]?.children.some((c) => c.pid !== null) ? true : undefined;
    });
    for (const era of ["legacy", { pin: "2026-07-28" }] as const) {
      const inB = await v2Client(g.shareUrl("p"), g.token, era, { headers: { "Mcp-Twin-Project": b } });
      if (era === "legacy") expect(inB.getInstructions()).toBe(`Serving the folder ${b}`);
      expect(
        (await inB.listResources()).resources.map((r) => r.name),
        JSON.stringify(era),
      ).toEqual(["plan-folder-b.md"]);
    }
    const v1InB = await v1Client(g.shareUrl("p"), g.token, { headers: { "Mcp-Twin-Project": b } });
    expect(v1InB.getInstructions()).toBe(`Serving the folder ${b}`);
  }, 60_000);

  test("session: a tool one session's process added is listed to that session only, even by the call that started it", async () => {
    const g = await gatewayBridge({ servers: { s: scriptServer(scopeScript(), "session") } });
    const a = await v2Client(g.shareUrl("s"), g.token, "legacy");
    let heard = false;
    a.setNotificationHandler("notifications/tools/list_changed", async () => {
      heard = true;
    });
    // Its process starts with this call: its lists are read once the call is answered.
    expect(await callText(a, "grow")).toBe("grown1");
    await until("session A told its list changed", () => (heard ? true : undefined));
    await until("A's process's lists read after its first call", async () => {
      const { listed } = JSON.parse(await callText(a, "where")) as { listed: number };
      return listed >= 2 ? true : undefined;
    });
    expect((await a.listTools()).tools.map((t) => t.name)).toContain("grown1");
    // Other sessions, their processes not started: in either era, and by the SDK v1 client.
    const b = await v2Client(g.shareUrl("s"), g.token, "legacy");
    const c = await v2Client(
      g.shareUrl("s"),
      g.token,
      { pin: "2026-07-28" },
      { headers: { "Mcp-Twin-Session": "relay-c" } },
    );
    const d = await v1Client(g.shareUrl("s"), g.token);
    for (const [who, client] of [
      ["legacy", b],
      ["2026-07-28", c],
    ] as const)
      expect(
        (await client.listTools()).tools.map((t) => t.name),
        who,
      ).toEqual(["where", "grow", "alpha"]);
    expect((await d.listTools()).tools.map((t) => t.name)).toEqual(["where", "grow", "alpha"]);
    // Called anyway by C: refused by the gateway, as its list said (a tool is called once listed).
    const grown = await c.callTool({ name: "grown1", arguments: {} }).then(
      (r) => JSON.stringify(r),
      (e: Error) => e.message,
    );
    expect(grown).toMatch(/the tool "grown1" is not on s's tools list/);
  }, 60_000);
});

describe("a folder header that cannot be used", () => {
  test("sent empty: said so, with what to do (not to sync again), in either era", async () => {
    const g = await gatewayBridge({ servers: { p: scriptServer(scopeScript(), "project") } });
    const legacy = await v2Client(g.shareUrl("p"), g.token, "legacy", {
      headers: { "Mcp-Twin-Project": "" },
    }).then(
      () => "connected",
      (e: Error) => e.message,
    );
    const modern = await rawModernPost(
      g.shareUrl("p"),
      g.token,
      "tools/list",
      {},
      { "mcp-twin-project": "" },
    );
    expect(modern.status).toBe(400);
    for (const said of [legacy, String((modern.body.error as { message?: string }).message)]) {
      expect(said).toMatch(/Mcp-Twin-Project header was empty.*Start the client from the project's folder/);
      expect(said).not.toMatch(/run it again|must send/);
    }
  }, 60_000);
});

describe("keys are forgotten", () => {
  test("600 session and 60 project keys that only listed are bounded while held and gone after the idle time", async () => {
    const script = scopeScript();
    const g = await inProcessBridge({
      s: scriptServer(script, "session"),
      p: scriptServer(script, "project"),
    });
    // The session server's lists are cached (sync does this): a new session lists without a start.
    const warm = await g.control("warm", "POST");
    expect((warm as { warmed: string[] }).warmed).toContain("s");
    const list = (name: string, headers: Record<string, string>) =>
      rawModernPost(g.shareUrl(name), g.token, "tools/list", {}, headers);
    let most = 0;
    const held = async (name: string) =>
      (await g.status()).shares.find((s) => s.name === name)?.children.length ?? 0;
    for (let i = 0; i < 600; i += 50) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, j) => list("s", { "mcp-twin-session": `key-${i + j}` })),
      );
      expect(answers.every((a) => a.status === 200)).toBe(true);
      most = Math.max(most, await held("s"));
    }
    const root = tempDir();
    for (let i = 0; i < 60; i++) {
      const folder = path.join(root, `f${i}`);
      mkdirSync(folder);
      expect((await list("p", { "mcp-twin-project": folder })).status).toBe(200);
    }
    expect(most).toBeLessThanOrEqual(256);
    // Nothing names them again: each is forgotten after the idle time (the default 10 minutes, and
    // a sweep), as an idle process stops.
    expect((await held("s")) + (await held("p"))).toBeGreaterThan(0);
    await g.pass(10 * 60_000 + 15_000);
    await until(
      "every key forgotten",
      async () => ((await held("s")) === 0 && (await held("p")) === 0 ? true : undefined),
      30_000,
    );
  }, 120_000);
});

describe("a shared server full of sessions in use", () => {
  test("the 257th session is refused as a cap is (503, -32000, Retry-After) in either era, and admitted once one ends", async () => {
    const g = await inProcessBridge({ s: scriptServer(scopeScript(), "session") });
    // Cached lists (sync does this): a new session attaches without a start.
    await g.control("warm", "POST");
    const url = g.shareUrl("s");
    const held = [];
    // Three clients, each its own token: one holds at most 100 sessions (the table's cap) and half
    // of a server's (key-room.ts).
    const tokens = [0, 1, 2].map((c) => clientToken(g.token, "s", `linux:c${c}`));
    for (let i = 0; i < 256; i += 64)
      held.push(
        ...(await Promise.all(
          Array.from({ length: 64 }, (_, j) => rawSession(url, tokens[j % 3]!, { client: `c${j % 3}` })),
        )),
      );
    // None of them is idle enough to be forgotten: each has its session attached.
    const children = (await g.status()).shares[0]?.children ?? [];
    expect(children.filter((c) => c.sessions === 1)).toHaveLength(256);
    const base = {
      authorization: `Bearer ${g.token}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    };
    const initialize = {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "late", version: "1" } },
    };
    const modern = {
      jsonrpc: "2.0",
      id: 2,
      method: "tools/list",
      params: { _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28" } },
    };
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(url, { method: "POST", headers: { ...base, ...headers }, body: JSON.stringify(body) });
    const said =
      "Service Unavailable: this server already holds 256 sessions, each of them in use: try again once one is not (no call in flight, no session on it)";
    for (const [era, answer] of [
      ["2025-11-25", await post(initialize)],
      [
        "2026-07-28",
        await post(modern, {
          "mcp-protocol-version": "2026-07-28",
          "mcp-method": "tools/list",
          "mcp-twin-session": "one-more",
        }),
      ],
    ] as const) {
      expect([answer.status, answer.headers.get("retry-after")], era).toEqual([503, "1"]);
      expect(((await answer.json()) as { error: unknown }).error, era).toEqual({
        code: -32000,
        message: said,
      });
    }
    // One ends: the next is admitted, as the refusal said.
    await fetch(url, { method: "DELETE", headers: held[0]!.headers });
    await until(
      "a session admitted",
      async () => ((await post(initialize)).status === 200 ? true : undefined),
      5000,
    );
  }, 60_000);
});

/** `mcp-twin connect <share>` (the built binary) with this era's SDK client on its stdin. */
async function relayed(g: Gateway, era: "legacy" | { pin: string }) {
  const { client } = await stdioClient(
    ["connect", g.shareUrl("s"), "--token-file", path.join(g.dir, "token"), "--no-start"],
    bridgeEnv(tempDir()),
    "relayed",
    era,
  );
  return client;
}

describe("a relay's exit ends its session", () => {
  test("in both eras: the session's process stops at once, not at the idle stop", {
    timeout: 60_000,
  }, async () => {
    const g = await gatewayBridge({ servers: { s: scriptServer(scopeScript(), "session") } });
    for (const era of [{ pin: "2026-07-28" }, "legacy"] as const) {
      const client = await relayed(g, era);
      expect(client.getProtocolEra(), JSON.stringify(era)).toBe(era === "legacy" ? "legacy" : "modern");
      const { pid } = JSON.parse(await callText(client, "where")) as { pid: number };
      expect(alive(pid)).toBe(true);
      await client.close();
      await until(`${JSON.stringify(era)}: its process gone`, () => (alive(pid) ? undefined : true), 5000);
      // The SDK's probe of the era ran a relay of its own (its server/discover started a process),
      // ended with SIGTERM and, 1 s later if still there, SIGKILL: its DELETE ended that key too.
      await until(`${JSON.stringify(era)}: nothing held`, async () =>
        (await g.status()).shares[0]?.children.length === 0 ? true : undefined,
      );
    }
  });

  test("SIGTERM, as clients stop their servers, ends a 2026-07-28 relay's session too", async () => {
    const g = await gatewayBridge({ servers: { s: scriptServer(scopeScript(), "session") } });
    const relay = spawn(
      process.execPath,
      [BIN, "connect", g.shareUrl("s"), "--token-file", path.join(g.dir, "token"), "--no-start"],
      { env: bridgeEnv(tempDir()), stdio: ["pipe", "pipe", "ignore"] },
    );
    const exited = new Promise((resolve) => relay.once("exit", resolve));
    const answered = new Promise<Record<string, unknown>>((resolve) => onJsonLines(relay.stdout, resolve));
    const envelope = {
      "io.modelcontextprotocol/protocolVersion": "2026-07-28",
      "io.modelcontextprotocol/clientCapabilities": {},
      "io.modelcontextprotocol/clientInfo": { name: "raw-2026", version: "1" },
    };
    relay.stdin.write(
      `${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "where", arguments: {}, _meta: envelope } })}\n`,
    );
    const answer = (await answered) as { result: { content: Array<{ text: string }> } };
    const { pid } = JSON.parse(answer.result.content[0]!.text) as { pid: number };
    relay.kill("SIGTERM"); // its stdin still open: the client did not say goodbye
    await exited;
    await until("its process gone", () => (alive(pid) ? undefined : true), 5000);
  }, 60_000);
});

describe("a stale cache is corrected", () => {
  test("the program changed under the same launch key: every session served the old list is told, and the cache follows", async () => {
    const script = scopeScript(["alpha"]);
    const g = await gatewayBridge({ servers: { m: scriptServer(script, "machine") } });
    expect((await g.warm()).warmed).toEqual(["m"]);
    // Answered once the lists are on disk: `tools` and the next bridge read them from the file.
    expect(existsSync(path.join(g.dir, "shares-cache.json"))).toBe(true);
    writeScopeServer(script, ["alpha", "beta"]); // a new version, installed under the same key
    const heard = new Set<string>();
    const legacy = await v2Client(g.shareUrl("m"), g.token, "legacy");
    legacy.setNotificationHandler("notifications/tools/list_changed", async () => void heard.add("legacy"));
    const modern = await v2Client(g.shareUrl("m"), g.token, { pin: "2026-07-28" });
    modern.setNotificationHandler("notifications/tools/list_changed", async () => void heard.add("modern"));
    const listening = await modern.listen({ toolsListChanged: true });
    // Both were served the cached (old) list: nothing runs yet.
    expect((await legacy.listTools()).tools.map((t) => t.name)).toEqual(["where", "grow", "alpha"]);
    expect((await modern.listTools()).tools.map((t) => t.name)).toEqual(["where", "grow", "alpha"]);
    expect((await g.status()).shares[0]?.children.every((c) => c.pid === null)).toBe(true);
    // The first call starts the new program, which lists otherwise.
    expect(await callText(legacy, "alpha")).toBe("alpha ok");
    await until("every session told", () => (heard.size === 2 ? true : undefined), 5000);
    expect((await legacy.listTools()).tools.map((t) => t.name)).toContain("beta");
    type CacheFile = {
      servers: Record<string, { lists: Record<string, { tools: Array<{ name: string }> }> }>;
    };
    await until("the cache file follows", () => {
      const cache = JSON.parse(readFileSync(path.join(g.dir, "shares-cache.json"), "utf8")) as CacheFile;
      return cache.servers.m?.lists["tools/list"]?.tools.some((t) => t.name === "beta") || undefined;
    });
    await listening.close();
  }, 60_000);
});
