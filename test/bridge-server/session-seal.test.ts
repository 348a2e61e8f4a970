/**
 * Sealed session ids (session-seal.ts) on their own: the key file made once (0600) and reused, an id
 * opened only by its credential and its key, a large client info cut to fit. Then the bridge's HTTP
 * server in-process: what a flood of sessions leaves held once they are gone (sessions.ts).
 */
import { createCipheriv, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import v8 from "node:v8";
import vm from "node:vm";
import type { JSONRPCMessage } from "@modelcontextprotocol/server";
import { afterEach, describe, expect, inject, test } from "vitest";
import { type HttpBridge, listenHttp } from "../../src/bridge-server/http.js";
import { SessionSeal } from "../../src/bridge-server/session-seal.js";
import type { HttpSessionTransport } from "../../src/bridge-server/session-transport.js";
import { SessionTable } from "../../src/bridge-server/sessions.js";
import { TokenGuard } from "../../src/bridge-server/token-guard.js";
import { cleanup, startBridge, tempDir } from "./helpers.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const keyFile = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-seal-"));
  dirs.push(dir);
  return path.join(dir, "state", "session-key");
};
/** A seal of `file`, its ended ids beside it. */
const openSeal = (file: string, now?: () => number) =>
  SessionSeal.open(file, { ended: path.join(path.dirname(file), "sessions-ended"), now });

const session = {
  endpoint: "/share/s",
  init: {
    protocolVersion: "2025-11-25",
    clientInfo: { name: "c", version: "1" },
    capabilities: { roots: {} },
  },
  headers: { "mcp-twin-project": "/home/me/app" },
};
const as = (token: string) => ({ authorization: `Bearer ${token}` });

describe("sealed session ids", () => {
  test("the key is made once, 0600, and a second seal of the same file opens the first one's ids", async () => {
    const file = keyFile();
    const a = await openSeal(file);
    const key = readFileSync(file, "utf8");
    if (process.platform !== "win32") expect(statSync(file).mode & 0o777).toBe(0o600);
    const id = a.seal(session, as("t1"))!;
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(id).not.toContain("home");
    const b = await openSeal(file);
    expect(readFileSync(file, "utf8")).toBe(key);
    expect(b.unseal(id, as("t1"))).toEqual(session);
    // Two seals of the same session are two ids.
    expect(a.seal(session, as("t1"))).not.toBe(id);
  });

  test("another credential, another key, or one character changed: nothing opens", async () => {
    const seal = await openSeal(keyFile());
    const other = await openSeal(keyFile());
    const id = seal.seal(session, as("t1"))!;
    expect(seal.unseal(id, as("t2"))).toBeUndefined();
    expect(seal.unseal(id, {})).toBeUndefined();
    expect(other.unseal(id, as("t1"))).toBeUndefined();
    const flipped = `${id.slice(0, 20)}${id[20] === "A" ? "B" : "A"}${id.slice(21)}`;
    expect(seal.unseal(flipped, as("t1"))).toBeUndefined();
    expect(seal.unseal("not-an-id", as("t1"))).toBeUndefined();
    expect(seal.unseal(crypto.randomUUID(), as("t1"))).toBeUndefined();
  });

  test("a client info or capabilities too large for a header are cut to their bones", async () => {
    const seal = await openSeal(keyFile());
    const big = {
      ...session,
      init: {
        protocolVersion: "2025-11-25",
        clientInfo: { name: "c", version: "1", description: "x".repeat(10_000) } as {
          name: string;
          version: string;
        },
        capabilities: { experimental: { blob: "y".repeat(10_000) }, elicitation: { form: {} } },
      },
    };
    const id = seal.seal(big, as("t"))!;
    expect(id.length).toBeLessThan(4096);
    expect(seal.unseal(id, as("t"))?.init).toEqual({
      protocolVersion: "2025-11-25",
      clientInfo: { name: "c", version: "1" },
      capabilities: { experimental: {}, elicitation: {} },
    });
  });

  test("a session whose bones still do not fit (a kept header of 4,000 characters) is not sealed", async () => {
    const seal = await openSeal(keyFile());
    const long = { ...session, headers: { "mcp-twin-project": `/${"p".repeat(4000)}` } };
    expect(seal.seal(long, as("t"))).toBeUndefined();
  });

  test("a key file that is not a key stops the start, saying what to do", async () => {
    const file = keyFile();
    await openSeal(file);
    writeFileSync(file, "short\n");
    await expect(openSeal(file)).rejects.toThrow(/remove it/);
  });
});

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;
/** A full collection, after the event loop has let go of what it was finishing. */
async function collect(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setImmediate(r));
    gc();
  }
}

/**
 * A session's route as small as one can be: `initialize` first (a request before it is refused, as
 * a server refuses it: a session opened again works only once its initialize is said again), then
 * `tools/list` answered with one tool, `hi`.
 */
function answering(transport: HttpSessionTransport) {
  let initialized = false;
  transport.onmessage = (m: JSONRPCMessage) => {
    if (!("method" in m) || !("id" in m)) return;
    if (m.method === "initialize") initialized = true;
    const result =
      m.method === "initialize"
        ? {
            protocolVersion: "2025-11-25",
            capabilities: { tools: {} },
            serverInfo: { name: "s", version: "1" },
          }
        : { tools: [{ name: "hi", description: "hi", inputSchema: { type: "object" } }] };
    const error = { code: -32600, message: "Bad Request: Server not initialized" };
    transport.deliver({
      jsonrpc: "2.0",
      id: m.id,
      ...(initialized ? { result } : { error }),
    } as JSONRPCMessage);
  };
  return { close: async () => {} };
}

describe("what sessions leave held", () => {
  const bridges: HttpBridge[] = [];
  afterEach(async () => {
    for (const b of bridges.splice(0)) await b.close();
    await cleanup();
  });

  /** The real HTTP server with a sealing key and an MCP server per session; `held`: each transport's WeakRef. */
  async function bridge(file: string, held: WeakRef<object>[] = [], connectMs = 0) {
    const seal = await openSeal(file);
    const tokenFile = path.join(path.dirname(file), "token");
    writeFileSync(tokenFile, "tok\n");
    const b = await listenHttp({
      host: "127.0.0.1",
      port: 0,
      token: new TokenGuard(tokenFile, "tok"),
      seal,
      endpoints: [
        {
          path: "/mcp",
          serve2026: async () => new Response(null, { status: 501 }), // 2025-11-25 only here
          connect: async (transport) => {
            held.push(new WeakRef(transport));
            // A session slow to set up, as one of a shared server whose process is starting.
            if (connectMs > 0) await new Promise((r) => setTimeout(r, connectMs));
            return answering(transport);
          },
        },
      ],
    });
    bridges.push(b);
    return b;
  }

  const post = (b: HttpBridge, body: unknown, id?: string) =>
    fetch(`http://127.0.0.1:${b.port}/mcp`, {
      method: "POST",
      headers: {
        authorization: "Bearer tok",
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        ...(id ? { "mcp-session-id": id, "mcp-protocol-version": "2025-11-25" } : {}),
      },
      body: JSON.stringify(body),
    });
  const init = (capabilities: object = {}) => ({
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-11-25", capabilities, clientInfo: { name: "flood", version: "1" } },
  });
  const list = { jsonrpc: "2.0", id: 2, method: "tools/list" };

  test("sessions evicted by a flood of initialize (100 per client) are let go: no grace timer holds them", async () => {
    const held: WeakRef<object>[] = [];
    const b = await bridge(keyFile(), held);
    for (let i = 0; i < 300; i += 50)
      await Promise.all(
        Array.from({ length: 50 }, async () => {
          const res = await post(b, init());
          expect(res.status).toBe(200);
          await res.arrayBuffer();
        }),
      );
    expect(b.sessions()).toHaveLength(100);
    await collect();
    // The 100 open ones, and none of the 200 evicted (each held by its 50 s timer before).
    expect(held.filter((w) => w.deref() !== undefined).length).toBeLessThanOrEqual(105);
  }, 60_000);

  test("150 initialize at once from one client (100 per client), each slow to set up: every one is answered, those evicted meanwhile with why (503)", async () => {
    const b = await bridge(keyFile(), [], 2000);
    const answers = await Promise.all(
      Array.from({ length: 150 }, async () => {
        const res = await post(b, init());
        return { status: res.status, body: await res.text(), id: res.headers.get("mcp-session-id") };
      }),
    );
    // Every one is answered: past the credential's 128 requests in flight, refused at once; of those
    // let in, the ones evicted while being set up (past 100 sessions) told so — before, each was
    // answered from a server left connected to its closed session: an id that opens nothing.
    const refused = answers.filter((a) => a.status !== 200);
    for (const a of refused) {
      expect(a.status).toBe(503);
      expect(a.body).toMatch(/closed to make room|requests in flight/);
    }
    expect(refused.filter((a) => a.body.includes("closed to make room")).length).toBeGreaterThan(0);
    expect(b.sessions()).toHaveLength(100);
  }, 60_000);

  test("a real bridge's shared server: 150 initialize at once from one client, every one answered", async () => {
    const root = tempDir();
    mkdirSync(path.join(root, "mcp-twin-home"), { recursive: true });
    writeFileSync(
      path.join(root, "mcp-twin-home", "mcp-twin.jsonc"),
      JSON.stringify({
        servers: { a: { command: process.execPath, args: [inject("fixtureScript")], share: "machine" } },
      }),
    );
    const real = await startBridge({ root });
    const statuses = await Promise.all(
      Array.from({ length: 150 }, async () => {
        const res = await fetch(`http://127.0.0.1:${real.port}/share/a`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${real.token}`,
            "content-type": "application/json",
            accept: "application/json, text/event-stream",
          },
          body: JSON.stringify(init()),
        });
        await res.text();
        return res.status;
      }),
    );
    expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(100);
  }, 60_000);

  test("100,000 capability keys: the id stays under 4 KiB, and the session works, here and after a restart", async () => {
    const file = keyFile();
    const b = await bridge(file);
    const capabilities: Record<string, object> = { roots: { listChanged: true } };
    for (let i = 0; i < 100_000; i++) capabilities[`k${i}`] = {};
    const res = await post(b, init(capabilities));
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const id = res.headers.get("mcp-session-id")!;
    expect(id.length).toBeLessThan(4096);
    const tools = await post(b, list, id);
    expect(tools.status).toBe(200);
    expect(await tools.text()).toContain('"hi"');
    // A restarted bridge (same key) opens it again from the id alone.
    await b.close();
    const again = await bridge(file);
    const after = await post(again, list, id);
    expect(after.status).toBe(200);
    expect(await after.text()).toContain('"hi"');
  }, 60_000);

  test("a session its client ended stays ended across a restart (DELETE, then a new bridge: 404, never opened again)", async () => {
    const file = keyFile();
    const b = await bridge(file);
    const res = await post(b, init());
    await res.arrayBuffer();
    const id = res.headers.get("mcp-session-id") ?? "";
    const ended = await fetch(`http://127.0.0.1:${b.port}/mcp`, {
      method: "DELETE",
      headers: { authorization: "Bearer tok", "mcp-session-id": id, "mcp-protocol-version": "2025-11-25" },
    });
    expect(ended.status).toBe(200);
    // Another session, left open, is opened again by the next bridge: only the ended one stays ended.
    const open = await post(b, init());
    await open.arrayBuffer();
    const live = open.headers.get("mcp-session-id") ?? "";
    await b.close();
    const again = await bridge(file);
    expect((await post(again, list, id)).status).toBe(404);
    expect((await post(again, list, live)).status).toBe(200);
    // And a third bridge still knows (the list is on disk, not in a process).
    await again.close();
    const third = await bridge(file);
    expect((await post(third, list, id)).status).toBe(404);
  }, 60_000);

  test("the ids of ended sessions are remembered at a fixed size each, whatever their length", async () => {
    const seal = await openSeal(keyFile());
    const table = new SessionTable({ seal });
    const endpoint = {
      path: "/mcp",
      // A project folder as long as a sealed id holds: ids of about 3.5 KiB.
      sessionHeaders: ["mcp-twin-project"],
      connect: async () => ({ close: async () => {} }),
    };
    const headers = { "mcp-twin-project": `/${"p".repeat(2500)}` };
    const params = init().params;
    const open = () => table.open(endpoint, "c", headers, { init: params });
    const first = await open();
    expect(first.id.length).toBeGreaterThan(3000);
    await table.delete(first);
    await collect();
    const before = process.memoryUsage().heapUsed;
    let last = first;
    for (let i = 0; i < 4096; i++) {
      last = await open();
      await table.delete(last);
    }
    await collect();
    // 4,096 ids of 3.5 KiB would be 14 MiB; their digests are a few hundred KiB.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(4 * 1024 * 1024);
    // An id ended stays ended: it is not opened again, nor ended twice.
    expect(await table.restore(last.id, endpoint, headers)).toBeUndefined();
    expect(await table.forgotten(last.id, endpoint, headers)).toBe(false);
  }, 60_000);
});

describe("sealed ids expire, and the ended ones kept are bounded", () => {
  test("an id opens until a week after its initialize, not after; one sealed without an expiry never", async () => {
    const file = keyFile();
    let now = Date.parse("2026-11-24T10:00:00Z");
    const seal = await openSeal(file, () => now);
    const id = seal.seal(session, as("t1")) ?? "";
    now += 7 * 24 * 3600 * 1000 - 1000;
    expect(seal.unseal(id, as("t1"))).toEqual(session);
    now += 2000;
    expect(seal.unseal(id, as("t1"))).toBeUndefined();
    // A record sealed as before ids carried an expiry: refused.
    const key = Buffer.from(readFileSync(file, "utf8").trim(), "base64url");
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key, iv);
    const record = JSON.stringify({ ...session, credential: seal.credentialOf(as("t1")) });
    const body = Buffer.concat([cipher.update(record, "utf8"), cipher.final()]);
    const old = Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64url");
    expect(seal.unseal(old, as("t1"))).toBeUndefined();
  });

  test("past 4,096 ended ids the oldest goes, and every id sealed no later is taken for ended: none ever opens again, the file stays small", async () => {
    const file = keyFile();
    const ended = path.join(path.dirname(file), "sessions-ended");
    let now = Date.parse("2026-11-24T10:00:00Z");
    const seal = await SessionSeal.open(file, { ended, now: () => now });
    const early = seal.seal(session, as("t1")) ?? "";
    const ids: string[] = [];
    for (let i = 0; i < 4097; i++) {
      now += 1000;
      ids.push(seal.seal(session, as("t1")) ?? "");
    }
    now += 1000;
    const late = seal.seal(session, as("t1")) ?? "";
    for (const id of ids) seal.end(id);
    await seal.flushed();
    const after = await SessionSeal.open(file, { ended, now: () => now });
    for (const id of [ids[0], ids[1], ids[4096]]) expect(after.unseal(id ?? "", as("t1"))).toBeUndefined();
    // Sealed before the oldest ended one that was let go: taken for ended (it starts over).
    expect(after.unseal(early, as("t1"))).toBeUndefined();
    expect(after.unseal(late, as("t1"))).toEqual(session);
    expect(statSync(ended).size).toBeLessThan(4097 * 40);
    if (process.platform !== "win32") expect(statSync(ended).mode & 0o777).toBe(0o600);
  });
});

describe("a sealed session opened again after a restart", () => {
  test("while it is being opened, a request with another credential is not given it", async () => {
    const seal = await openSeal(keyFile());
    const table = new SessionTable({ seal });
    const endpoint = {
      path: "/mcp",
      // Slow to connect, as a session is when its server starts: the re-open stays in progress.
      connect: async (transport: HttpSessionTransport) => {
        await new Promise((r) => setTimeout(r, 200));
        return answering(transport);
      },
    };
    const id = seal.seal({ ...session, endpoint: "/mcp", headers: {} }, as("t1"))!;
    const opening = table.restore(id, endpoint, as("t1"));
    // Another credential, while the re-open is in progress: unknown to it, as it is once open.
    expect(await table.restore(id, endpoint, as("t2"))).toBeUndefined();
    const opened = await opening;
    expect(opened?.id).toBe(id);
    expect(table.get(id, "/mcp", seal.credentialOf(as("t2")))).toBeUndefined();
    await table.closeAll();
  }, 30_000);
});
