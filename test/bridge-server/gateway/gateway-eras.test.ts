/**
 * Shared servers of either protocol era behind the gateway, reached by clients of either era at
 * once (SDK v2 negotiating and pinned to 2026-07-28, SDK v1 1.32.2), real child processes: one
 * process for every session of a `machine` server, lists from the cache while it is stopped, an
 * idle stop (the bridge in process, its clock moved), and a kill -9 mid-call answered at once.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import {
  bothErasGateway,
  callText,
  closeClients,
  eraFixtures,
  scriptServer,
  until,
  v1Client,
  v2Client,
} from "./gateway-helpers.js";
import { inProcessBridge, stopInProcess } from "./in-process-bridge.js";

/** The gateway's list cache as it writes it (list-cache.ts): each server's entry, with its lists. */
type CacheFile = { servers?: Record<string, { lists?: Record<string, unknown> }> };

afterEach(async () => {
  await closeClients();
  await stopInProcess();
});

describe("both eras, both ways", () => {
  test("clients of both eras reach a 2025-11-25 and a 2026-07-28 server at once: one process each", async () => {
    const g = await bothErasGateway();
    for (const name of ["old", "new"]) {
      const url = g.shareUrl(name);
      const [auto, pinned, legacy, sdk1] = await Promise.all([
        v2Client(url, g.token, "auto"),
        v2Client(url, g.token, { pin: "2026-07-28" }),
        v2Client(url, g.token, "legacy"),
        v1Client(url, g.token),
      ]);
      expect(auto.getProtocolEra(), name).toBe("modern");
      expect(pinned.getProtocolEra(), name).toBe("modern");
      expect(legacy.getProtocolEra(), name).toBe("legacy");
      const tag = name === "old" ? "v1" : "v2";
      for (const client of [auto, pinned, legacy, sdk1]) {
        expect(
          (await client.listTools()).tools.map((t) => t.name),
          name,
        ).toContain("count");
        expect(await callText(client, "echo", { text: "hi" }), name).toBe(`${tag}:hi`);
      }
      const pids = new Set(
        await Promise.all(
          [auto, pinned, legacy, sdk1].map(async (c) => JSON.parse(await callText(c, "whoami")).pid),
        ),
      );
      expect(pids.size, `${name}: one process for every session`).toBe(1);
      // machine: the state is the one process's, whoever calls.
      expect(await callText(legacy, "count")).toBe("1");
      expect(await callText(pinned, "count")).toBe("2");
      expect(await callText(sdk1, "count")).toBe("3");
    }
    const status = await g.status();
    expect(Object.fromEntries(status.shares.map((s) => [s.name, s.children.map((c) => c.era)]))).toEqual({
      old: ["2025-11-25"],
      new: ["2026-07-28"],
    });
  }, 60_000);

  test("a 2025-11-25 client's resource subscription and a 2026-07-28 listen both hear an update", async () => {
    const g = await bothErasGateway();
    for (const name of ["old", "new"]) {
      const legacy = await v2Client(g.shareUrl(name), g.token, "legacy");
      const modern = await v2Client(g.shareUrl(name), g.token, { pin: "2026-07-28" });
      const heard: string[] = [];
      legacy.setNotificationHandler("notifications/resources/updated", async (n) => {
        heard.push(`legacy ${n.params.uri}`);
      });
      modern.setNotificationHandler("notifications/resources/updated", async (n) => {
        heard.push(`modern ${n.params.uri}`);
      });
      await legacy.subscribeResource({ uri: "fixture://state" });
      const listening = await modern.listen({ resourceSubscriptions: ["fixture://state"] });
      // Touched until both heard: the 2025-11-25 client hears updates on its GET stream, which
      // its SDK opens on its own time after initialize (under load, after a first touch).
      await until(
        `${name}: both heard`,
        async () => {
          await callText(modern, "touch");
          return heard.some((h) => h.startsWith("legacy")) && heard.some((h) => h.startsWith("modern"))
            ? true
            : undefined;
        },
        30_000,
      );
      expect([...new Set(heard)].sort(), name).toEqual(["legacy fixture://state", "modern fixture://state"]);
      await listening.close();
    }
  }, 60_000);
});

describe("lazy, cached, reaped", () => {
  test("a stopped server's lists come from the cache: a new session of either era lists without starting it", {
    timeout: 60_000,
  }, async () => {
    const { v1, v2 } = await eraFixtures();
    const g = await inProcessBridge({
      old: scriptServer(v1.script, "machine"),
      new: scriptServer(v2.script, "machine"),
    });
    // Nothing runs before the first session: there is no cache yet, so the first list starts it.
    expect((await g.status()).shares.every((s) => s.children.length === 0 && !s.cached)).toBe(true);
    for (const name of ["old", "new"]) {
      const first = await v2Client(g.shareUrl(name), g.token, "auto");
      expect((await first.listTools()).tools.length).toBeGreaterThan(5);
      // Ended before the idle stop, so only the new sessions below touch the stopped servers.
      await first.close();
    }
    // The lists a start reads after it are read in the background: the cache must hold both
    // servers' tools before the clock moves, or the sweep ends a read in flight and a later list
    // rightly starts the server again (what made this test fail under load).
    await until("both servers' tools in the cache", async () => {
      const file = path.join(g.dir, "shares-cache.json");
      const cache = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as CacheFile) : undefined;
      const entries = Object.values(cache?.servers ?? {});
      return entries.length === 2 && entries.every((e) => e.lists?.["tools/list"]) ? true : undefined;
    });
    // Idle for the default 10 minutes and one sweep more: each stops.
    await g.pass(10 * 60_000 + 15_000);
    await until("both stopped", async () =>
      (await g.status()).shares.every((s) => s.cached && s.state === "stopped") ? true : undefined,
    );
    for (const name of ["old", "new"])
      for (const era of ["legacy", { pin: "2026-07-28" }, "auto"] as const) {
        const c = await v2Client(g.shareUrl(name), g.token, era);
        expect(
          (await c.listTools()).tools.map((t) => t.name),
          `${name} ${JSON.stringify(era)}`,
        ).toContain("slow");
      }
    const v1Session = await v1Client(g.shareUrl("old"), g.token);
    expect((await v1Session.listTools()).tools.length).toBeGreaterThan(5);
    const stopped = await g.status();
    expect(stopped.shares.map((s) => s.state)).toEqual(["stopped", "stopped"]);
    expect(stopped.shares.flatMap((s) => s.children.map((c) => c.pid))).toEqual([null, null]);
    // A call starts it.
    expect(await callText(v1Session, "echo", { text: "x" })).toBe("v1:x");
    expect((await g.status()).shares.find((s) => s.name === "old")?.state).toBe("running");
  });

  test("kill -9 of a server mid-call: the call gets a JSON-RPC error at once, the next call starts it again", async () => {
    const g = await bothErasGateway();
    for (const [name, era] of [
      ["old", "legacy"],
      ["new", { pin: "2026-07-28" }],
      ["old", { pin: "2026-07-28" }],
      ["new", "legacy"],
    ] as const) {
      const client = await v2Client(g.shareUrl(name), g.token, era);
      const { pid } = JSON.parse(await callText(client, "whoami")) as { pid: number };
      const call = client.callTool({ name: "slow", arguments: { ms: 30_000 } }).then(
        () => "answered",
        (e: Error) => e.message,
      );
      await until("the call is in flight", async () =>
        (await g.status()).shares.some((s) => s.children.some((c) => c.idleMs === 0)) ? true : undefined,
      );
      const killedAt = Date.now();
      process.kill(pid, "SIGKILL");
      const outcome = await call;
      expect(Date.now() - killedAt, `${name} ${JSON.stringify(era)}`).toBeLessThan(5000);
      expect(outcome).toMatch(new RegExp(`shared server "${name}" exited during the call`));
      const again = JSON.parse(await callText(client, "whoami")) as { pid: number };
      expect(again.pid).not.toBe(pid);
    }
    expect((await g.status()).shares.map((s) => s.restarts)).toEqual([2, 2]);
  }, 60_000);
});
