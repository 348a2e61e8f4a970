/**
 * The bridge's HTTP front takes a 2025-11-25 message of the ordinary shape without loading the SDK
 * (http.ts ordinary2025): every message it takes so, the SDK's checks take as a valid 2025-11-25
 * one, over many shapes near the ordinary ones; and the shapes real sessions send are taken so.
 */
import * as sdk from "@modelcontextprotocol/server";
import { expect, test } from "vitest";
import { ordinary2025 } from "../../src/bridge-server/http.js";
import { checkProtocolVersion } from "../../src/bridge-server/http-guards.js";

type Json = Record<string, unknown>;

const INIT_PARAMS = {
  protocolVersion: "2025-11-25",
  capabilities: {},
  clientInfo: { name: "c", version: "1" },
};

/** What the SDK says of a message under a revision header: a valid 2025-11-25 one, or not. */
function sdkTakes(m: unknown, header: string | undefined): boolean {
  const era = sdk.classifyInboundRequest({ httpMethod: "POST", body: m, protocolVersionHeader: header });
  const message = sdk.isJSONRPCRequest(m) || sdk.isJSONRPCNotification(m);
  const init = (m as Json).method !== "initialize" || sdk.isInitializeRequest(m);
  return (
    era.kind === "legacy" &&
    message &&
    init &&
    checkProtocolVersion(header, sdk.SUPPORTED_PROTOCOL_VERSIONS) === null
  );
}

/** Messages near the ordinary ones: each member changed, added or taken away in turn. */
function shapes(): Json[] {
  const odd = [
    undefined,
    null,
    1,
    1.5,
    "x",
    true,
    [],
    {},
    { x: 1 },
    { listChanged: true },
    { listChanged: "y" },
  ];
  const out: Json[] = [];
  const bases: Json[] = [
    { jsonrpc: "2.0", id: 1, method: "initialize", params: INIT_PARAMS },
    { jsonrpc: "2.0", id: "a", method: "tools/list" },
    { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "t", arguments: { a: 1 } } },
    { jsonrpc: "2.0", method: "notifications/initialized" },
  ];
  const set = (o: Json, k: string, v: unknown): Json => {
    const copy = { ...o };
    if (v === undefined) delete copy[k];
    else copy[k] = v;
    return copy;
  };
  for (const base of bases) {
    out.push(base);
    for (const k of ["jsonrpc", "id", "method", "params", "result", "error", "extra"])
      for (const v of [...odd, "2.0", "1.0", 2 ** 60, -1]) out.push(set(base, k, v));
    const params = (base.params ?? {}) as Json;
    for (const v of odd) out.push(set(base, "params", set(params, "_meta", v)));
    out.push(
      set(base, "params", set(params, "_meta", { "io.modelcontextprotocol/protocolVersion": "2026-07-28" })),
    );
  }
  const init = bases[0]!;
  const withParams = (p: Json) => set(init, "params", p);
  for (const k of ["protocolVersion", "capabilities", "clientInfo"])
    for (const v of [...odd, "2025-11-25"]) out.push(withParams(set(INIT_PARAMS, k, v)));
  for (const cap of ["experimental", "sampling", "elicitation", "roots", "tasks", "extensions", "other"])
    for (const v of odd) out.push(withParams(set(INIT_PARAMS, "capabilities", { [cap]: v })));
  out.push(withParams(set(INIT_PARAMS, "capabilities", { sampling: { context: 1 } })));
  out.push(withParams(set(INIT_PARAMS, "capabilities", { roots: { listChanged: false }, elicitation: {} })));
  for (const [k, v] of [
    ["title", "T"],
    ["title", 1],
    ["version", 1],
    ["name", undefined],
    ["icons", []],
    ["websiteUrl", 1],
    ["description", "d"],
  ] as const)
    out.push(withParams(set(INIT_PARAMS, "clientInfo", set(INIT_PARAMS.clientInfo, k, v))));
  return out;
}

test("every message taken without the SDK is one the SDK takes as a valid 2025-11-25 message", () => {
  let taken = 0;
  for (const m of shapes())
    for (const header of [
      undefined,
      "2025-11-25",
      "2025-06-18",
      "2024-10-07",
      "2026-07-28",
      "1999-01-01",
      "",
    ]) {
      if (!ordinary2025(m, header)) continue;
      taken++;
      expect(sdkTakes(m, header), `${JSON.stringify(m)} under ${header}`).toBe(true);
    }
  expect(taken).toBeGreaterThan(100);
});

test("what an SDK client's session sends is taken without the SDK", () => {
  const session = [
    { jsonrpc: "2.0", id: 0, method: "initialize", params: INIT_PARAMS },
    {
      jsonrpc: "2.0",
      id: 0,
      method: "initialize",
      params: {
        ...INIT_PARAMS,
        capabilities: { roots: { listChanged: true }, sampling: {}, elicitation: {} },
      },
    },
    { jsonrpc: "2.0", method: "notifications/initialized" },
    { jsonrpc: "2.0", id: 1, method: "tools/list" },
    { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "echo", arguments: { text: "x" } } },
  ];
  for (const m of session) expect(ordinary2025(m, "2025-11-25"), JSON.stringify(m)).toBe(true);
  expect(ordinary2025(session[0], undefined)).toBe(true);
});
