/**
 * The HTTP endpoint's defences, proved on the real bridge with raw requests: token (401),
 * Origin and Host allow-lists against DNS rebinding (403), body limit (413), malformed JSON and
 * invalid JSON-RPC (400 with the JSON-RPC error), sessions; after each refusal it still works.
 */
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import {
  bridgeEnv,
  bridgeForFile,
  call,
  cleanup,
  httpClient,
  type RunningBridge,
  runCli,
  startBridge,
  tempDir,
} from "./helpers.js";

afterEach(cleanup);

/**
 * The bridge of the tests that judge what it answers to one request after another (each with its
 * own session, or none): one for the file. A test of its first start, of its token changing or of
 * its session table filling starts its own.
 */
const shared = bridgeForFile();

const INIT = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
};

function post(b: RunningBridge, body: string, headers: Record<string, string> = {}, url = b.url) {
  return fetch(url, {
    method: "POST",
    headers: {
      authorization: `Bearer ${b.token}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...headers,
    },
    body,
  });
}

/** The bridge still answers a real client after whatever was sent before. */
async function stillWorks(b: RunningBridge) {
  const client = await httpClient(b.url, b.token);
  const { data } = await call(client, "memory_set", { key: "alive", value: true });
  expect(data.version).toBeGreaterThan(0);
}

describe("bearer token", () => {
  test("no token and a wrong token get 401 with a JSON-RPC error; the right one initializes", async () => {
    const b = shared();
    for (const auth of [undefined, "Bearer wrong-token", `Basic ${b.token}`, `Bearer ${b.token}x`]) {
      const res = await post(
        b,
        JSON.stringify(INIT),
        auth === undefined ? { authorization: "" } : { authorization: auth },
      );
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(await res.json()).toMatchObject({ jsonrpc: "2.0", error: { code: -32001 }, id: null });
    }
    const ok = await post(b, JSON.stringify(INIT));
    expect(ok.status).toBe(200);
    expect(ok.headers.get("mcp-session-id")).toMatch(/^[\x21-\x7e]+$/);
    expect(await ok.json()).toMatchObject({ id: 1, result: { serverInfo: { name: "mcp-twin-bridge" } } });
  });

  test("the token file is created on first start with mode 0600; --print-token prints it", async () => {
    const b = await startBridge();
    const file = path.join(b.dir, "token");
    if (process.platform !== "win32") expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(b.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const printed = await runCli(["serve", "--print-token"], b.env);
    expect(printed.code).toBe(0);
    expect(printed.stdout.trim()).toBe(b.token);
  });

  test("--rotate-token: the running bridge refuses the old token at once and accepts the new one", async () => {
    const b = await startBridge();
    const rotated = await runCli(["serve", "--rotate-token", "--print-token"], b.env);
    expect(rotated.code).toBe(0);
    const fresh = rotated.stdout.trim();
    expect(fresh).not.toBe(b.token);
    expect((await post(b, JSON.stringify(INIT))).status).toBe(401);
    expect((await post(b, JSON.stringify(INIT), { authorization: `Bearer ${fresh}` })).status).toBe(200);
  });

  test("--json: one document on stdout; --rotate-token never shows the new token, --print-token (asked) does", async () => {
    const b = await startBridge();
    const file = path.join(b.dir, "token");
    const printed = await runCli(["serve", "--print-token", "--json"], b.env);
    expect(printed.code, printed.stderr).toBe(0);
    expect(JSON.parse(printed.stdout)).toEqual({ tokenFile: file, token: b.token, rotated: false });
    const rotated = await runCli(["serve", "--rotate-token", "--json"], b.env);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(JSON.parse(rotated.stdout)).toEqual({ tokenFile: file, rotated: true });
    const fresh = readFileSync(file, "utf8").trim();
    expect(fresh).not.toBe(b.token);
    // The new token is in its file only: neither the result nor the note on stderr shows it (or the old).
    for (const token of [fresh, b.token]) expect(rotated.stdout + rotated.stderr).not.toContain(token);
    expect(rotated.stderr).toContain(`New bridge token in ${file}.`);
    // Both asked: the result carries the new one, still one document.
    const both = await runCli(["serve", "--rotate-token", "--print-token", "--json"], b.env);
    const newest = readFileSync(file, "utf8").trim();
    expect(JSON.parse(both.stdout)).toEqual({ tokenFile: file, token: newest, rotated: true });
    expect((await post(b, JSON.stringify(INIT), { authorization: `Bearer ${fresh}` })).status).toBe(401);
    expect((await post(b, JSON.stringify(INIT), { authorization: `Bearer ${newest}` })).status).toBe(200);
  });
});

describe("DNS rebinding", () => {
  test("any Origin the user did not allow gets 403 even with the token, the bridge's own loopback ones too; no Origin passes", async () => {
    const b = shared();
    for (const origin of [
      "http://evil.example",
      `http://evil.example:${b.port}`,
      "null",
      `https://127.0.0.1:${b.port}`,
      `http://127.0.0.1:${b.port}`,
      `http://localhost:${b.port}`,
    ]) {
      const res = await post(b, JSON.stringify(INIT), { origin });
      expect(res.status, origin).toBe(403);
      expect(await res.json()).toMatchObject({ error: { message: expect.stringMatching(/Origin/) } });
    }
    expect((await post(b, JSON.stringify(INIT))).status).toBe(200);
    // Origin is checked before the token: a page learns nothing about it.
    expect(
      (await post(b, JSON.stringify(INIT), { origin: "http://evil.example", authorization: "" })).status,
    ).toBe(403);
    await stillWorks(b);
  });

  test("--allow-origin adds an origin to the allow-list", async () => {
    const b = await startBridge({ args: ["--allow-origin", "http://localhost:5173"] });
    expect((await post(b, JSON.stringify(INIT), { origin: "http://localhost:5173" })).status).toBe(200);
    expect((await post(b, JSON.stringify(INIT), { origin: "http://localhost:5174" })).status).toBe(403);
  });

  test("a rebound host name (Host: attacker's domain) gets 403 on a loopback bridge", async () => {
    const b = shared();
    const status = await new Promise<number>((resolve, reject) => {
      // fetch will not let us set Host; node:http will.
      import("node:http").then(({ request }) => {
        const req = request(
          b.url,
          {
            method: "POST",
            headers: {
              host: `rebind.attacker.example:${b.port}`,
              authorization: `Bearer ${b.token}`,
              "content-type": "application/json",
            },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on("error", reject);
        req.end(JSON.stringify(INIT));
      }, reject);
    });
    expect(status).toBe(403);
  });

  test("binding beyond loopback needs --allow-remote (exit 2 without it, with the reason)", async () => {
    const root = tempDir();
    const refused = await runCli(["serve", "--http", "--host", "0.0.0.0", "--port", "0"], bridgeEnv(root));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/reachable from other machines.*--allow-remote/s);
  });
});

describe("malformed input", () => {
  test("invalid JSON gets 400 with -32700 Parse error and id null; the bridge keeps working", async () => {
    const b = shared();
    for (const body of ["{not json", "", '{"jsonrpc":"2.0",', "\u0000"]) {
      const res = await post(b, body);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        jsonrpc: "2.0",
        error: { code: -32700, message: expect.any(String) },
        id: null,
      });
    }
    await stillWorks(b);
  });

  test("valid JSON that is not JSON-RPC gets -32600 Invalid Request", async () => {
    const b = shared();
    for (const body of ["42", "[]", '{"hello":"world"}', '{"jsonrpc":"1.0","id":1,"method":"x"}']) {
      const res = await post(b, body);
      expect(res.status, body).toBe(400);
      const { error } = (await res.json()) as { error: { code: number; message: string } };
      expect(error.code).toBe(-32600);
      // One wording, whether the body is a batch or a single value.
      if (body !== "[]") expect(error.message).toBe("Invalid Request: not a JSON-RPC 2.0 message");
    }
    await stillWorks(b);
  });

  test("a refusal answers under the id of the one request it read (JSON-RPC 2.0); null for a batch, a notification, or no request", async () => {
    const b = shared();
    const refused = async (body: unknown, headers: Record<string, string> = {}) => {
      const res = await post(b, JSON.stringify(body), headers);
      return { status: res.status, ...((await res.json()) as { id: unknown; error: { code: number } }) };
    };
    const list = (id: unknown) => ({ jsonrpc: "2.0", id, method: "tools/list" });
    const noSession = { code: -32000, message: "Bad Request: Mcp-Session-Id header is required" };
    expect(await refused(list(2))).toEqual({ status: 400, jsonrpc: "2.0", id: 2, error: noSession });
    expect(await refused(list("r-1"), { "mcp-session-id": "no-such-session" })).toEqual({
      status: 404,
      jsonrpc: "2.0",
      id: "r-1",
      error: { code: -32001, message: "Session not found" },
    });
    expect(await refused(INIT, { "mcp-protocol-version": "1999-01-01" })).toMatchObject({
      status: 400,
      id: 1,
      error: { code: -32000 },
    });
    // No one request's id to answer under: null, as before.
    expect(await refused([list(3)])).toEqual({ status: 400, jsonrpc: "2.0", id: null, error: noSession });
    const note = { jsonrpc: "2.0", method: "notifications/initialized" };
    expect(await refused(note)).toEqual({ status: 400, jsonrpc: "2.0", id: null, error: noSession });
    expect(await refused({ jsonrpc: "2.0", id: 4, result: {} })).toMatchObject({ status: 400, id: null });
    expect(await refused({ jsonrpc: "1.0", id: 5, method: "x" })).toMatchObject({ status: 400, id: null });
    await stillWorks(b);
  });

  test("an oversized body gets 413; the bridge keeps working", async () => {
    const b = shared();
    const big = JSON.stringify({ ...INIT, params: { ...INIT.params, pad: "x".repeat(5 * 1024 * 1024) } });
    const res = await post(b, big);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: number } }).error.code).toBe(-32000);
    await stillWorks(b);
  });

  test("sessions, media types, methods and protocol versions are checked", async () => {
    const b = shared();
    const list = JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" });
    expect((await post(b, list)).status).toBe(400); // no Mcp-Session-Id
    expect((await post(b, list, { "mcp-session-id": "no-such-session" })).status).toBe(404);
    expect((await post(b, JSON.stringify(INIT), { "content-type": "text/plain" })).status).toBe(415);
    expect((await post(b, JSON.stringify(INIT), { "mcp-protocol-version": "1999-01-01" })).status).toBe(400);
    expect(
      (await fetch(b.url, { method: "PUT", headers: { authorization: `Bearer ${b.token}` } })).status,
    ).toBe(405);
    expect((await post(b, JSON.stringify(INIT), {}, b.url.replace("/mcp", "/other"))).status).toBe(404);
    // A session works through plain JSON answers; notifications get 202; DELETE ends it.
    const init = await post(b, JSON.stringify(INIT));
    const session = init.headers.get("mcp-session-id")!;
    const h = { "mcp-session-id": session, "mcp-protocol-version": "2025-11-25" };
    expect(
      (await post(b, JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }), h)).status,
    ).toBe(202);
    const tools = await post(b, list, h);
    expect(tools.headers.get("content-type")).toBe("application/json");
    expect(((await tools.json()) as { result: { tools: unknown[] } }).result.tools.length).toBeGreaterThan(
      10,
    );
    const del = await fetch(b.url, {
      method: "DELETE",
      headers: { authorization: `Bearer ${b.token}`, ...h },
    });
    expect(del.status).toBe(200);
    expect((await post(b, list, h)).status).toBe(404);
  });
});

describe("sessions", () => {
  test("a token holder opening 1,100 sessions evicts its own, never another client's working session", async () => {
    const b = await startBridge();
    const desktop = await httpClient(b.url, b.token, "claude-desktop");
    await call(desktop, "memory_set", { key: "before", value: 1 });
    const flood = JSON.stringify({
      ...INIT,
      params: { ...INIT.params, clientInfo: { name: "flood", version: "1" } },
    });
    for (let i = 0; i < 1100; i += 50)
      await Promise.all(
        Array.from({ length: 50 }, async () => {
          const res = await post(b, flood);
          expect(res.status).toBe(200);
          await res.arrayBuffer();
        }),
      );
    // Still the same session: no 404, no new initialize.
    expect((await call(desktop, "memory_get", { key: "before" })).data.value).toBe(1);
    const status = (await call(desktop, "bridge_status")).data.clients;
    const byClient = (name: string) =>
      status.sessions.filter((s: { client: string }) => s.client === name).length;
    expect(byClient("claude-desktop")).toBe(1);
    expect(byClient("flood")).toBe(100);
    expect(b.stderr()).toMatch(/closed to make room for one of flood/);
  }, 120_000);
});
