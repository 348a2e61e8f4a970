/**
 * The build's patch of the MCP SDK's JSON-RPC guards (scripts/sdk-guards-patch.mjs): a prefilter in
 * front of each zod parse must never refuse a message the SDK's own schema accepts (so every guard
 * answers as before), it must refuse the common other-kind messages (else it saves nothing), and it
 * must apply to the SDK files this project installs — an SDK written otherwise stops the build.
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
import { PREFILTERS, patchSdkGuards } from "../../scripts/sdk-guards-patch.mjs";
import { REPO } from "../helpers/fake-machine.js";

type Prefilter = (m: unknown) => boolean;
const prefilter = (kind: keyof typeof PREFILTERS) =>
  new Function("m", `return ${PREFILTERS[kind]};`) as Prefilter;
const KINDS = [
  ["request", JSONRPCRequestSchema],
  ["notification", JSONRPCNotificationSchema],
  ["result", JSONRPCResultResponseSchema],
  ["error", JSONRPCErrorResponseSchema],
] as const;

const ABSENT = Symbol("absent");

/**
 * Messages of every kind, well and badly formed: every combination of these members' values, each
 * member also absent (or present as undefined), and values that are no message at all.
 */
function corpus(): unknown[] {
  const meta = { _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28", progressToken: 1 } };
  const members: Array<[string, unknown[]]> = [
    ["jsonrpc", ["2.0", "1.0", undefined, ABSENT]],
    ["id", [1, "a", 1.5, null, undefined, ABSENT]],
    ["method", ["tools/call", 3, undefined, ABSENT]],
    ["params", [meta, [], null, undefined, ABSENT]],
    ["result", [{ content: [] }, [], undefined, ABSENT]],
    ["error", [{ code: -32600, message: "bad" }, {}, undefined, ABSENT]],
    ["extra", [1, ABSENT]],
  ];
  let out: Array<Record<string, unknown>> = [{}];
  for (const [name, values] of members)
    out = out.flatMap((m) => values.map((v) => (v === ABSENT ? { ...m } : { ...m, [name]: v })));
  return [null, undefined, 0, "", "2.0", [], [{ jsonrpc: "2.0", id: 1, method: "x" }], new Date(), ...out];
}

test("no prefilter refuses a message its schema accepts, over every shape of message", () => {
  const messages = corpus();
  expect(messages.length).toBeGreaterThan(15_000);
  for (const [kind, schema] of KINDS) {
    const may = prefilter(kind);
    let accepted = 0;
    for (const m of messages)
      if (schema.safeParse(m).success) {
        accepted++;
        expect(may(m), `${kind}: ${JSON.stringify(m)}`).toBe(true);
      }
    // The corpus holds messages of this kind, so the check above checked something.
    expect(accepted, kind).toBeGreaterThan(0);
  }
});

test("each prefilter refuses the other kinds' ordinary messages without a parse", () => {
  const ordinary = {
    request: { jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "echo" } },
    notification: { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 7 } },
    result: { jsonrpc: "2.0", id: 7, result: { content: [] } },
    error: { jsonrpc: "2.0", id: 7, error: { code: -32601, message: "Method not found" } },
  };
  for (const [kind] of KINDS)
    for (const [other, message] of Object.entries(ordinary))
      expect(prefilter(kind)(message), `${kind} of a ${other}`).toBe(kind === other);
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
        "const isJSONRPCRequest = (value) => __mcpTwinMayBeRequest(value) && JSONRPCRequestSchema.safeParse(value).success;",
      );
      expect(patched).not.toMatch(/const isJSONRPC\w+ = \(value\) => \w+Schema\.safeParse/);
    }
  }
  // The server's bundle and the client's each define the guards.
  expect(patchedFiles).toBeGreaterThanOrEqual(2);
  expect(() =>
    patchSdkGuards("const isJSONRPCRequest = (v) => JSONRPCRequestSchema.safeParse(v).success;"),
  ).toThrow(/not written as this patch expects/);
  expect(() =>
    patchSdkGuards("const isJSONRPCRequest = (value) => JSONRPCRequestSchema.safeParse(value).success;"),
  ).toThrow(/1 of its 5 JSON-RPC guards found/);
});

test("the build's bundle carries the prefiltered guards", () => {
  const dist = path.join(REPO, "dist");
  const chunks = readdirSync(dist).filter((f) => f.endsWith(".js"));
  const withGuards = chunks.filter((f) =>
    readFileSync(path.join(dist, f), "utf8").includes("isJSONRPCRequest="),
  );
  expect(withGuards.length).toBeGreaterThan(0);
  for (const f of withGuards)
    expect(readFileSync(path.join(dist, f), "utf8")).toMatch(
      /isJSONRPCRequest=value=>__mcpTwinMayBeRequest\(value\)&&JSONRPCRequestSchema\.safeParse/,
    );
});
