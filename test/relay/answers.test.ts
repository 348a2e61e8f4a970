/**
 * Every request gets exactly one JSON-RPC answer, and every line on stdout is a JSON-RPC message:
 * hostile servers on loopback answer `{}`, another id, two objects in one body, text that is not
 * JSON, an event stream that ends without the answer, 200 with no body, 202, the answer twice, an
 * error without an id, a batch — over Streamable HTTP (a POST's answer and the server's own stream)
 * and over the older SSE transport. The real relay process, its stdout read line by line.
 */
import { spawn } from "node:child_process";
import type { ServerResponse } from "node:http";
import { afterEach, expect, test } from "vitest";
import { BIN, bridgeEnv, cleanup, tempDir } from "../bridge-server/helpers.js";
import {
  event,
  events,
  json,
  type ScriptedServer,
  startScripted,
  startScriptedSse,
} from "../helpers/hostile-mcp.js";

const servers: ScriptedServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  await cleanup();
});

type Json = Record<string, unknown>;

const INIT = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "0" } },
};
const INITIALIZED = { jsonrpc: "2.0", method: "notifications/initialized" };
const call = (id: number, name: string) => ({ jsonrpc: "2.0", id, method: "tools/call", params: { name } });
const result = (id: unknown, text = "ok") => ({
  jsonrpc: "2.0",
  id,
  result: { content: [{ type: "text", text }] },
});
const note = (data: string) => ({
  jsonrpc: "2.0",
  method: "notifications/message",
  params: { level: "info", data },
});

const parse = (line: string): unknown => {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
};

/** A JSON-RPC 2.0 message, by the spec's own words (checked here, apart from the relay's code). */
function isJsonRpc(m: unknown): boolean {
  if (typeof m !== "object" || m === null || Array.isArray(m)) return false;
  const r = m as Json;
  const id = r.id;
  const isId = typeof id === "string" || typeof id === "number";
  if (r.jsonrpc !== "2.0") return false;
  if (typeof r.method === "string")
    return (id === undefined || isId) && (r.params === undefined || typeof r.params === "object");
  if ("result" in r === "error" in r) return false;
  if ("result" in r) return isId;
  const e = r.error as Json | null;
  return (
    (isId || id === null) &&
    typeof e === "object" &&
    e !== null &&
    Number.isInteger(e.code) &&
    typeof e.message === "string"
  );
}

/**
 * `connect <url> …` fed `messages`; stdin ends once every request among them has a response on
 * stdout, or once `done(stdout)` says so (or after 30 s). Every line as written, those that parse
 * parsed, and stderr.
 */
function session(args: string[], messages: Json[], done?: (out: string) => boolean) {
  const ids = messages.filter((m) => m.method !== undefined && m.id !== undefined).map((m) => m.id);
  return new Promise<{ raw: string[]; lines: Json[]; err: string; code: number | null }>((resolve) => {
    const child = spawn(process.execPath, [BIN, "connect", ...args], {
      env: bridgeEnv(tempDir()),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    const end = () => child.stdin.end();
    const timer = setTimeout(end, 30_000);
    const parsed = (text: string) =>
      text
        .split("\n")
        .filter(Boolean)
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as Json];
          } catch {
            return [];
          }
        });
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (c: string) => {
      out += c;
      const whole = out.slice(0, out.lastIndexOf("\n") + 1);
      if (done) {
        if (done(whole)) end();
        return;
      }
      const answered = new Set(
        parsed(whole)
          .filter((m) => m.method === undefined)
          .map((m) => m.id),
      );
      if (ids.every((id) => answered.has(id))) end();
    });
    child.stderr.on("data", (c: Buffer) => {
      err += c.toString();
    });
    child.stdin.write(messages.map((m) => `${JSON.stringify(m)}\n`).join(""));
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ raw: out.split("\n").filter(Boolean), lines: parsed(out), err, code });
    });
  });
}

/** Each case: what the server does with the call, and what the client must get for it. */
const cases: Array<[string, (id: unknown, res: ServerResponse) => void, "answer" | RegExp]> = [
  [
    "a body of {}",
    (_, res) => json(res, "{}"),
    /sent no valid answer: it sent a message that is not JSON-RPC/,
  ],
  [
    "an answer to another id",
    (_, res) => json(res, result(99)),
    /sent no valid answer: it sent an answer to another request \(id 99\)/,
  ],
  ["the id as a string, not the number asked", (id, res) => json(res, result(String(id))), /another request/],
  [
    "two JSON objects in one body",
    (id, res) => json(res, `${JSON.stringify(result(id))}${JSON.stringify(note("x"))}`),
    /not JSON/,
  ],
  ["text that is not JSON", (_, res) => json(res, "Internal Server Error"), /not JSON/],
  [
    "200 with an empty body",
    (_, res) => void res.writeHead(200, { "content-type": "application/json" }).end(),
    /not JSON/,
  ],
  ["202 to a request", (_, res) => void res.writeHead(202).end(), /no content type/],
  [
    "both a result and an error",
    (id, res) => json(res, { ...result(id), error: { code: 1, message: "x" } }),
    /not JSON-RPC/,
  ],
  [
    "an event stream that ends without the answer",
    (_, res) => events(res, [note("before")]),
    /event stream ended before the answer came/,
  ],
  [
    "an event stream with the answer to another id",
    (_, res) => events(res, [result(98)]),
    /ended before the answer came \(it sent an answer to another request \(id 98\)\)/,
  ],
  [
    "garbage events, then the answer",
    (id, res) => events(res, ["{}", "not json", '{"a":1}{"b":2}', [], result(id)]),
    "answer",
  ],
  [
    "the answer three times in an event stream",
    (id, res) =>
      events(res, [
        result(id, "first"),
        result(id, "again"),
        { jsonrpc: "2.0", id, error: { code: 1, message: "x" } },
      ]),
    "answer",
  ],
  [
    "a batch: a notification and the answer",
    (id, res) => json(res, [note("in a batch"), result(id)]),
    "answer",
  ],
];

test("Streamable HTTP: each request gets exactly one answer — the server's when it is one, else an error that says why — and stdout carries only JSON-RPC, one message a line", async () => {
  const server = await startScripted((req, res) => {
    const index = Number(req.params?.name);
    if (index === -1)
      return json(res, { jsonrpc: "2.0", id: null, error: { code: -32602, message: "bad params" } });
    cases[index]![1](req.id, res);
  });
  servers.push(server);
  const calls = cases.map((_, i) => call(100 + i, String(i)));
  const r = await session([server.url], [INIT, INITIALIZED, ...calls, call(200, "-1")]);
  // Every line on stdout is one JSON-RPC message.
  expect(r.raw.filter((l) => !isJsonRpc(parse(l)))).toEqual([]);
  expect(r.lines).toHaveLength(r.raw.length);
  const responses = (id: number) => r.lines.filter((m) => m.id === id && m.method === undefined);
  cases.forEach(([what, , want], i) => {
    const got = responses(100 + i);
    expect(got, what).toHaveLength(1);
    if (want === "answer") expect(got[0], what).toMatchObject({ result: { content: [{ type: "text" }] } });
    else {
      expect(got[0], what).toMatchObject({ error: { code: -32000 } });
      expect((got[0]!.error as { message: string }).message, what).toMatch(want);
    }
  });
  // The first answer of the three is the one passed on; a batch's messages each on a line.
  expect(responses(111)[0]).toMatchObject({ result: { content: [{ text: "first" }] } });
  expect(r.lines.filter((m) => (m.params as Json | undefined)?.data === "in a batch")).toHaveLength(1);
  // An error that names no request is the error of the one request asked.
  expect(responses(200)).toEqual([
    { jsonrpc: "2.0", id: 200, error: { code: -32602, message: "bad params" } },
  ]);
  // Nothing but the answers asked for: no response to an id no request had.
  expect(
    r.lines.filter((m) => m.method === undefined && !(m.id === 1 || m.id === 200 || (m.id as number) >= 100)),
  ).toEqual([]);
  expect(r.err).toMatch(/sent a message that is not JSON-RPC 2\.0; dropped/);
}, 60_000);

test("Streamable HTTP: the server's own stream passes notifications and requests, never a response or garbage", async () => {
  const server = await startScripted(
    (req, res) => json(res, result(req.id)),
    0,
    (stream) => {
      for (const m of ["not json", "{}", JSON.stringify(result(500)), JSON.stringify(note("unasked"))])
        event(stream, m);
      event(stream, { jsonrpc: "2.0", id: "s1", method: "ping" });
    },
  );
  servers.push(server);
  // The stream is read once `initialized` is said; stdin stays open until its ping came.
  const r = await session([server.url], [INIT, INITIALIZED], (out) => out.includes('"ping"'));
  expect(r.raw.filter((l) => !isJsonRpc(parse(l)))).toEqual([]);
  expect(r.lines).toEqual([
    { jsonrpc: "2.0", id: 1, result: expect.any(Object) },
    note("unasked"),
    { jsonrpc: "2.0", id: "s1", method: "ping" },
  ]);
  expect(r.err).toMatch(/not JSON; dropped/);
}, 60_000);

test("the older SSE transport: garbage, answers to ids never asked and second answers are dropped; a request still waiting when the stream ends gets an error", async () => {
  const server = await startScriptedSse((req, stream) => {
    if (req.params?.name === "end") return void stream.end();
    for (const m of [
      "{}",
      "not json",
      JSON.stringify(result(404)),
      JSON.stringify(result(req.id)),
      JSON.stringify(result(req.id, "again")),
    ])
      event(stream, m);
  });
  servers.push(server);
  const r = await session(
    [server.url, "--transport", "sse"],
    [INIT, INITIALIZED, call(2, "a"), call(3, "b"), call(4, "end")],
  );
  expect(r.raw.filter((l) => !isJsonRpc(parse(l)))).toEqual([]);
  const responses = r.lines.filter((m) => m.method === undefined);
  expect(responses.map((m) => m.id)).toEqual([1, 2, 3, 4]);
  expect(responses[1]).toEqual(result(2));
  expect(responses[3]).toMatchObject({
    id: 4,
    error: { code: -32000, message: expect.stringMatching(/ended before the answer came/) },
  });
  expect(r.code).toBe(1);
  expect(r.err).toMatch(/no request waiting for one/);
}, 60_000);

test("a batch from the client (MCP has none since 2025-06-18): each of its requests is answered with an error, nothing is sent on", async () => {
  const server = await startScripted((req, res) => json(res, result(req.id)));
  servers.push(server);
  const batch = [call(300, "a"), note("n"), call(301, "b")] as unknown as Json;
  const r = await session([server.url], [INIT, INITIALIZED, batch], (out) => out.includes('"id":301'));
  expect(r.lines.filter((m) => m.id !== 1)).toEqual(
    [300, 301].map((id) => ({
      jsonrpc: "2.0",
      id,
      error: { code: -32600, message: "Invalid Request: a batch; send one message per line" },
    })),
  );
  expect(server.methods()).toEqual([]);
  expect(r.err).toMatch(/stdin: ignored a batch/);
}, 60_000);
