/**
 * A shared server that stops reading its stdin: what waits to be written to it stays bounded, the
 * calls past the bound are answered with an error at once, and the bridge goes on serving.
 */
import { describe, expect, test } from "vitest";
import { ChildTransport, MAX_STDIN_BACKLOG } from "../../../src/bridge-server/gateway/child-transport.js";
import { RPC } from "../../../src/core/jsonrpc/codes.js";
import { isAlive as alive } from "../../../src/core/system/process-alive.js";
import { writeHostileStdio } from "../../helpers/hostile-stdio.js";
import { tempDir } from "../helpers.js";
import { callText, closeAfterEach, gatewayBridge, scriptServer, until, v2Client } from "./gateway-helpers.js";

closeAfterEach();

const MiB = 1024 * 1024;

const NOT_READING = /stdin: the server is not reading what is sent to it/g;

describe("a shared server that does not read its stdin", () => {
  test("ChildTransport: the backlog never passes the bound; a request past it is refused, a notification dropped, logged once", async () => {
    const logged: string[] = [];
    const launch = {
      name: "deaf",
      mode: "machine" as const,
      command: process.execPath,
      // Up, never reading stdin.
      args: ["-e", "process.stdin.pause(); setInterval(() => {}, 60_000)"],
      env: {},
    };
    const t = new ChildTransport(launch as never, (line) => logged.push(line));
    await t.start();
    try {
      const args = { data: "x".repeat(MiB) };
      let refused: (Error & { code?: number }) | undefined;
      let sent = 0;
      for (let id = 1; !refused && id < 100; id++) {
        await t
          .send({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "t", arguments: args } })
          .then(() => sent++)
          .catch((error: Error & { code?: number }) => {
            refused = error;
          });
        expect(t.queuedBytes).toBeLessThanOrEqual(MAX_STDIN_BACKLOG);
      }
      // Some went to the pipe itself (64 KiB on Linux); the rest waits in the bridge, up to the bound.
      expect(sent).toBeGreaterThanOrEqual(MAX_STDIN_BACKLOG / MiB - 2);
      expect(sent).toBeLessThanOrEqual(MAX_STDIN_BACKLOG / MiB + 1);
      expect(refused?.code).toBe(RPC.serverError);
      expect(refused?.message).toMatch(/^the shared server "deaf" is not reading its requests \(32 MiB/);
      const queued = t.queuedBytes;
      // More of each: requests refused, notifications dropped, nothing more queued, one log line.
      for (let id = 200; id < 210; id++) {
        await expect(
          t.send({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "t", arguments: args } }),
        ).rejects.toMatchObject({ code: RPC.serverError });
        await t.send({
          jsonrpc: "2.0",
          method: "notifications/cancelled",
          params: { requestId: 1, reason: "x".repeat(MiB) },
        });
      }
      expect(t.queuedBytes).toBe(queued);
      expect(logged.join("\n").match(NOT_READING)).toHaveLength(1);
    } finally {
      await t.close();
    }
  }, 30_000);

  test("the real gateway: 1 MiB calls past the bound get a -32000 error at once naming the server; other requests are served", async () => {
    const { script, counted } = writeHostileStdio(tempDir());
    const g = await gatewayBridge({
      servers: {
        h: scriptServer(script, "machine", [counted]),
        other: scriptServer(script, "machine", [counted]),
      },
    });
    const client = await v2Client(g.shareUrl("h"), g.token, "legacy");
    expect(await callText(client, "stall")).toBe("stalled");

    // More than the bound holds: the first ones wait for the server (unanswered), the rest are refused.
    const calls = 48;
    const refusals: Array<{ code?: number; message: string }> = [];
    for (let i = 0; i < calls; i++)
      client
        .callTool({ name: "echo", arguments: { text: "x".repeat(MiB) } }, { timeout: 140_000 })
        .catch((error: { code?: number; message: string }) => refusals.push(error));
    const fit = MAX_STDIN_BACKLOG / MiB + 1;
    await until(`${calls - fit} refusals`, () => refusals.length >= calls - fit || undefined, 60_000);
    for (const error of refusals) {
      expect(error.code).toBe(RPC.serverError);
      expect(error.message).toContain('the shared server "h" is not reading its requests (32 MiB');
    }
    expect(refusals.length).toBeLessThanOrEqual(calls - (MAX_STDIN_BACKLOG / MiB - 2));

    // The bridge serves on: another session of the stalled server is refused at once (not left
    // waiting), another server answers, and the share's log says it once.
    const second = await v2Client(g.shareUrl("h"), g.token, "legacy");
    await expect(callText(second, "echo", { text: "x".repeat(MiB) })).rejects.toMatchObject({
      code: RPC.serverError,
    });
    const another = await v2Client(g.shareUrl("other"), g.token, "legacy");
    expect(await callText(another, "echo", { text: "after" })).toBe("echo:after");
    expect(g.serverLog("h").match(NOT_READING)).toHaveLength(1);
    // Stopped as a bridge stops (SIGTERM): it ends the stalled server, which never reads the end of
    // its stdin (the cleanup's SIGKILL would leave that server running after the test).
    const pid = (await g.status()).shares.find((s) => s.name === "h")?.children[0]?.pid;
    expect(pid).toBeGreaterThan(0);
    await g.stop();
    await until("the stalled server ended", () => !alive(pid as number) || undefined, 30_000);
  }, 150_000);
});
