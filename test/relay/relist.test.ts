/**
 * When the relay reads a 2026-07-28 server's tools again (pure): a refusal that is a HeaderMismatch
 * (400 and -32020, nothing else), its own tools/list line (its id, the call's envelope alone, the
 * cursor), and the next page a result names.
 */
import { expect, test } from "vitest";
import { nextCursor } from "../../src/core/jsonrpc/envelope-headers.js";
import { isHeaderMismatch, listRequest } from "../../src/core/relay/relist.js";

const refusal = (code: number, id: unknown = 1) =>
  JSON.stringify({ jsonrpc: "2.0", id, error: { code, message: "Header mismatch" } });

test("a HeaderMismatch is a 400 whose body is a JSON-RPC error -32020", () => {
  expect(isHeaderMismatch(400, refusal(-32020))).toBe(true);
  expect(isHeaderMismatch(400, refusal(-32020, null))).toBe(true);
  expect(isHeaderMismatch(404, refusal(-32020))).toBe(false);
  expect(isHeaderMismatch(500, refusal(-32020))).toBe(false);
  expect(isHeaderMismatch(400, refusal(-32022))).toBe(false);
  expect(isHeaderMismatch(400, refusal(-32601))).toBe(false);
  expect(isHeaderMismatch(400, JSON.stringify({ error: { code: -32020 } }))).toBe(false);
  expect(isHeaderMismatch(400, JSON.stringify({ jsonrpc: "2.0", error: "-32020" }))).toBe(false);
  expect(isHeaderMismatch(400, JSON.stringify([{ jsonrpc: "2.0", error: { code: -32020 } }]))).toBe(false);
  expect(isHeaderMismatch(400, "Bad Request: -32020")).toBe(false);
  expect(isHeaderMismatch(400, "")).toBe(false);
});

test("the relay's tools/list: its own id, the call's envelope without the rest of its _meta, the cursor", () => {
  const envelope = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientCapabilities": { elicitation: {} },
    "io.modelcontextprotocol/clientInfo": { name: "c", version: "1" },
  };
  const call = {
    name: "region",
    arguments: { region: "x" },
    _meta: { ...envelope, progressToken: 5, "io.modelcontextprotocol/logLevel": "debug" },
  };
  expect(JSON.parse(listRequest("mcp-twin-relay-3", undefined, call))).toEqual({
    jsonrpc: "2.0",
    id: "mcp-twin-relay-3",
    method: "tools/list",
    params: { _meta: envelope },
  });
  expect(JSON.parse(listRequest("mcp-twin-relay-4", "page 2", call))).toEqual({
    jsonrpc: "2.0",
    id: "mcp-twin-relay-4",
    method: "tools/list",
    params: { cursor: "page 2", _meta: envelope },
  });
  expect(JSON.parse(listRequest("r", undefined, undefined)).params).toEqual({ _meta: {} });
  expect(JSON.parse(listRequest("r", undefined, { _meta: "odd" })).params).toEqual({ _meta: {} });
  expect(listRequest("r", undefined, call)).not.toContain("\n");
});

test("the next page is a non-empty string cursor", () => {
  expect(nextCursor({ tools: [], nextCursor: "abc" })).toBe("abc");
  expect(nextCursor({ tools: [] })).toBeUndefined();
  expect(nextCursor({ tools: [], nextCursor: "" })).toBeUndefined();
  expect(nextCursor({ tools: [], nextCursor: 2 })).toBeUndefined();
  expect(nextCursor(undefined)).toBeUndefined();
  expect(nextCursor([{ nextCursor: "x" }])).toBeUndefined();
});
