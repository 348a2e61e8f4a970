/**
 * The bridge's small rules, one by one: the HTTP checks (Host, Origin, bearer, body limit), the
 * session eviction policy, what a probe says about a port's holder, serve.json's parser, the
 * relay's error words, note names Windows cannot hold, the shared servers' protocol version.
 */

import type { IncomingMessage } from "node:http";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import { describe, expect, test } from "vitest";
import { credentialOf } from "../../src/bridge-server/credential.js";
import {
  allowedOrigins,
  checkDeclaredLength,
  checkHost,
  checkMediaTypes,
  checkOrigin,
  checkProtocolVersion,
  MAX_BATCH,
  parseMessages,
  readBody,
  UNAUTHORIZED,
} from "../../src/bridge-server/http-guards.js";
import { NotePathError, notePath } from "../../src/bridge-server/notes-folder.js";
import { evictionFor, type SessionUse } from "../../src/bridge-server/session-policy.js";
import { SESSION_IDLE_MS, SessionTable } from "../../src/bridge-server/sessions.js";
import { resolveBridgeSettings } from "../../src/core/bridge-control/settings.js";
import { describeAnswer, parseInstance } from "../../src/core/bridge-link/index.js";
import { MAX_MESSAGE_BYTES } from "../../src/core/jsonrpc/messages.js";
import { describeFailure, failureText } from "../../src/core/relay/failure.js";
import { HttpStatusError, readBody as readAnswer } from "../../src/core/system/keep-alive-http.js";

describe("HTTP checks", () => {
  test("Host: loopback names pass on a loopback bridge; a rebound domain gets 403 and the connection closes", () => {
    for (const host of ["127.0.0.1:7760", "localhost:7760", "[::1]:7760", "127.0.0.1"])
      expect(checkHost(host, true), host).toBeNull();
    for (const host of ["evil.example:7760", "localhost.evil.example", undefined, ""])
      expect(checkHost(host, true), String(host)).toMatchObject({ status: 403, close: true });
    expect(checkHost("evil.example", false)).toBeNull();
  });

  test("Origin: none passes, the origins the user allowed pass, every other gets 403 — the bridge's own loopback origins too", () => {
    const allowed = allowedOrigins(["http://localhost:5173/"]);
    expect(checkOrigin(undefined, allowed)).toBeNull();
    for (const o of ["http://localhost:5173", "http://LOCALHOST:5173"])
      expect(checkOrigin(o, allowed), o).toBeNull();
    for (const o of [
      "http://127.0.0.1:7760",
      "http://localhost:7760",
      "http://[::1]:7760",
      "null",
      "http://evil.example",
      "https://127.0.0.1:7760",
    ])
      expect(checkOrigin(o, allowed), o).toMatchObject({ status: 403, code: -32000 });
    expect(checkOrigin("http://127.0.0.1:7760", allowedOrigins())).toMatchObject({ status: 403 });
  });

  test("bearer: a refusal is 401 with the mcp-twin realm and closes the connection", () => {
    expect(UNAUTHORIZED).toEqual({
      status: 401,
      code: -32001,
      message: expect.stringMatching(/bearer token/),
      headers: { "www-authenticate": 'Bearer realm="mcp-twin"' },
      close: true,
    });
  });

  test("body limit: a declared length over it is refused unread; a body growing past it stops being read", async () => {
    expect(checkDeclaredLength("100", 100)).toBeNull();
    expect(checkDeclaredLength(undefined, 100)).toBeNull();
    expect(checkDeclaredLength("101", 100)).toMatchObject({ status: 413, close: true });
    const small = new PassThrough();
    const read = readBody(small as never, 10);
    small.end("0123456789");
    expect(await read).toBe("0123456789");
    const big = new PassThrough();
    const tooBig = readBody(big as never, 10);
    big.write("0123456789");
    big.write("x");
    expect(await tooBig).toBeNull();
  });

  test("a request's body off the wire: whole with its headers, in pieces, empty, at and past the limit", async () => {
    const limit = 64;
    const server = http.createServer((req, res) => {
      readBody(req, limit).then(
        (body) => res.end(JSON.stringify(body)),
        (error: Error) => res.end(JSON.stringify(`error: ${error.message}`)),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    /** POST the pieces, each written once the previous one is on its way; the body read, as JSON. */
    const post = (pieces: Buffer[], headers: Record<string, string | number> = {}) =>
      new Promise<unknown>((resolve, reject) => {
        const req = http.request({ port, host: "127.0.0.1", method: "POST", headers }, (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => {
            text += c;
          });
          res.on("end", () => resolve(JSON.parse(text)));
        });
        req.on("error", reject);
        const next = (i: number) => {
          if (i === pieces.length) req.end();
          else req.write(pieces[i], () => setTimeout(() => next(i + 1), 20));
        };
        if (pieces.length === 1) req.end(pieces[0]);
        else next(0);
      });
    try {
      const text = '{"text":"café — ü"}';
      const bytes = Buffer.from(text);
      expect(await post([bytes], { "content-length": bytes.length })).toBe(text);
      // Split inside a multi-byte character, the second piece later: read as it flows.
      const cut = bytes.indexOf(0xc3) + 1;
      expect(
        await post([bytes.subarray(0, cut), bytes.subarray(cut)], { "content-length": bytes.length }),
      ).toBe(text);
      expect(await post([bytes.subarray(0, cut), bytes.subarray(cut)])).toBe(text); // chunked
      expect(await post([Buffer.alloc(0)], { "content-length": 0 })).toBe("");
      const atLimit = Buffer.from("x".repeat(limit));
      expect(await post([atLimit], { "content-length": limit })).toBe(atLimit.toString());
      // Past the limit with no declared length (the declared one is refused before reading).
      expect(await post([Buffer.from("x".repeat(limit + 1))], { "transfer-encoding": "chunked" })).toBeNull();
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test("media types: JSON in; JSON or an event stream out", () => {
    expect(checkMediaTypes("application/json; charset=utf-8", "application/json, text/event-stream")).toEqual(
      {
        acceptsSse: true,
      },
    );
    expect(checkMediaTypes("application/json", undefined)).toEqual({ acceptsSse: false });
    expect(checkMediaTypes("application/json", "*/*")).toEqual({ acceptsSse: false });
    expect(checkMediaTypes("text/plain", "application/json")).toMatchObject({ status: 415 });
    expect(checkMediaTypes(undefined, "application/json")).toMatchObject({ status: 415 });
    expect(checkMediaTypes("application/json", "text/html")).toMatchObject({ status: 406 });
  });

  test("protocol version: absent or supported passes, anything else is 400 naming the supported ones", () => {
    expect(checkProtocolVersion(undefined, ["2025-11-25"])).toBeNull();
    expect(checkProtocolVersion("2025-11-25", ["2025-11-25"])).toBeNull();
    expect(checkProtocolVersion("1999-01-01", ["2025-11-25"])).toMatchObject({
      status: 400,
      message: expect.stringMatching(/1999-01-01.*supported: 2025-11-25/),
    });
  });

  test("messages: JSON, a batch of 1 to 100, each JSON-RPC — passed on as sent", () => {
    const isMessage = (m: unknown) =>
      typeof m === "object" && m !== null && (m as { jsonrpc?: unknown }).jsonrpc === "2.0";
    expect(parseMessages("{nope", isMessage)).toMatchObject({ status: 400, code: -32700 });
    expect(parseMessages("[]", isMessage)).toMatchObject({ status: 400, code: -32600 });
    const many = JSON.stringify(
      Array.from({ length: MAX_BATCH + 1 }, () => ({ jsonrpc: "2.0", method: "x" })),
    );
    expect(parseMessages(many, isMessage)).toMatchObject({
      code: -32600,
      message: expect.stringMatching(/1 to 100/),
    });
    expect(parseMessages('[{"jsonrpc":"2.0","method":"x"},{"jsonrpc":"1.0"}]', isMessage)).toMatchObject({
      code: -32600,
    });
    const sent = parseMessages(
      '{"jsonrpc":"2.0","id":1,"method":"m","params":{"__proto__":{"x":1}}}',
      isMessage,
    );
    expect(sent).toMatchObject({ batch: false });
    const params = (sent as { messages: Array<{ params: object }> }).messages[0]!.params;
    expect(Object.hasOwn(params, "__proto__")).toBe(true);
    expect(parseMessages('[{"jsonrpc":"2.0","method":"x"}]', isMessage)).toMatchObject({ batch: true });
  });
});

describe("session eviction", () => {
  const s = (id: string, client: string, lastSeen: number, calls = 1, credential = client): SessionUse => ({
    id,
    client,
    credential,
    lastSeen: new Date(lastSeen),
    calls,
  });

  test("room left: nobody goes", () => {
    expect(evictionFor([s("a", "x", 1)], "y", "y", { max: 3, perClient: 2 })).toBeUndefined();
  });
  test("a client at its own cap loses its own least recently used session, not another client's", () => {
    const sessions = [s("old-other", "desktop", 1), s("x1", "flood", 5), s("x2", "flood", 3)];
    expect(evictionFor(sessions, "flood", "flood", { max: 100, perClient: 2 })?.id).toBe("x2");
  });
  test("full: a session that never made a call goes first, then the busiest client's least recent", () => {
    const sessions = [
      s("desk", "desktop", 1),
      s("c1", "code", 9),
      s("c2", "code", 8),
      s("probe", "p", 10, 0),
    ];
    expect(evictionFor(sessions, "new", "new", { max: 4, perClient: 10 })?.id).toBe("probe");
    const busy = sessions.filter((x) => x.id !== "probe").concat(s("c3", "code", 7));
    expect(evictionFor(busy, "new", "new", { max: 4, perClient: 10 })?.id).toBe("c3");
  });
  test("a client is its credential: another token naming the same client fills its own cap, and many names under one token are one client when full", () => {
    // Another credential under Zed's name: Zed's session is not its to push out.
    const named = [s("zed", "Zed", 1, 1, "zed-token"), s("f1", "Zed", 5, 1, "flood-token")];
    expect(evictionFor(named, "Zed", "flood-token", { max: 100, perClient: 1 })?.id).toBe("f1");
    // A token that varies its client name past the cap: its own least recent goes, not Zed's older one.
    const varied = [
      s("zed", "Zed", 1, 1, "zed-token"),
      s("f1", "a", 5, 1, "flood"),
      s("f2", "b", 6, 1, "flood"),
    ];
    expect(evictionFor(varied, "c", "flood", { max: 3, perClient: 10 })?.id).toBe("f1");
  });
});

describe("what holds a port", () => {
  test("an answer without credentials, in words", () => {
    expect(describeAnswer(401, { "www-authenticate": 'Bearer realm="mcp-twin"' })).toMatch(
      /another mcp-twin bridge.*another WSL distro/,
    );
    expect(describeAnswer(401, { "www-authenticate": "Basic", server: "nginx" })).toMatch(
      /asks for credentials.*HTTP 401 \(nginx\)/,
    );
    expect(describeAnswer(404, {})).toMatch(/web server that is not this bridge \(HTTP 404\)/);
  });
});

describe("serve.json", () => {
  test("read field by field; anything else is no instance", () => {
    const good = {
      pid: 12,
      host: "127.0.0.1",
      port: 7760,
      url: "http://127.0.0.1:7760/mcp",
      version: "1",
      startedAt: "t",
    };
    expect(parseInstance(JSON.stringify(good))).toEqual(good);
    for (const bad of [
      "",
      "{",
      "[]",
      JSON.stringify({ ...good, pid: "12" }),
      JSON.stringify({ ...good, port: 70000 }),
      '{"__proto__":{"pid":1,"port":1,"host":"h","url":"u"}}',
    ])
      expect(parseInstance(bad), bad).toBeNull();
  });
});

describe("settings", () => {
  test("the manifest's bridge section, with defaults", () => {
    expect(resolveBridgeSettings(undefined, "m")).toEqual({
      enabled: false,
      host: "127.0.0.1",
      port: 7760,
      pinned: false,
      inManifest: [],
      url: "http://127.0.0.1:7760/mcp",
      source: "m",
    });
    expect(
      resolveBridgeSettings({ enabled: true, port: 7761, host: "::1", idleMinutes: 0.5 }, "m"),
    ).toMatchObject({
      enabled: true,
      inManifest: ["host", "port"],
      url: "http://[::1]:7761/mcp",
    });
  });

  test("the port: pinned by the manifest, else the one the home recorded", () => {
    expect(resolveBridgeSettings(undefined, "m", { port: 7790 })).toMatchObject({
      port: 7790,
      pinned: false,
      recorded: 7790,
      url: "http://127.0.0.1:7790/mcp",
    });
    expect(resolveBridgeSettings({ port: 7761 }, "m", { port: 7790 })).toMatchObject({
      port: 7761,
      pinned: true,
      recorded: 7790,
    });
  });

  test("enabled: only said, or kept for an entry mcp-twin wrote before while unsaid", () => {
    // Other settings never add the bridge's own entry.
    expect(resolveBridgeSettings({ port: 7761, idleMinutes: 2 }, "m").enabled).toBe(false);
    const kept = resolveBridgeSettings({ port: 7761 }, "m", { hadEntry: true });
    expect(kept).toMatchObject({ enabled: true, enabledImplied: true });
    expect(resolveBridgeSettings(undefined, "m", { hadEntry: true }).enabledImplied).toBe(true);
    expect(resolveBridgeSettings({ enabled: false }, "m", { hadEntry: true })).toMatchObject({
      enabled: false,
    });
    expect(resolveBridgeSettings({ enabled: false }, "m", { hadEntry: true }).enabledImplied).toBeUndefined();
    expect(resolveBridgeSettings({ enabled: true }, "m").enabledImplied).toBeUndefined();
  });
});

describe("relay errors in words", () => {
  test("a refused connection, a reset, an HTTP status", () => {
    const refused = Object.assign(new Error("fetch failed"), { cause: { code: "ECONNREFUSED" } });
    expect(describeFailure(refused)).toEqual({
      refused: true,
      message: "nothing answers there (connection refused)",
    });
    expect(describeFailure(new HttpStatusError(401, "x", undefined))).toMatchObject({
      status: 401,
      message: "it refuses the credentials (HTTP 401)",
    });
    expect(
      describeFailure(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })).message,
    ).toMatch(/closed before an answer/);
  });

  test("an answer of the gateway larger than the relay's limit is said as that, not as a gateway that is not running", async () => {
    // What the relay's read of a 17 MiB answer throws (its length declared, or counted as it comes).
    const declared = { headers: { "content-length": String(17 * 1024 * 1024) }, destroy: () => {} };
    const error = await readAnswer(declared as unknown as IncomingMessage, MAX_MESSAGE_BYTES).catch((e) => e);
    const said = failureText("tools", true, describeFailure(error), new URL("http://127.0.0.1:7760/tools"));
    expect(said).toBe("mcp-twin: tools sent no valid answer: its answer is larger than the 16 MiB limit");
  });
});

describe("note names", () => {
  test.each([
    "CON",
    "con.md",
    "NUL.md",
    "plans/aux",
    "Com1.txt",
    "lpt9",
    "a./b",
    "plan.",
    "x ",
    "dir /y",
    "a".repeat(300),
  ])("refuses %j", (input) => expect(() => notePath("/n", input)).toThrow(NotePathError));
  test.each([
    ["console", "console.md"],
    ["nullable.md", "nullable.md"],
    ["com10", "com10.md"],
  ])("%j is fine", (input, name) => expect(notePath("/n", input).name).toBe(name));
  test("the refusal of a long name does not hold the folder's path", () => {
    expect(() => notePath("/secret/state/notes", "a".repeat(300))).toThrow(/^(?!.*secret)/);
  });
});

describe("the session table", () => {
  const closed: string[] = [];
  const endpoint = (path: string) => ({
    path,
    connect: async () => ({
      close: async () => {
        closed.push(path);
      },
    }),
  });

  /** The credential of a request without one (the tables here are opened with no headers). */
  const NONE = credentialOf({});

  test("opens, finds by id and endpoint, makes room by the policy, closes", async () => {
    const logged: string[] = [];
    const table = new SessionTable({ caps: { max: 3, perClient: 2 }, log: (l) => logged.push(l) });
    const a = await table.open(endpoint("/mcp"), "desktop");
    const b1 = await table.open(endpoint("/mcp"), "flood");
    expect(table.get(a.id, "/mcp", NONE)).toBe(a);
    expect(table.get(a.id, "/share/x", NONE)).toBeUndefined();
    // Another credential does not find it (a session is its opener's only).
    expect(table.get(a.id, "/mcp", credentialOf({ authorization: "Bearer someone-else" }))).toBeUndefined();
    expect(table.get(undefined, "/mcp", NONE)).toBeUndefined();
    b1.calls = 1;
    await table.open(endpoint("/mcp"), "flood");
    // flood is at its cap of 2: its own least recently used session goes, not desktop's.
    await table.open(endpoint("/mcp"), "flood");
    expect(table.get(b1.id, "/mcp", NONE)).toBeUndefined();
    expect(table.get(a.id, "/mcp", NONE)).toBe(a);
    expect(logged).toEqual([expect.stringMatching(/of flood closed to make room for one of flood/)]);
    expect(
      table
        .info()
        .map((s) => s.client)
        .sort(),
    ).toEqual(["desktop", "flood", "flood"]);
    await table.closeAll();
    expect(table.info()).toEqual([]);
  });

  test("a session closes with its server; one whose transport closed is gone; a day idle is closed", async () => {
    closed.length = 0;
    const table = new SessionTable();
    const a = await table.open(endpoint("/mcp"), "code");
    const b = await table.open(endpoint("/share/x"), "code");
    const c = await table.open(endpoint("/mcp"), "desktop");
    await table.close(a);
    expect(closed).toEqual(["/mcp"]);
    expect(table.get(a.id, "/mcp", NONE)).toBeUndefined();
    await table.close(a); // twice: no second close of its server
    expect(closed).toEqual(["/mcp"]);

    await b.transport.close(); // the transport ended on its own
    expect(table.get(b.id, "/share/x", NONE)).toBeUndefined();

    const now = Date.now();
    c.lastSeen = new Date(now - SESSION_IDLE_MS + 1000);
    await table.closeIdle(now);
    expect(table.get(c.id, "/mcp", NONE)).toBe(c);
    await table.closeIdle(now + 2000);
    expect(table.get(c.id, "/mcp", NONE)).toBeUndefined();
    expect(table.info()).toEqual([]);
  });
});
