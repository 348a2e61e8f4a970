/**
 * Bounds the gateway keeps against a shared server that misbehaves, with the bridge in process on a
 * clock the test moves and real server processes: the server's requests to a client are capped
 * per session and timed, in either era; a server is gone when its process exits, and what it
 * started goes with it, even out of its process group.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterEach, describe, expect, test } from "vitest";
import { ASK_TIMEOUT_MS, ASKS_PER_SESSION } from "../../../src/bridge-server/gateway/asks.js";
import { isAlive as alive } from "../../../src/core/system/process-alive.js";
import { postModern } from "../../helpers/raw-post-2026.js";
import { tempDir } from "../helpers.js";
import { callText, closeClients, until, v2Client } from "./gateway-helpers.js";
import { inProcessBridge, stopInProcess } from "./in-process-bridge.js";
import { writeScopeServer } from "./scope-server.js";

/** Processes a test's server started and the bridge may have left behind (before the change). */
const strays: number[] = [];
afterEach(async () => {
  await closeClients();
  await stopInProcess();
  for (const pid of strays.splice(0)) if (alive(pid)) process.kill(pid, "SIGKILL");
});

/** The scope server (scope-server.ts), shared in `mode` as `s`. */
function scopeServer(mode: "machine" | "session" = "machine") {
  const script = path.join(tempDir(), "scope.mjs");
  // Listed, as every tool a client calls must be (the gateway refuses a tool not on the list).
  writeScopeServer(script, ["alpha", "ask", "asked", "orphan", "detach"]);
  return { s: { command: process.execPath, args: [script], share: mode } };
}

interface Asked {
  asked: number;
  settled: string[];
}

const CAPPED = `error: elicitation/create: the client has ${ASKS_PER_SESSION} requests of shared servers unanswered already (the most a session holds); ask again once it answers one`;
const TIMED_OUT = `error: elicitation/create: the client did not answer within ${ASK_TIMEOUT_MS / 1000} s`;

describe("a shared server's requests to a client: capped per session, timed", () => {
  test("2025-11-25: a call asking 100 elicitations of a client that never answers — 84 refused at once, 16 given up after the timeout and the client told, through either route", async () => {
    const b = await inProcessBridge(scopeServer());
    let cancelled = 0;
    const client = new Client(
      { name: "never-answers", version: "1" },
      { versionNegotiation: { mode: "legacy" }, capabilities: { elicitation: { form: {} } } },
    );
    client.setRequestHandler(
      "elicitation/create",
      (_request, ctx) =>
        new Promise((_resolve, reject) =>
          ctx.mcpReq.signal.addEventListener("abort", () => {
            cancelled++;
            reject(new Error("cancelled"));
          }),
        ),
    );
    await client.connect(
      new StreamableHTTPClientTransport(new URL(b.shareUrl("s")), {
        requestInit: { headers: { Authorization: `Bearer ${b.token}` } },
      }),
    );
    const asked = async () => JSON.parse(await callText(client, "asked")) as Asked;
    // First while the process starts with the call (the SDK's server answers it), then while it
    // runs (the fast lane): the asks are bounded in one place for both.
    for (const round of [1, 2]) {
      const call = callText(client, "ask", { n: 100 });
      const early = await until(`round ${round}: the refusals`, async () => {
        const a = await asked();
        return a.asked === 100 && a.settled.length >= 100 - ASKS_PER_SESSION ? a : undefined;
      });
      expect(early.settled, `round ${round}`).toEqual(Array(100 - ASKS_PER_SESSION).fill(CAPPED));
      expect(cancelled).toBe((round - 1) * ASKS_PER_SESSION);
      b.clock.advance(ASK_TIMEOUT_MS - 1);
      expect((await asked()).settled).toHaveLength(100 - ASKS_PER_SESSION);
      b.clock.advance(1);
      const all = JSON.parse(await call) as Asked;
      expect(all.settled.slice(100 - ASKS_PER_SESSION)).toEqual(Array(ASKS_PER_SESSION).fill(TIMED_OUT));
      await until(`round ${round}: the client told`, () => cancelled === round * ASKS_PER_SESSION);
    }
    await client.close();
  }, 60_000);

  test("2026-07-28: a call asking 100 elicitations is parked on the first; the other 99 are refused at once, the first given up after the timeout", async () => {
    const b = await inProcessBridge(scopeServer());
    const url = b.shareUrl("s");
    let id = 1;
    const post = async (tool: string, args: unknown, extra: Record<string, unknown> = {}) => {
      const params = {
        name: tool,
        arguments: args,
        _meta: {
          "io.modelcontextprotocol/protocolVersion": "2026-07-28",
          "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" },
          "io.modelcontextprotocol/clientCapabilities": { elicitation: { form: {} } },
        },
        ...extra,
      };
      const { messages } = await postModern(
        url,
        b.token,
        "tools/call",
        JSON.stringify({ jsonrpc: "2.0", id: id++, method: "tools/call", params }),
        { "mcp-name": tool },
      );
      return messages.at(-1)?.result as Record<string, unknown> & { content?: Array<{ text: string }> };
    };
    const asked = async () => JSON.parse((await post("asked", {})).content?.[0]?.text ?? "") as Asked;
    const parked = await post("ask", { n: 100 });
    expect(parked).toMatchObject({
      resultType: "input_required",
      inputRequests: { q: { method: "elicitation/create" } },
    });
    const early = await until("the refusals", async () => {
      const a = await asked();
      return a.asked === 100 && a.settled.length >= 99 ? a : undefined;
    });
    expect(early.settled).toHaveLength(99);
    // Refused at once, each for one of three reasons: the cap, one question at a time, or (an ask
    // that came while this test's own `asked` call was in flight too) no one call to put it to.
    for (const s of early.settled)
      expect(s).toMatch(
        /asked one thing at a time|requests of shared servers unanswered already|only during that client's own call/,
      );
    b.clock.advance(ASK_TIMEOUT_MS - 1);
    expect((await asked()).settled).toHaveLength(99);
    b.clock.advance(1);
    await until("the timeout", async () => ((await asked()).settled.length === 100 ? true : undefined));
    expect((await asked()).settled[99]).toBe(TIMED_OUT);
    // The client answering late resumes the call: the server's own answer, now that it has one.
    const done = await post(
      "ask",
      { n: 100 },
      {
        requestState: parked.requestState,
        inputResponses: { q: { action: "accept", content: {} } },
      },
    );
    expect(JSON.parse(done.content?.[0]?.text ?? "").settled).toHaveLength(100);
  }, 60_000);
});

describe("a shared server is gone when its process exits, and what it started goes with it", () => {
  test("a server exiting during a call, its child holding its stdout: the call is answered at once, in either era; the child ends; the next call starts a new process", async () => {
    const b = await inProcessBridge(scopeServer());
    const clients = [
      await v2Client(b.shareUrl("s"), b.token, "legacy"),
      await v2Client(b.shareUrl("s"), b.token, { pin: "2026-07-28" }),
    ];
    for (const client of clients) {
      const before = JSON.parse(await callText(client, "where")).pid as number;
      const pidFile = path.join(tempDir(), "orphan.pid");
      const outcome = await client.callTool({ name: "orphan", arguments: { pidFile } }).then(
        (r) => JSON.stringify(r),
        (e: Error) => e.message,
      );
      expect(outcome).toMatch(/"s" exited during the call; it starts again on the next one/);
      const orphan = Number(readFileSync(pidFile, "utf8"));
      strays.push(orphan);
      await until("the child holding its stdout ended", () => !alive(orphan));
      // Past the backoff a death soon after a start earns.
      b.clock.advance(10_000);
      const after = JSON.parse(await callText(client, "where")).pid as number;
      expect(after).not.toBe(before);
    }
  }, 60_000);

  test("a grandchild that left the server's process group (setsid) ends with it: at `bridge restart <server>` and at the bridge's stop", async () => {
    const b = await inProcessBridge(scopeServer());
    const client = await v2Client(b.shareUrl("s"), b.token, "legacy");
    const detached = async () => {
      const pid = JSON.parse(await callText(client, "detach")).pid as number;
      strays.push(pid);
      expect(alive(pid)).toBe(true);
      return pid;
    };
    const first = await detached();
    expect(await b.control("restart/s", "POST")).toMatchObject({ stopped: 1 });
    await until("the grandchild ended by the restart", () => !alive(first));
    const second = await detached();
    await client.close();
    await b.stop();
    await until("the grandchild ended by the stop", () => !alive(second));
  }, 60_000);
});
