/**
 * The gateway's check of a 2026-07-28 `tools/call` (pure): the tool's declarations read from the
 * server's tools/list, and the refusal as the spec and the SDK word it.
 */
import { expect, test } from "vitest";
import { paramRefusal } from "../../src/bridge-server/param-check.js";

const META = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientCapabilities": {},
};
const LIST = {
  tools: [
    { name: "region", inputSchema: { properties: { region: { type: "string", "x-mcp-header": "Region" } } } },
    { name: "echo", inputSchema: { properties: { text: { type: "string" } } } },
  ],
};
const call = (name: string, args: unknown, meta: Record<string, unknown> = META) => ({
  jsonrpc: "2.0",
  id: 1,
  method: "tools/call",
  params: { name, arguments: args, _meta: meta },
});
const none = {};

test("a mismatch is refused with the header at fault; a tool not listed, or without declarations, is not", () => {
  expect(paramRefusal(LIST, call("region", { region: "eu" }), none)).toEqual({
    message:
      'Bad Request: the request headers and body disagree: the body carries region="eu" but the Mcp-Param-Region header is absent',
    data: {
      mismatch: {
        header: "Mcp-Param-Region",
        body: 'the body carries region="eu" but the Mcp-Param-Region header is absent',
      },
    },
  });
  // Node's headers (lower-case names) and a web request's alike.
  expect(paramRefusal(LIST, call("region", { region: "eu" }), { "mcp-param-region": "eu" })).toBeUndefined();
  expect(
    paramRefusal(LIST, call("region", { region: "eu" }), new Headers({ "Mcp-Param-Region": "eu" })),
  ).toBeUndefined();
  expect(
    paramRefusal(LIST, call("region", { region: "eu" }), new Headers({ "Mcp-Param-Region": "us" }))?.data
      .mismatch.header,
  ).toBe("Mcp-Param-Region");
  expect(paramRefusal(LIST, call("echo", { text: "x" }), none)).toBeUndefined();
  expect(paramRefusal(LIST, call("unlisted", { region: "eu" }), none)).toBeUndefined();
  expect(paramRefusal(undefined, call("region", { region: "eu" }), none)).toBeUndefined();
});
