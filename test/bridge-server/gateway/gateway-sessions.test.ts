/**
 * What stays per session behind the gateway, with real child processes: a `session` server's
 * state is never another session's, a `project` server runs once per folder, a server's question
 * reaches the session whose call caused it across eras (or is refused at once), list_changed
 * reaches every session of either era within a second, progress and cancellation stay per call.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { writeHostileStdio } from "../../helpers/hostile-stdio.js";
import { forFile, tempDir } from "../helpers.js";
import {
  bothErasGateway,
  callText,
  closeAfterEach,
  eraFixtures,
  gatewayBridge,
  scriptServer,
  until,
  v1Client,
  v2Client,
} from "./gateway-helpers.js";

closeAfterEach();

/**
 * Both eras shared per machine, for the tests of a server's questions, log lines, list_changed and
 * progress: each opens sessions of its own and judges what reaches them, never the gateway's start,
 * so they share one gateway (its `bump` only adds a tool the others do not list).
 */
const machineWide = forFile((list) => bothErasGateway("machine", {}, list));

describe("isolation", () => {
  test("session: each client session has its own process and state, in either era", async () => {
    const g = await bothErasGateway("session");
    for (const name of ["old", "new"]) {
      const a = await v2Client(g.shareUrl(name), g.token, "legacy");
      const b = await v1Client(g.shareUrl(name), g.token);
      // 2026-07-28 has no sessions: a session is named by the Mcp-Twin-Session header (the relay's).
      const c = await v2Client(
        g.shareUrl(name),
        g.token,
        { pin: "2026-07-28" },
        { headers: { "Mcp-Twin-Session": "relay-c" } },
      );
      const d = await v2Client(
        g.shareUrl(name),
        g.token,
        { pin: "2026-07-28" },
        { headers: { "Mcp-Twin-Session": "relay-d" } },
      );
      for (const client of [a, b, c, d]) {
        expect(await callText(client, "count"), name).toBe("1");
        expect(await callText(client, "count"), name).toBe("2");
      }
      const pids = await Promise.all(
        [a, b, c, d].map(async (x) => JSON.parse(await callText(x, "whoami")).pid),
      );
      expect(new Set(pids).size, `${name}: four sessions, four processes`).toBe(4);
      // The same session key again is the same process.
      const c2 = await v2Client(
        g.shareUrl(name),
        g.token,
        { pin: "2026-07-28" },
        { headers: { "Mcp-Twin-Session": "relay-c" } },
      );
      expect(await callText(c2, "count")).toBe("3");
    }
  }, 60_000);

  test("session: a 2026-07-28 client without a session key is told why; a negotiating one falls back to 2025-11-25", async () => {
    const { v2 } = await eraFixtures();
    const g = await gatewayBridge({ servers: { s: scriptServer(v2.script, "session") } });
    // Its discover is not found (HTTP 404), so a client pinned to 2026-07-28 does not connect…
    const pinned = await v2Client(g.shareUrl("s"), g.token, { pin: "2026-07-28" }).then(
      () => "connected",
      (e: Error) => e.message,
    );
    expect(pinned).not.toBe("connected");
    // …and a 2026-07-28 request is told why.
    const raw = await fetch(g.shareUrl("s"), {
      method: "POST",
      headers: {
        authorization: `Bearer ${g.token}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-protocol-version": "2026-07-28",
        "mcp-method": "tools/list",
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/list",
        params: {
          _meta: {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {},
          },
        },
      }),
    });
    expect(raw.status).toBe(400);
    const body = (await raw.json()) as { error: { code: number; message: string } };
    expect(body.error.code).toBe(-32022);
    expect(body.error.message).toMatch(/once per client session.*Mcp-Twin-Session|mcp-twin connect/);
    const auto = await v2Client(g.shareUrl("s"), g.token, "auto");
    expect(auto.getProtocolEra()).toBe("legacy");
    expect(await callText(auto, "count")).toBe("1");
  }, 60_000);

  test("a session's process stops when its session ends", async () => {
    const { v1 } = await eraFixtures();
    const g = await gatewayBridge({ servers: { s: scriptServer(v1.script, "session") } });
    const a = await v2Client(g.shareUrl("s"), g.token, "legacy");
    const { pid } = JSON.parse(await callText(a, "whoami")) as { pid: number };
    // The session ends (DELETE), as a client ends it.
    await (
      a.transport as import("@modelcontextprotocol/client").StreamableHTTPClientTransport
    ).terminateSession();
    await a.close();
    await until("its process gone", () => {
      try {
        process.kill(pid, 0);
        return undefined;
      } catch {
        return true;
      }
    });
    expect((await g.status()).shares[0]?.children).toEqual([]);
  }, 60_000);

  test("machine and session: the process runs in the home folder, not the folder the bridge was started in", async () => {
    const { v1 } = await eraFixtures();
    // The bridge runs in this test's working folder (the repository), as a bridge started by a
    // sync or a relay runs in whatever folder that was.
    const g = await gatewayBridge({
      servers: { m: scriptServer(v1.script, "machine"), s: scriptServer(v1.script, "session") },
    });
    expect(process.cwd()).not.toBe(g.root);
    for (const name of ["m", "s"]) {
      const client = await v2Client(g.shareUrl(name), g.token, "legacy");
      const { cwd } = JSON.parse(await callText(client, "whoami")) as { cwd: string };
      expect(cwd, name).toBe(g.env.HOME);
    }
  }, 60_000);

  test("project: one process per project folder (its working folder); none named is an error naming the fix", async () => {
    const { v1 } = await eraFixtures();
    const g = await gatewayBridge({ servers: { p: scriptServer(v1.script, "project") } });
    const root = tempDir();
    const [one, two] = ["one", "two"].map((n) => path.join(root, n));
    for (const dir of [one!, two!]) mkdirSync(dir);
    const a = await v2Client(g.shareUrl("p"), g.token, "legacy", { headers: { "Mcp-Twin-Project": one! } });
    const b = await v2Client(
      g.shareUrl("p"),
      g.token,
      { pin: "2026-07-28" },
      { headers: { "Mcp-Twin-Project": `${one}/` } },
    );
    const c = await v1Client(g.shareUrl("p"), g.token, { headers: { "Mcp-Twin-Project": two! } });
    const who = async (x: { callTool: Parameters<typeof callText>[0]["callTool"] }) =>
      JSON.parse(await callText(x, "whoami")) as { pid: number; cwd: string };
    const [wa, wb, wc] = [await who(a), await who(b), await who(c)];
    expect(wa.cwd).toBe(one);
    expect(wb.pid).toBe(wa.pid);
    expect(wc.cwd).toBe(two);
    expect(wc.pid).not.toBe(wa.pid);
    expect(await callText(a, "count")).toBe("1");
    expect(await callText(b, "count")).toBe("2");
    expect(await callText(c, "count")).toBe("1");
    const none = await v2Client(g.shareUrl("p"), g.token, "legacy").then(
      () => "connected",
      (e: Error) => e.message,
    );
    expect(none).toMatch(/once per project folder.*Mcp-Twin-Project/);
  }, 60_000);
});

describe("a server's own requests", () => {
  const name = (message: string) => ({ action: "accept", content: { name: `Mo (${message})` } });

  test("elicitation crosses eras: to the session whose call caused it, in the session's era", async () => {
    const g = machineWide();
    const cases = [
      ["old", "legacy"],
      ["old", { pin: "2026-07-28" }],
      ["new", "legacy"],
      ["new", { pin: "2026-07-28" }],
    ] as const;
    for (const [server, era] of cases) {
      const client = await v2Client(g.shareUrl(server), g.token, era, { elicit: name });
      expect(await callText(client, "ask"), `${server} ← ${JSON.stringify(era)}`).toBe(
        "hello Mo (Your name?)",
      );
    }
    const old = await v1Client(g.shareUrl("old"), g.token, { elicit: name });
    expect(await callText(old, "ask")).toBe("hello Mo (Your name?)");
    const oldToNew = await v1Client(g.shareUrl("new"), g.token, { elicit: name });
    expect(await callText(oldToNew, "ask")).toBe("hello Mo (Your name?)");
  }, 60_000);

  test("a client that cannot answer is refused at once, never left waiting", async () => {
    const g = machineWide();
    for (const [server, era] of [
      ["old", "legacy"],
      ["old", { pin: "2026-07-28" }],
      ["new", "legacy"],
      ["new", { pin: "2026-07-28" }],
    ] as const) {
      const client = await v2Client(g.shareUrl(server), g.token, era);
      const started = Date.now();
      const outcome = await client.callTool({ name: "ask", arguments: {} }).then(
        (r) => JSON.stringify(r),
        (e: Error) => e.message,
      );
      expect(Date.now() - started, `${server} ← ${JSON.stringify(era)}`).toBeLessThan(5000);
      expect(outcome, `${server} ← ${JSON.stringify(era)}`).toMatch(/elicitation|declined|capabilit/i);
      expect(outcome).not.toMatch(/hello/);
    }
  }, 60_000);
});

describe("log lines", () => {
  test("a 2025-11-25 session's logging/setLevel: its call's log lines below the level are not sent, those at or above are, from a server of either era", async () => {
    const g = machineWide();
    for (const name of ["old", "new"]) {
      const client = await v2Client(g.shareUrl(name), g.token, "legacy");
      const heard: string[] = [];
      client.setNotificationHandler("notifications/message", (n) => {
        heard.push(`${n.params.level}:${String(n.params.data)}`);
      });
      await client.setLoggingLevel("warning");
      expect(await callText(client, "log", { level: "info", text: "quiet" })).toBe("logged");
      expect(await callText(client, "log", { level: "error", text: "loud" })).toBe("logged");
      // The lines of one session's calls come in order: "quiet" would have come before "loud".
      await until(`${name}'s error line`, () => heard.includes("error:loud") || undefined);
      expect(heard, name).toEqual(["error:loud"]);
    }
  }, 60_000);
});

describe("what reaches every session", () => {
  test("list_changed reaches every session of either era within a second; the cache follows", async () => {
    const g = machineWide();
    for (const name of ["old", "new"]) {
      const heard = new Map<string, number>();
      const sessions = {
        legacy: await v2Client(g.shareUrl(name), g.token, "legacy"),
        modern: await v2Client(g.shareUrl(name), g.token, { pin: "2026-07-28" }),
        v1: await v1Client(g.shareUrl(name), g.token),
      };
      sessions.legacy.setNotificationHandler("notifications/tools/list_changed", async () => {
        heard.set("legacy", Date.now());
      });
      sessions.modern.setNotificationHandler("notifications/tools/list_changed", async () => {
        heard.set("modern", Date.now());
      });
      const { ToolListChangedNotificationSchema } = await import("@modelcontextprotocol/sdk/types.js");
      sessions.v1.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
        heard.set("v1", Date.now());
      });
      const listening = await sessions.modern.listen({ toolsListChanged: true });
      await callText(sessions.legacy, "whoami"); // the 2025-11-25 sessions' GET streams are open by now
      expect(await callText(sessions.legacy, "bump")).toMatch(/bumped/);
      await until(`${name}: every session heard`, () => (heard.size === 3 ? true : undefined), 10_000);
      expect((await sessions.modern.listTools()).tools.map((t) => t.name)).toContain("extra1");
      await listening.close();
    }
  }, 60_000);

  test("a thousand updates of one resource written at once reach each subscriber of either era merged", async () => {
    const { script, counted } = writeHostileStdio(tempDir());
    const g = await gatewayBridge({ servers: { h: scriptServer(script, "machine", [counted]) } });
    const legacy = await v2Client(g.shareUrl("h"), g.token, "legacy");
    const modern = await v2Client(g.shareUrl("h"), g.token, { pin: "2026-07-28" });
    const heard = { legacy: [] as string[], modern: [] as string[] };
    for (const [who, client] of [
      ["legacy", legacy],
      ["modern", modern],
    ] as const)
      client.setNotificationHandler("notifications/resources/updated", async (n) => {
        heard[who].push(n.params.uri);
      });
    const uris = ["x://one", "x://end"];
    for (const uri of uris) await legacy.subscribeResource({ uri });
    const listening = await modern.listen({ resourceSubscriptions: uris });
    const updates = async (uri: string, n: number) => {
      rmSync(`${counted}.updates`, { force: true });
      expect(await callText(legacy, "updates", { uri, n })).toBe("updates");
      await until("the updates written", () => existsSync(`${counted}.updates`) || undefined);
    };
    // Written until both hear one (the 2025-11-25 client's GET stream opens on its SDK's own time).
    await until(
      "both streams open",
      async () => {
        await updates("x://end", 1);
        return (heard.legacy.length > 0 && heard.modern.length > 0) || undefined;
      },
      30_000,
    );
    heard.legacy = [];
    heard.modern = [];
    await updates("x://one", 1000);
    // Each stream is in order: once the marker is heard, every update before it was.
    await updates("x://end", 1);
    await until("the marker heard by both", () =>
      heard.legacy.includes("x://end") && heard.modern.includes("x://end") ? true : undefined,
    );
    for (const who of ["legacy", "modern"] as const) {
      const ones = heard[who].filter((u) => u === "x://one").length;
      // Before the merge each heard all 1,000.
      expect(ones, who).toBeGreaterThan(0);
      expect(ones, who).toBeLessThan(10);
    }
    await listening.close();
  }, 60_000);

  test("subscriptions: the server is asked only what changed; a session holds at most 1,000, a listen names at most 1,000", async () => {
    const { script, counted } = writeHostileStdio(tempDir());
    const g = await gatewayBridge({ servers: { h: scriptServer(script, "machine", [counted]) } });
    const legacy = await v2Client(g.shareUrl("h"), g.token, "legacy");
    const asked = () => JSON.parse(readFileSync(`${counted}.subs`, "utf8")) as Record<string, number>;
    for (let i = 0; i < 300; i++) await legacy.subscribeResource({ uri: `x://${i}` });
    // Before: each subscribe sent the whole set again, 300 × 301 / 2 = 45,150 requests.
    await expect.poll(asked, { timeout: 30_000 }).toEqual({ subscribe: 300 });
    await legacy.unsubscribeResource({ uri: "x://0" });
    await expect.poll(asked, { timeout: 30_000 }).toEqual({ subscribe: 300, unsubscribe: 1 });
    await legacy.subscribeResource({ uri: "x://0" });
    for (let i = 300; i < 1000; i++) await legacy.subscribeResource({ uri: `x://${i}` });
    await expect(legacy.subscribeResource({ uri: "x://1000" })).rejects.toThrow(/at most 1000 resources/);
    // One already held is no new subscription.
    await legacy.subscribeResource({ uri: "x://999" });
    const modern = await v2Client(g.shareUrl("h"), g.token, { pin: "2026-07-28" });
    const many = Array.from({ length: 1001 }, (_, i) => `y://${i}`);
    await expect(modern.listen({ resourceSubscriptions: many })).rejects.toThrow(/at most 1000 resources/);
    const listening = await modern.listen({ resourceSubscriptions: many.slice(0, 1000) });
    await listening.close();
  }, 120_000);

  test("progress reaches only its call, under the caller's own token; a cancel stops the server's work", async () => {
    const g = machineWide();
    for (const name of ["old", "new"])
      for (const era of ["legacy", { pin: "2026-07-28" }] as const) {
        const a = await v2Client(g.shareUrl(name), g.token, era);
        const b = await v2Client(g.shareUrl(name), g.token, era);
        const seen = { a: 0, b: 0 };
        await Promise.all([
          a.callTool({ name: "slow", arguments: { ms: 300 } }, { onprogress: () => void seen.a++ }),
          b.callTool({ name: "slow", arguments: { ms: 150 } }, { onprogress: () => void seen.b++ }),
        ]);
        expect(seen.a, `${name} ${JSON.stringify(era)}`).toBeGreaterThan(seen.b);
        expect(seen.b).toBeGreaterThan(0);
        const abort = new AbortController();
        const call = a
          .callTool({ name: "slow", arguments: { ms: 20_000 } }, { signal: abort.signal })
          .catch(() => "cancelled");
        await until("in flight", async () =>
          (await g.status()).shares.some((s) => s.children.some((c) => c.idleMs === 0)) ? true : undefined,
        );
        // The server says so on stderr, which goes to its own log.
        const before = (g.serverLog(name).match(/slow cancelled after/g) ?? []).length;
        abort.abort();
        expect(await call).toBe("cancelled");
        await until(`${name}: the server saw the cancel`, () =>
          (g.serverLog(name).match(/slow cancelled after/g) ?? []).length > before ? true : undefined,
        );
      }
  }, 90_000);
});
