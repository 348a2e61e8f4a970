/**
 * Slow and unauthenticated clients cannot hold the bridge's sockets: a refusal closes the
 * connection even while the client keeps its body open; headers and bodies have timeouts; a
 * connection cap sheds sockets that never presented the token first, so a client with the token
 * always gets in; and one credential's calls that never end hold its slots only, never what another
 * credential and the control routes need. Real sockets against the real bridge (the built CLI),
 * and against `listenHttp` in-process.
 */
import { writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import type { JSONRPCMessage } from "@modelcontextprotocol/client";
import { afterEach, describe, expect, test } from "vitest";
import { CHECK_INTERVAL_MS, DEFAULT_LIMITS } from "../../src/bridge-server/connection-limits.js";
import { type HttpBridge, listenHttp } from "../../src/bridge-server/http.js";
import type { HttpSessionTransport } from "../../src/bridge-server/session-transport.js";
import { TokenGuard } from "../../src/bridge-server/token-guard.js";
import { clientToken } from "../../src/core/bridge-link/client-token.js";
import { rawSession } from "../helpers/raw-session.js";
import { until } from "./gateway/gateway-helpers.js";
import { bridgeForFile, call, cleanup, httpClient, sleep, tempDir } from "./helpers.js";

afterEach(cleanup);

interface RawSocket {
  socket: net.Socket;
  received(): string;
  closed: Promise<number>;
}

/** A raw TCP client: what it received, and when the server closed it (ms after connecting). */
function rawSocket(port: number): Promise<RawSocket> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(port, "127.0.0.1");
    let data = "";
    socket.on("data", (c: Buffer) => {
      data += c.toString();
    });
    socket.on("error", () => {});
    const closed = new Promise<number>((r) => socket.once("close", () => r(Date.now() - started)));
    socket.once("connect", () => resolve({ socket, received: () => data, closed }));
    socket.once("error", reject);
  });
}

const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, sleep(ms).then(() => "still open" as const)]);

/** Headers of a POST whose body never finishes (1 MB announced, one byte sent). */
const slowPost = (port: number, auth = "") =>
  `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n${auth}Content-Length: 1000000\r\n\r\n{`;

describe("the real bridge", () => {
  /** One bridge for both: each test's sockets are closed by the end of it, as each judges. */
  const real = bridgeForFile();

  test("a 401 closes the connection even while the client keeps its body open", async () => {
    const b = real();
    const s = await rawSocket(b.port);
    s.socket.write(slowPost(b.port));
    const trickle = setInterval(() => s.socket.write(" "), 100);
    try {
      expect(await within(s.closed, 5000)).toBeLessThan(5000);
    } finally {
      clearInterval(trickle);
    }
    expect(s.received()).toMatch(/^HTTP\/1\.1 401 /);
    expect(s.received()).toMatch(/connection: close/i);
  });

  test("300 slow unauthenticated sockets are all closed, and a client with the token is served meanwhile", async () => {
    const b = real();
    const sockets = await Promise.all(Array.from({ length: 300 }, () => rawSocket(b.port)));
    for (const s of sockets) s.socket.write(slowPost(b.port));
    const client = await httpClient(b.url, b.token);
    expect((await call(client, "memory_set", { key: "k", value: 1 })).isError).toBe(false);
    const closed = await Promise.all(sockets.map((s) => within(s.closed, 10_000)));
    expect(closed.filter((c) => c === "still open")).toEqual([]);
    expect((await call(client, "memory_get", { key: "k" })).data.value).toBe(1);
  }, 60_000);
});

describe("listenHttp limits", () => {
  const servers: HttpBridge[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
  });

  async function listen(limits: Parameters<typeof listenHttp>[0]["limits"]) {
    const file = path.join(tempDir(), "token");
    writeFileSync(file, "tok\n");
    const bridge = await listenHttp({
      host: "127.0.0.1",
      port: 0,
      token: new TokenGuard(file, "tok"),
      limits,
      endpoints: [
        {
          path: "/mcp",
          serve2026: async () => new Response(null, { status: 501 }), // 2025-11-25 only here
          // A minimal MCP session: answers every request with an empty result.
          connect: async (transport) => {
            transport.onmessage = (m: JSONRPCMessage) => {
              if ("id" in m && "method" in m)
                transport.deliver({ jsonrpc: "2.0", id: m.id, result: {} } as JSONRPCMessage);
            };
            return { close: async () => {} };
          },
        },
      ],
    });
    servers.push(bridge);
    return bridge;
  }

  const initialize = (port: number) =>
    fetch(`http://127.0.0.1:${port}/mcp`, {
      method: "POST",
      headers: {
        authorization: "Bearer tok",
        "content-type": "application/json",
        accept: "application/json",
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } },
      }),
    });

  test("headers that never finish: closed after the headers timeout", async () => {
    const b = await listen({ headersTimeoutMs: 300 });
    const s = await rawSocket(b.port);
    s.socket.write(`POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${b.port}\r\nX-Slow: `);
    const ms = await within(s.closed, 5000);
    expect(ms).toBeLessThan(5000);
    expect(ms as number).toBeGreaterThanOrEqual(250);
  });

  test("a connection that has sent nothing is idle, not slow: its first request past the headers timeout is answered; unused, it is closed without a word", async () => {
    const b = await listen({ headersTimeoutMs: 300, keepAliveTimeoutMs: 3000 });
    const [pooled, unused] = await Promise.all([rawSocket(b.port), rawSocket(b.port)]);
    // Node's checker runs every CHECK_INTERVAL_MS: no event says it has looked, so wait past a look.
    // Before, it answered both 408 here, and the pooled one's request below read that 408.
    await sleep(300 + CHECK_INTERVAL_MS + 500);
    const body = JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } },
    });
    pooled.socket.write(
      `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${b.port}\r\nAuthorization: Bearer tok\r\nContent-Type: application/json\r\n` +
        `Accept: application/json, text/event-stream\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    await until("the answer", () => (pooled.received().includes("\r\n\r\n") ? true : undefined));
    expect(pooled.received()).toMatch(/^HTTP\/1\.1 200 /);
    const ms = await within(unused.closed, 8000);
    expect(ms).toBeGreaterThanOrEqual(2900);
    expect(ms).toBeLessThan(8000);
    expect(unused.received()).toBe("");
    pooled.socket.destroy();
  });

  test("a body that never finishes, with the token: 408 after the request timeout", async () => {
    const b = await listen({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
    const s = await rawSocket(b.port);
    s.socket.write(slowPost(b.port, "Authorization: Bearer tok\r\n"));
    const trickle = setInterval(() => s.socket.write(" "), 100);
    try {
      expect(await within(s.closed, 5000)).toBeLessThan(5000);
    } finally {
      clearInterval(trickle);
    }
    expect(s.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  test("past the cap the oldest unauthenticated socket goes; a client with the token always gets in", async () => {
    const b = await listen({ maxConnections: 10 });
    const idle = await Promise.all(Array.from({ length: 25 }, () => rawSocket(b.port)));
    await sleep(100);
    const open = idle.filter((s) => !s.socket.destroyed && s.socket.readyState === "open");
    const results = await Promise.all(idle.map((s) => within(s.closed, 1000)));
    // The first 15 made room for the last 10.
    expect(results.filter((r) => r !== "still open")).toHaveLength(15);
    expect(results.slice(15).every((r) => r === "still open")).toBe(true);
    expect(open.length).toBeGreaterThan(0);
    // Ten idle strangers hold every slot: a client with the token still gets in.
    const res = await initialize(b.port);
    expect(res.status).toBe(200);
    expect(res.headers.get("mcp-session-id")).toBeTruthy();
  });
});

describe("connection slots per credential", () => {
  const servers: HttpBridge[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
  });

  test("600 calls that never end, of one credential over 3 sessions: it holds 128, the rest get 503 at once; /control/status and another credential's client get in meanwhile", async () => {
    const file = path.join(tempDir(), "token");
    writeFileSync(file, "tok\n");
    let held = 0;
    /** An endpoint that answers initialize and holds every other request, never answered. */
    const holding = (at: string) => ({
      path: at,
      serve2026: async () => new Response(null, { status: 501 }), // 2025-11-25 only here
      connect: async (transport: HttpSessionTransport) => {
        transport.onmessage = (m: JSONRPCMessage) => {
          if (!("method" in m) || !("id" in m)) return;
          if (m.method !== "initialize") {
            held++;
            return;
          }
          transport.deliver({
            jsonrpc: "2.0",
            id: m.id,
            result: {
              protocolVersion: "2025-11-25",
              capabilities: {},
              serverInfo: { name: "hold", version: "1" },
            },
          } as JSONRPCMessage);
        };
        return { close: async () => {} };
      },
    });
    const bridge = await listenHttp({
      host: "127.0.0.1",
      port: 0,
      token: new TokenGuard(file, "tok"),
      endpoints: [holding("/mcp"), holding("/share/other")],
      control: {
        status: () => ({ ok: true }),
        reload: async () => ({}),
        warm: async () => ({}),
        restart: async () => undefined,
      },
    });
    servers.push(bridge);
    const url = `http://127.0.0.1:${bridge.port}/mcp`;
    const sessions = await Promise.all([1, 2, 3].map(() => rawSession(url, "tok")));
    // Each call on a connection of its own, as a client waiting on 600 answers holds them.
    const requests: http.ClientRequest[] = [];
    const refused: Array<{ status: number; body: string }> = [];
    for (const session of sessions)
      for (let id = 1; id <= 200; id++) {
        const req = http.request(url, { method: "POST", agent: false, headers: session.headers }, (res) => {
          let body = "";
          res.on("data", (c: Buffer) => {
            body += c.toString();
          });
          res.on("end", () => refused.push({ status: res.statusCode ?? 0, body }));
        });
        req.on("error", () => {});
        req.end(JSON.stringify({ jsonrpc: "2.0", id, method: "ping" }));
        requests.push(req);
      }
    try {
      const slots = DEFAULT_LIMITS.slotsPerCredential;
      await until("the calls past the slots answered", () => refused.length >= 600 - slots, 30_000);
      await until("the calls in the slots held", () => held >= slots);
      expect(refused.length).toBe(600 - slots);
      expect(held).toBe(slots);
      expect(new Set(refused.map((r) => r.status))).toEqual(new Set([503]));
      expect(JSON.parse(refused[0]!.body).error).toEqual({
        code: -32000,
        message: `Service Unavailable: this credential already has ${slots} requests in flight (the most one may have); wait for answers before sending more`,
      });
      // The control routes, with the same credential, and another credential's client.
      const status = await fetch(url.replace(/\/mcp$/, "/control/status"), {
        headers: { authorization: "Bearer tok" },
      });
      expect(status.status).toBe(200);
      expect(await status.json()).toEqual({ ok: true });
      const other = clientToken("tok", "other", "test:other");
      await rawSession(url.replace(/\/mcp$/, "/share/other"), other);
    } finally {
      for (const req of requests) req.destroy();
    }
  }, 60_000);
});
