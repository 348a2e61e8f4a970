/**
 * A remote server shared (a url whose headers carry a key): clients of either era reach it through
 * the gateway, which adds the key on the way out — to a 2025-11-25-only remote (sessions) and a
 * 2026-07-28-only one (requests) and an SSE-only one, each of which refuses any request without the
 * key. Progress and a cancel pass both ways; its door opens only with its own client token; the key
 * is in no answer, error, log or file of the bridge's but the secrets file.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { clientToken } from "../../../src/core/bridge-link/client-token.js";
import { startModernServer } from "../../helpers/http-2026.js";
import { type KeyedRemote, startKeyedRemote } from "../../helpers/keyed-remote.js";
import { type SseServer, startSseServer } from "../../helpers/sse-server.js";
import { forFile } from "../helpers.js";
import { callText, closeClients, type Gateway, gatewayBridge, until, v2Client } from "./gateway-helpers.js";

const KEY = "rk_live_5e3c2a1b9d8f7e6c4b3a";
const WRONG = "rk_live_0000111122223333wrong";
/** A key with characters JSON escapes: echoed, it comes back in its escaped form. */
const QUOTED = 'rk_"q\\uoted_7f3a9c1e';
const MODERN = { pin: "2026-07-28" } as const;
const keyed = { Authorization: "Bearer ${secret:REMOTE_KEY}" };

let old: KeyedRemote;
/** The same server, reached by a share that sends it the wrong key. */
let refusing: KeyedRemote;
let modern: Awaited<ReturnType<typeof startModernServer>>;
let sse: SseServer;
let quoted: KeyedRemote;
beforeAll(async () => {
  [old, refusing, modern, sse, quoted] = await Promise.all([
    startKeyedRemote(KEY),
    startKeyedRemote(KEY),
    startModernServer({ token: KEY }),
    startSseServer({ apiKey: KEY }),
    startKeyedRemote(QUOTED),
  ]);
});
afterAll(async () => {
  await Promise.all([old?.close(), refusing?.close(), modern?.close(), sse?.close(), quoted?.close()]);
});
afterEach(closeClients);

const gateway = forFile((list) =>
  gatewayBridge(
    {
      servers: {
        old: { url: old.url, headers: keyed, share: "machine" },
        // Not /mcp: a loopback /mcp is the bridge's shape.
        new: { url: modern.url.replace(/\/mcp$/, "/remote"), headers: keyed, share: "machine" },
        legacy: { url: sse.url, transport: "sse", headers: keyed, share: "machine" },
        apart: { url: old.url, headers: keyed, share: "session" },
        wrong: {
          url: refusing.url,
          headers: { Authorization: "Bearer ${secret:WRONG_KEY}" },
          share: "machine",
        },
        quoted: {
          url: quoted.url,
          headers: { Authorization: "Bearer ${secret:QUOTED_KEY}" },
          share: "machine",
        },
        gone: { url: "http://127.0.0.1:1/remote?key=${secret:REMOTE_KEY}", share: "machine" },
      },
    },
    [],
    list,
    { REMOTE_KEY: KEY, WRONG_KEY: WRONG, QUOTED_KEY: QUOTED },
  ),
);

/** The client token sync writes into a url entry of Claude Code's for `share`. */
const tokenFor = (g: Gateway, share: string) => clientToken(g.token, share, "linux:claude-code");

describe("a keyed remote through the gateway", () => {
  test("sync's warm lists each remote once (in a process apart), so a new session lists it without reaching it", async () => {
    const g = gateway();
    const warm = await g.warm();
    expect(warm.warmed.sort()).toEqual(["apart", "legacy", "new", "old", "quoted"]);
    expect((warm.failed as Array<{ name: string }>).map((f) => f.name).sort()).toEqual(["gone", "wrong"]);
    expect(JSON.stringify(warm)).not.toContain(KEY);
    const status = await g.status();
    for (const name of ["old", "new", "legacy"])
      expect(status.shares.find((s) => s.name === name)?.cached).toBe(true);
  });

  const eras = [
    ["2025-11-25", "legacy"],
    ["2026-07-28", MODERN],
  ] as const;
  for (const [remote, said] of [
    ["old", "2025:"],
    ["new", "modern:"],
  ] as const)
    for (const [era, mode] of eras)
      test(`a ${era} client lists and calls the ${remote === "old" ? "2025-11-25" : "2026-07-28"} remote; the remote got the key, the client none`, async () => {
        const g = gateway();
        const client = await v2Client(g.shareUrl(remote), tokenFor(g, remote), mode);
        const { tools } = await client.listTools();
        expect(tools.map((t) => t.name)).toContain("echo");
        const text = await callText(client, "echo", { text: "hi" });
        expect(text).toBe(`${said}hi`);
        expect(JSON.stringify({ tools, text })).not.toContain(KEY);
        // Every request that reached the remote carried its key.
        const got =
          remote === "old"
            ? old.requests.map((r) => r.credential)
            : modern.requests.map((r) => (r.headers.authorization === `Bearer ${KEY}` ? "key" : "other"));
        expect(got.length).toBeGreaterThan(0);
        expect(new Set(got)).toEqual(new Set(["key"]));
      });

  test("an SSE-only remote (the older transport) is reached the same way, its key added on every request", async () => {
    const g = gateway();
    const client = await v2Client(g.shareUrl("legacy"), tokenFor(g, "legacy"), MODERN);
    expect(await callText(client, "add", { a: 2, b: 3 })).toBe("5");
    expect(sse.sessions).toBeGreaterThan(0);
    expect(sse.refused).toBe(0);
  });

  test("shared per session: each client session has a connection (a remote session) of its own", async () => {
    const g = gateway();
    const before = old.requests.filter((r) => r.rpc === "initialize").length;
    const clients = await Promise.all(
      ["a", "b"].map((name) => v2Client(g.shareUrl("apart"), tokenFor(g, "apart"), "legacy", { name })),
    );
    for (const client of clients) expect(await callText(client, "echo", { text: "x" })).toBe("2025:x");
    const apart = (await g.status()).shares.find((s) => s.name === "apart");
    expect(apart?.children.filter((c) => c.key.startsWith("session:"))).toHaveLength(2);
    expect(old.requests.filter((r) => r.rpc === "initialize").length - before).toBeGreaterThanOrEqual(2);
  });

  test("a key the remote echoes in an answer reaches no client", async () => {
    const g = gateway();
    const client = await v2Client(g.shareUrl("old"), tokenFor(g, "old"), "legacy");
    const said = await callText(client, "leak");
    expect(said).toBe("you sent Bearer ********");
    // A key JSON escapes is caught in its escaped form too.
    const other = await v2Client(g.shareUrl("quoted"), tokenFor(g, "quoted"), "legacy");
    expect(await callText(other, "leak")).toBe("you sent Bearer ********");
  });

  test("progress comes back and a cancel reaches the remote, in either era", async () => {
    const g = gateway();
    for (const [remote, events] of [
      ["old", old.events],
      ["new", modern.events],
    ] as const)
      for (const [, mode] of eras) {
        const client = await v2Client(g.shareUrl(remote), tokenFor(g, remote), mode);
        let progress = 0;
        const done = await client.callTool(
          { name: "slow", arguments: { ms: 150 } },
          { onprogress: () => void progress++ },
        );
        expect(JSON.stringify(done)).toContain("slept 150");
        expect(progress).toBeGreaterThan(0);
        const stop = new AbortController();
        const before = events.length;
        const cancelled = client.callTool(
          { name: "slow", arguments: { ms: 20_000 } },
          { signal: stop.signal, onprogress: () => stop.abort("enough") },
        );
        await expect(cancelled).rejects.toThrow();
        await until(`${remote} told of the cancel`, () => events.length > before);
        expect(events.at(-1)).toBe("cancelled slow");
      }
  });

  test("a 2026-07-28 remote's list change (sent on the gateway's listen) reaches a client of either era", async () => {
    const g = gateway();
    const legacy = await v2Client(g.shareUrl("new"), tokenFor(g, "new"), "legacy", { name: "l" });
    const current = await v2Client(g.shareUrl("new"), tokenFor(g, "new"), MODERN, { name: "m" });
    const heard = new Set<string>();
    legacy.setNotificationHandler("notifications/tools/list_changed", async () => void heard.add("legacy"));
    current.setNotificationHandler("notifications/tools/list_changed", async () => void heard.add("modern"));
    const listening = await current.listen({ toolsListChanged: true });
    // The gateway's own listen at the remote was acknowledged under its id (its tools say listChanged).
    await until(
      "the gateway listens at the remote",
      () => modern.requests.some((r) => r.rpc === "subscriptions/listen") || undefined,
    );
    expect(await callText(legacy, "bump")).toMatch(/^bumped \d+$/);
    await until("both sessions heard", () => (heard.size === 2 ? true : undefined), 10_000);
    expect((await legacy.listTools()).tools.map((t) => t.name)).toContain("extra1");
    await listening.close();
  });

  test("its door opens only with its own client token", async () => {
    const g = gateway();
    const post = async (authorization?: string) => {
      const res = await fetch(g.shareUrl("old"), {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          ...(authorization ? { authorization } : {}),
        },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "initialize",
          params: {
            protocolVersion: "2025-11-25",
            capabilities: {},
            clientInfo: { name: "p", version: "1" },
          },
        }),
      });
      await res.text();
      return res.status;
    };
    expect(await post()).toBe(401);
    // The remote's own key is no credential of the gateway's, nor another share's token.
    expect(await post(`Bearer ${KEY}`)).toBe(401);
    expect(await post(`Bearer ${tokenFor(g, "new")}`)).toBe(401);
    expect(await post(`Bearer ${tokenFor(g, "old")}`)).toBe(200);
  });

  test("a remote that refuses the key, or cannot be reached, is said truly, the key in no word of it", async () => {
    const g = gateway();
    // The SDK's client quotes the answer's JSON in its error: its quotes read back.
    const said = (error: Error) => error.message.replace(/\\"/g, '"');
    const refused = await v2Client(g.shareUrl("wrong"), tokenFor(g, "wrong"), "legacy").then(() => "", said);
    expect(refused).toContain(
      'the remote server "wrong" refuses the credentials its headers carry (HTTP 401)',
    );
    expect(refused).toContain("`mcp-twin secret set WRONG_KEY`");
    // It was sent the key its headers give, and nothing without one.
    expect(new Set(refusing.requests.map((r) => r.credential))).toEqual(new Set(["another"]));
    const unreachable = await v2Client(g.shareUrl("gone"), tokenFor(g, "gone"), "legacy").then(
      () => "",
      said,
    );
    expect(unreachable).toMatch(/unreachable: nothing answers there \(connection refused\)/);
    // Its url is named, its key masked.
    expect(unreachable).toContain("http://127.0.0.1:1/remote?key=********");
    for (const said of [refused, unreachable]) {
      expect(said).not.toContain(KEY);
      expect(said).not.toContain(WRONG);
    }
  });

  test("the key is in no log or file of the bridge's, nor in what it printed", async () => {
    const g = gateway();
    await until("gone's log", () => /connection refused/.test(g.serverLog("gone")) || undefined);
    // After the calls above (a file's tests run in order): the logs and caches they left.
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => {
        const p = path.join(dir, f);
        return statSync(p).isDirectory() ? files(p) : [p];
      });
    const home = path.join(g.root, "mcp-twin-home");
    const written = [...files(g.dir), ...files(home).filter((f) => path.basename(f) !== "secrets.json")];
    expect(written.length).toBeGreaterThan(2);
    for (const file of written) {
      const text = readFileSync(file, "utf8");
      for (const key of [KEY, QUOTED, JSON.stringify(QUOTED).slice(1, -1)])
        expect(text, file).not.toContain(key);
    }
    expect(g.stderr()).not.toContain(KEY);
    expect(g.stderr() + g.serverLog("wrong") + g.serverLog("gone")).not.toContain(WRONG);
    // What its log says of the remote it could not reach: there, the key masked (written a moment later).
    const log = await until("gone's log", () =>
      /connection refused/.test(g.serverLog("gone")) ? g.serverLog("gone") : undefined,
    );
    expect(log).toContain("?key=********");
    expect(log).not.toContain(KEY);
  });
});
