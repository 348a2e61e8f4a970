/**
 * What one bridge session may hold against a client with the token that never stops sending: past
 * each limit a JSON-RPC error or a closed stream, and the bridge's peak RSS (from /proc) stays flat.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import type { JSONRPCMessage } from "@modelcontextprotocol/client";
import { afterEach, describe, expect, test } from "vitest";
import { type HttpBridge, listenHttp } from "../../src/bridge-server/http.js";
import { type HttpSessionTransport, SESSION_LIMITS } from "../../src/bridge-server/session-transport.js";
import { TokenGuard } from "../../src/bridge-server/token-guard.js";
import { RPC } from "../../src/core/jsonrpc/codes.js";
import { rawSession } from "../helpers/raw-session.js";
import { until } from "./gateway/gateway-helpers.js";
import { cleanup, startBridge, tempDir } from "./helpers.js";

/** A session's subscriptions, as a shared server's (gateway/subscriptions.ts): the cap, and the error past it. */
const MAX_SUBSCRIPTIONS = 1000;
const TOO_MANY_SUBSCRIPTIONS = -32602;

const servers: HttpBridge[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await cleanup();
});

/** Peak resident memory of a process so far, in MB. */
const peakMb = (pid: number) =>
  Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;

describe.runIf(process.platform === "linux")("the real bridge (peak RSS from /proc: Linux)", () => {
  test("100,000 subscribes to distinct notes: past the limit each gets a JSON-RPC error; the peak RSS stays flat", async () => {
    const b = await startBridge();
    const { post } = await rawSession(b.url, b.token, { protocolVersion: "2025-06-18", client: "flood" });
    // Long names (two 240-character folders), as a hostile client would pick to hold memory.
    const folder = "f".repeat(240);
    const uri = (n: number) => `mcp-twin://notes/${folder}/${folder}/n${n}.md`;
    let id = 1;
    let kept = "";
    const subscribes = (n: number) =>
      Array.from({ length: n }, () => {
        const next = id++;
        return { jsonrpc: "2.0", id: next, method: "resources/subscribe", params: { uri: uri(next) } };
      });
    let accepted = 0;
    const refusals = new Set<string>();
    /** `total` subscribes in batches of 100, two batches in flight. */
    const flood = async (total: number) => {
      let sent = 0;
      await Promise.all(
        Array.from({ length: 2 }, async () => {
          while (sent < total) {
            sent += 100;
            const { status, answers } = await post(subscribes(100));
            expect(status).toBe(200);
            for (const a of answers) {
              if (a.error) refusals.add(`${a.error.code} ${a.error.message}`);
              else accepted++;
              if (!a.error) kept = uri(a.id);
            }
          }
        }),
      );
    };
    // The first 50,000 take the bridge to its working size under this traffic (its heap grows
    // under any flood of requests, subscribes or not, and the less garbage each request leaves the
    // longer that takes: 20,000 were enough while the SDK's message checks left more); the next
    // 50,000 must not add to it.
    await flood(50_000);
    const working = peakMb(b.pid);
    await flood(50_000);
    const peak = peakMb(b.pid);

    expect(
      peak - working,
      `peak RSS ${working.toFixed(1)} MB after 50,000, ${peak.toFixed(1)} MB after 100,000`,
    ).toBeLessThan(32);
    expect(accepted).toBe(MAX_SUBSCRIPTIONS);
    expect([...refusals]).toEqual([
      `${TOO_MANY_SUBSCRIPTIONS} a session may be subscribed to at most ${MAX_SUBSCRIPTIONS} resources at once: unsubscribe from some first`,
    ]);

    // Room again once one goes (answered before the next is sent: a batch runs concurrently);
    // the same note again is no new subscription.
    const unsubscribe = { jsonrpc: "2.0", id: id++, method: "resources/unsubscribe", params: { uri: kept } };
    expect((await post(unsubscribe)).answers[0]!.error).toBeUndefined();
    const [next] = subscribes(1);
    expect((await post(next)).answers[0]!.error).toBeUndefined();
    expect((await post({ ...next, id: id++ })).answers[0]!.error).toBeUndefined();
    expect((await post(subscribes(1)[0])).answers[0]!.error?.code).toBe(TOO_MANY_SUBSCRIPTIONS);
  }, 180_000);

  test("a shared server that writes a line without end: past 16 MiB its request gets a JSON-RPC error, and the bridge never holds the line", async () => {
    // A stdio server that answers `endless` with 192 MiB on one line before its newline.
    const root = tempDir();
    const script = path.join(root, "endless.mjs");
    writeFileSync(
      script,
      `import { createInterface } from "node:readline";
      const out = (m) => process.stdout.write(JSON.stringify(m) + "\\n");
      const drained = () => new Promise((r) => process.stdout.once("drain", r));
      let queue = Promise.resolve();
      const answer = async (line) => {
        const m = JSON.parse(line);
        if (m.method === "initialize")
          out({ jsonrpc: "2.0", id: m.id, result: { protocolVersion: m.params.protocolVersion,
            capabilities: { tools: {} }, serverInfo: { name: "endless", version: "1" } } });
        else if (m.method === "tools/call" && m.params.name === "endless") {
          process.stdout.write(\`{"jsonrpc":"2.0","id":\${m.id},"result":{"content":[{"type":"text","text":"\`);
          const mib = "x".repeat(1024 * 1024);
          for (let i = 0; i < 192; i++) if (!process.stdout.write(mib)) await drained();
          process.stdout.write('"}]}}\\n');
        } else if (m.id !== undefined)
          out({ jsonrpc: "2.0", id: m.id, result: { content: [{ type: "text", text: "ok" }] } });
      };
      createInterface({ input: process.stdin }).on("line", (line) => {
        queue = queue.then(() => answer(line));
      });\n`,
    );
    mkdirSync(path.join(root, "mcp-twin-home"), { recursive: true });
    writeFileSync(
      path.join(root, "mcp-twin-home", "mcp-twin.jsonc"),
      JSON.stringify({ servers: { endless: { command: process.execPath, args: [script] } } }),
    );
    const b = await startBridge({ root, args: ["--share", "endless"] });
    const { post } = await rawSession(b.url.replace(/\/mcp$/, "/share/endless"), b.token, {
      protocolVersion: "2025-06-18",
      client: "flood",
    });
    const call = (id: number, name: string) =>
      post({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: {} } });
    expect((await call(1, "small")).answers[0]).toMatchObject({
      id: 1,
      result: { content: [{ text: "ok" }] },
    });
    const before = peakMb(b.pid);

    const outcome = await call(2, "endless");
    expect(outcome.answers[0]).toEqual({
      jsonrpc: "2.0",
      id: 2,
      error: {
        code: -32603,
        message: 'the shared server "endless" answered with a message larger than the 16 MiB limit',
      },
    });
    // Once the line ends, the server's next answers come through again.
    expect((await call(3, "small")).answers[0]).toMatchObject({
      id: 3,
      result: { content: [{ text: "ok" }] },
    });
    const peak = peakMb(b.pid);
    expect(
      peak - before,
      `peak RSS ${before.toFixed(1)} MB before, ${peak.toFixed(1)} MB after`,
    ).toBeLessThan(96);
    expect(b.stderr()).toContain("dropped a message larger than the 16 MiB limit");
  }, 120_000);
});

describe("in-process, real sockets", () => {
  /** A bridge whose one endpoint answers initialize and holds every other request unanswered. */
  async function holdingBridge() {
    const file = path.join(tempDir(), "token");
    writeFileSync(file, "tok\n");
    const transports: HttpSessionTransport[] = [];
    const seen = { requests: 0 };
    const bridge = await listenHttp({
      host: "127.0.0.1",
      port: 0,
      token: new TokenGuard(file, "tok"),
      endpoints: [
        {
          path: "/mcp",
          serve2026: async () => new Response(null, { status: 501 }), // 2025-11-25 only here
          connect: async (transport) => {
            transports.push(transport);
            transport.onmessage = (m: JSONRPCMessage) => {
              if ("id" in m) seen.requests++;
              if ("method" in m && m.method === "initialize" && "id" in m)
                transport.deliver({
                  jsonrpc: "2.0",
                  id: m.id,
                  result: {
                    protocolVersion: "2025-06-18",
                    capabilities: {},
                    serverInfo: { name: "hold", version: "1" },
                  },
                } as JSONRPCMessage);
            };
            return { close: async () => {} };
          },
        },
      ],
    });
    servers.push(bridge);
    return { bridge, transports, seen, url: `http://127.0.0.1:${bridge.port}/mcp` };
  }

  test(`requests in flight: past ${SESSION_LIMITS.inFlight} in one session, a POST's requests get a JSON-RPC error at once`, async () => {
    const { url, seen } = await holdingBridge();
    const { post } = await rawSession(url, "tok", { protocolVersion: "2025-06-18", client: "flood" });
    const abort = new AbortController();
    const abort2 = new AbortController();
    let id = 1;
    const pings = (n: number) =>
      Array.from({ length: n }, () => ({ jsonrpc: "2.0", id: id++, method: "ping" }));
    // 200 held (never answered); the next 100 would be 300 in flight.
    const held = [post(pings(100), abort.signal), post(pings(100), abort.signal)].map((p) =>
      p.catch(() => null),
    );
    await until("the 200 held", () => seen.requests >= 201); // initialize and the 200
    const { status, answers } = await post(pings(100));
    abort.abort();
    await Promise.all(held);
    expect(status).toBe(200);
    expect(answers).toHaveLength(100);
    expect(answers[0]).toEqual({
      jsonrpc: "2.0",
      id: 201,
      error: {
        code: RPC.serverError,
        message: `Too many requests in flight on this session (at most ${SESSION_LIMITS.inFlight}): wait for answers before sending more`,
      },
    });
    // Under the limit, requests still reach the session.
    const before = seen.requests;
    const fits = post(pings(50), abort2.signal).catch(() => null);
    await until("50 more reach the session", () => seen.requests >= before + 50);
    abort2.abort();
    await fits;
  });

  test("requests in flight count until the server answers, not until their POST's connection closes", async () => {
    const { url, seen, transports } = await holdingBridge();
    const { post } = await rawSession(url, "tok", { protocolVersion: "2025-06-18", client: "flood" });
    let id = 1;
    const pings = (n: number) =>
      Array.from({ length: n }, () => ({ jsonrpc: "2.0", id: id++, method: "ping" }));
    // 200 sent, their connections closed at once: the server still holds them all.
    const abort = new AbortController();
    const gone = [post(pings(100), abort.signal), post(pings(100), abort.signal)].map((p) =>
      p.catch(() => null),
    );
    await until("the 200 held", () => seen.requests >= 201); // initialize and the 200
    abort.abort();
    await Promise.all(gone);
    await until("the bridge saw them closed", () => transports[0]!.openStreams === 0);
    const over = await post(pings(100));
    expect(over.answers[0]).toMatchObject({
      id: 201,
      error: { code: RPC.serverError },
    });
    // Once the server answers them (to no one: their POSTs are gone), the session may send again.
    for (let answered = 1; answered <= 200; answered++)
      transports[0]!.deliver({ jsonrpc: "2.0", id: answered, result: {} } as JSONRPCMessage);
    const before = seen.requests;
    const again = new AbortController();
    const fits = post(pings(100), again.signal).catch(() => null);
    await until("100 more reach the session", () => seen.requests >= before + 100);
    again.abort();
    await fits;
  });

  test("a GET stream the client does not read is closed once its backlog passes the limit", async () => {
    const { url, transports, bridge } = await holdingBridge();
    const { headers } = await rawSession(url, "tok", { protocolVersion: "2025-06-18", client: "flood" });
    // A raw client that opens the stream and then stops reading it.
    const socket = net.connect(bridge.port, "127.0.0.1");
    await new Promise((r) => socket.once("connect", r));
    socket.on("error", () => {});
    const closed = new Promise((r) => socket.once("close", r));
    const lines = Object.entries({
      ...headers,
      accept: "text/event-stream",
      host: `127.0.0.1:${bridge.port}`,
    })
      .filter(([k]) => k !== "content-type")
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join("");
    socket.write(`GET /mcp HTTP/1.1\r\n${lines}\r\n`);
    const head = await new Promise<string>((r) => socket.once("data", (c: Buffer) => r(c.toString())));
    expect(head).toMatch(/^HTTP\/1.1 200/);
    socket.pause();
    // Server messages related to no request go to the stream: 64 KiB each, far past the limit
    // and what the kernel's socket buffers take.
    const big = "x".repeat(64 * 1024);
    for (let i = 0; i < 400; i++)
      transports[0]!.deliver({
        jsonrpc: "2.0",
        method: "notifications/message",
        params: { level: "info", data: big },
      });
    // Read again: what the bridge had written arrives, then the end of a stream it closed.
    socket.resume();
    await closed;
    // The session lives on: a new stream may be opened.
    const again = await fetch(url, { headers: { ...headers, accept: "text/event-stream" } });
    expect(again.status).toBe(200);
    await again.body?.cancel();
  });
});
