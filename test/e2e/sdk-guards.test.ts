/**
 * The build's patch of the MCP SDK's JSON-RPC guards (scripts/sdk-guards-patch.mjs): the test in
 * front of each zod parse must never refuse a message the SDK's own schema accepts nor accept one
 * it refuses (so every guard answers as before), it must settle the ordinary messages itself (else
 * it saves nothing), and it must apply to the SDK files this project installs — an SDK written
 * otherwise stops the build.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import {
  JSONRPCErrorResponseSchema,
  JSONRPCNotificationSchema,
  JSONRPCRequestSchema,
  JSONRPCResultResponseSchema,
} from "@modelcontextprotocol/core";
import { expect, test } from "vitest";
import { HELPERS, patchSdkGuards } from "../../scripts/sdk-guards-patch.mjs";
import { REPO } from "../helpers/fake-machine.js";

type Kind = (m: unknown) => -1 | 0 | 1;
const kinds = new Function(
  `${HELPERS}; return { request: __mcpTwinRequestKind, notification: __mcpTwinNotificationKind, result: __mcpTwinResultKind, error: __mcpTwinErrorKind };`,
)() as Record<"request" | "notification" | "result" | "error", Kind>;
const SCHEMAS = [
  ["request", JSONRPCRequestSchema],
  ["notification", JSONRPCNotificationSchema],
  ["result", JSONRPCResultResponseSchema],
  ["error", JSONRPCErrorResponseSchema],
] as const;

type Schema = (typeof SCHEMAS)[number][1];

/**
 * The schema's own answer, `schema.safeParse(m).success`, as zod's safeParse reaches it (zod/v4/core
 * parse.js: the schema's run, then no issue) without the failure result it builds around the issues:
 * over the corpus that result, not the check, is most of the time. The first test checks, on a
 * sample of the corpus and the ordinary messages, that it answers as safeParse does.
 */
function accepts(schema: Schema, m: unknown): boolean {
  const result = (schema as unknown as { _zod: { run: (p: object, ctx: object) => unknown } })._zod.run(
    { value: m, issues: [] },
    { async: false },
  );
  if (result instanceof Promise) throw new Error("an async schema: safeParse would throw");
  return (result as { issues: unknown[] }).issues.length === 0;
}

const ABSENT = Symbol("absent");
const TOKEN = "io.modelcontextprotocol/related-task";

/**
 * Messages of every kind, well and badly formed: every combination of these members' values, each
 * member also absent (or present as undefined), and values that are no message at all.
 */
function corpus(): unknown[] {
  const members: Array<[string, unknown[]]> = [
    ["jsonrpc", ["2.0", "1.0", undefined, ABSENT]],
    ["id", [1, "a", 1.5, null, -0, 2 ** 53, undefined, ABSENT]],
    ["method", ["tools/call", 3, ABSENT]],
    [
      "params",
      [
        { name: "echo" },
        { _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28", progressToken: 1 } },
        { _meta: { progressToken: "t" } },
        { _meta: { progressToken: 1.5 } },
        { _meta: { progressToken: null } },
        { _meta: { [TOKEN]: { taskId: "t" } } },
        { _meta: { [TOKEN]: { taskId: 1 } } },
        { _meta: [] },
        { _meta: null },
        [],
        null,
        undefined,
        ABSENT,
      ],
    ],
    [
      "result",
      [
        { content: [] },
        { _meta: { "io.modelcontextprotocol/serverInfo": 3, x: 1 } },
        { _meta: [] },
        { _meta: null },
        [],
        undefined,
        ABSENT,
      ],
    ],
    [
      "error",
      [
        { code: -32600, message: "bad" },
        { code: 1, message: "m", data: [1], extra: 2 },
        { code: 1.5, message: "x" },
        { code: 1, message: 2 },
        {},
        null,
        ABSENT,
      ],
    ],
    ["extra", [1, ABSENT]],
  ];
  let out: Array<Record<string, unknown>> = [{}];
  for (const [name, values] of members)
    out = out.flatMap((m) => values.map((v) => (v === ABSENT ? { ...m } : { ...m, [name]: v })));
  const odd = [null, undefined, 0, "", "2.0", [], [{ jsonrpc: "2.0", id: 1, method: "x" }], new Date()];
  const proto = JSON.parse('{"jsonrpc":"2.0","id":1,"method":"x","__proto__":{"a":1}}');
  return [...odd, proto, ...out];
}

test("every answer the tests give is the schema's own, over every shape of message", () => {
  const messages = corpus();
  expect(messages.length).toBeGreaterThan(100_000);
  for (const [name, schema] of SCHEMAS) {
    // `accepts` is safeParse's answer: on every 500th message, and on every one it accepts.
    const sample = messages.filter((m, i) => i % 500 === 0 || accepts(schema, m));
    expect(sample.filter((m) => accepts(schema, m)).length, name).toBeGreaterThan(0);
    for (const m of sample) expect(accepts(schema, m), name).toBe(schema.safeParse(m).success);
    const seen = { "-1": 0, "0": 0, "1": 0 };
    const wrong: string[] = [];
    for (const m of messages) {
      const kind = kinds[name](m);
      seen[kind]++;
      if (kind !== 0 && accepts(schema, m) !== (kind === 1))
        wrong.push(`${kind === 1 ? "accepted" : "refused"} ${String(JSON.stringify(m))}`);
    }
    expect(wrong.slice(0, 5), `${name}: ${wrong.length} answers not the schema's`).toEqual([]);
    // Each test settles messages both ways, and leaves some to the schema: it checked something.
    expect(
      Object.values(seen).every((n) => n > 0),
      `${name}: ${JSON.stringify(seen)}`,
    ).toBe(true);
  }
});

test("each test settles the ordinary messages of every kind without a parse", () => {
  const ordinary = {
    request: {
      jsonrpc: "2.0",
      id: 7,
      method: "tools/call",
      params: {
        name: "echo",
        _meta: { progressToken: 7, "io.modelcontextprotocol/protocolVersion": "2026-07-28" },
      },
    },
    notification: { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 7 } },
    result: {
      jsonrpc: "2.0",
      id: 7,
      result: { content: [], _meta: { "io.modelcontextprotocol/serverInfo": {} } },
    },
    error: { jsonrpc: "2.0", id: 7, error: { code: -32601, message: "Method not found" } },
  };
  for (const [name] of SCHEMAS)
    for (const [other, message] of Object.entries(ordinary))
      expect(kinds[name](message), `${name} of a ${other}`).toBe(name === other ? 1 : -1);
});

test("the patch applies to the SDK installed, in full, and refuses an SDK written otherwise", () => {
  const sdk = path.join(REPO, "node_modules", "@modelcontextprotocol");
  let patchedFiles = 0;
  for (const pkg of ["server", "client", "core"]) {
    const dist = path.join(sdk, pkg, "dist");
    for (const file of readdirSync(dist).filter((f) => f.endsWith(".mjs"))) {
      const code = readFileSync(path.join(dist, file), "utf8");
      const patched = patchSdkGuards(code);
      if (patched === code) continue;
      patchedFiles++;
      expect(patched).toContain(
        "const isJSONRPCRequest = (value) => { const kind = __mcpTwinRequestKind(value); return kind === 1 || (kind === 0 && JSONRPCRequestSchema.safeParse(value).success); };",
      );
      expect(patched).not.toMatch(
        /const isJSONRPC(Request|Notification|ResultResponse|ErrorResponse) = \(value\) => \w+Schema\.safeParse/,
      );
    }
  }
  // The server's bundle and the client's each define the guards.
  expect(patchedFiles).toBeGreaterThanOrEqual(2);
  expect(() =>
    patchSdkGuards("const isJSONRPCRequest = (v) => JSONRPCRequestSchema.safeParse(v).success;"),
  ).toThrow(/not written as this patch expects/);
  expect(() =>
    patchSdkGuards("const isJSONRPCRequest = (value) => JSONRPCRequestSchema.safeParse(value).success;"),
  ).toThrow(/1 of its 4 JSON-RPC guards found/);
});

test("the build's bundle carries the guards behind their tests", () => {
  const dist = path.join(REPO, "dist");
  const withGuards = readdirSync(dist)
    .filter((f) => f.endsWith(".js"))
    .filter((f) => readFileSync(path.join(dist, f), "utf8").includes("isJSONRPCRequest="));
  expect(withGuards.length).toBeGreaterThan(0);
  for (const f of withGuards)
    expect(readFileSync(path.join(dist, f), "utf8")).toMatch(
      /isJSONRPCRequest=value=>\{let kind=__mcpTwinRequestKind\(value\);return kind===1\|\|kind===0&&JSONRPCRequestSchema\.safeParse/,
    );
});
