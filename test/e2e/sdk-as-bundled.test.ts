/**
 * The tests run the MCP SDK as the build bundles it: vitest.config.ts applies the same patches as
 * tsup.config.ts, so an in-process test of the bridge or the gateway runs what users run.
 */
import * as clientSdk from "@modelcontextprotocol/client";
import * as serverSdk from "@modelcontextprotocol/server";
import { expect, test } from "vitest";
import { ZodJsonSchemaValidator } from "../../src/core/text/json-schema-validator.js";

const GUARDS = [
  "isJSONRPCRequest",
  "isJSONRPCNotification",
  "isJSONRPCResultResponse",
  "isJSONRPCErrorResponse",
];

test("the SDK's JSON-RPC guards, client and server, carry the build's plain tests in front", () => {
  for (const sdk of [serverSdk, clientSdk] as Record<string, unknown>[]) {
    for (const name of GUARDS) {
      const guard = sdk[name];
      expect(typeof guard, name).toBe("function");
      expect(String(guard), name).toMatch(/__mcpTwin(Request|Notification|Result|Error)Kind\(value\)/);
    }
  }
  // Patched, they still answer as the schemas do.
  expect(serverSdk.isJSONRPCRequest({ jsonrpc: "2.0", id: 1, method: "ping" })).toBe(true);
  expect(serverSdk.isJSONRPCRequest({ jsonrpc: "2.0", id: 1, result: {} })).toBe(false);
});

test("the SDK's _shims are src/sdk-shims-without-ajv.ts: zod validates, Ajv is never loaded", async () => {
  for (const pkg of ["@modelcontextprotocol/server/_shims", "@modelcontextprotocol/client/_shims"]) {
    const shims = (await import(/* @vite-ignore */ pkg)) as { DefaultJsonSchemaValidator: unknown };
    expect(shims.DefaultJsonSchemaValidator, pkg).toBe(ZodJsonSchemaValidator);
  }
  // A server and a client built the ordinary way validate with it (the SDK's own default is Ajv).
  const server = new serverSdk.Server({ name: "t", version: "1" }) as unknown as Record<string, unknown>;
  const client = new clientSdk.Client({ name: "t", version: "1" }) as unknown as Record<string, unknown>;
  expect(server._jsonSchemaValidator).toBeInstanceOf(ZodJsonSchemaValidator);
  expect(client._jsonSchemaValidator).toBeInstanceOf(ZodJsonSchemaValidator);
});
