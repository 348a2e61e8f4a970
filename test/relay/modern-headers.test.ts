/**
 * The headers a 2026-07-28 POST carries beside its body (pure): values as they are or in the
 * Base64 sentinel, the `x-mcp-header` declarations a tool may have, and each request's set.
 */
import { describe, expect, test } from "vitest";
import {
  cancelledId,
  envelopeVersion,
  headerValue,
  learnMirrors,
  type ParamHeader,
  paramHeaders,
  requestHeaders,
} from "../../src/core/relay/modern-headers.js";

const b64 = (s: string) => `=?base64?${Buffer.from(s, "utf8").toString("base64")}?=`;
const envelope = (version: string) => ({ _meta: { "io.modelcontextprotocol/protocolVersion": version } });

describe("headerValue", () => {
  test("visible ASCII (spaces and tabs inside) stays as it is", () => {
    expect(headerValue("get_weather")).toBe("get_weather");
    expect(headerValue("a b\tc")).toBe("a b\tc");
  });
  test("non-ASCII, control characters, edge spaces, empty and the sentinel's shape go in Base64", () => {
    for (const v of ["café", "a\nb", " lead", "trail ", "", "=?base64?eA==?="])
      expect(headerValue(v)).toBe(b64(v));
  });
});

describe("paramHeaders", () => {
  test("properties reached by `properties` alone may be mirrored, nested too", () => {
    const r = paramHeaders({
      type: "object",
      properties: {
        region: { type: "string", "x-mcp-header": "Region" },
        opts: { type: "object", properties: { n: { type: "integer", "x-mcp-header": "N" } } },
      },
    });
    expect(r).toEqual({
      ok: true,
      headers: [
        { path: ["region"], name: "Region" },
        { path: ["opts", "n"], name: "N" },
      ],
    });
  });
  test.each([
    [{ type: "object", "x-mcp-header": "Root" }, /root/],
    [{ properties: { a: { type: "string", "x-mcp-header": "a b" } } }, /not a header name/],
    [{ properties: { a: { type: "array", "x-mcp-header": "A" } } }, /string, integer or boolean/],
    [
      {
        properties: {
          a: { type: "string", "x-mcp-header": "A" },
          b: { type: "string", "x-mcp-header": "a" },
        },
      },
      /declared twice/,
    ],
    [{ properties: { a: { anyOf: [{ type: "string", "x-mcp-header": "A" }] } } }, /only on a property/],
  ])("an invalid declaration says why: %j", (schema, why) => {
    const r = paramHeaders(schema);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.why).toMatch(why);
  });
});

describe("requestHeaders", () => {
  const mirrored: ParamHeader[] = [{ path: ["region"], name: "Region" }];
  test("the envelope's revision, the method, the name, and the mirrored arguments", () => {
    expect(
      requestHeaders(
        "tools/call",
        { name: "wéather", arguments: { region: "eu", n: 1 }, ...envelope("2026-07-28") },
        "2099-01-01",
        mirrored,
      ),
    ).toEqual({
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": "tools/call",
      "mcp-name": b64("wéather"),
      "Mcp-Param-Region": "eu",
    });
  });
  test("resources/read names its URI; lists name nothing; absent or non-primitive arguments send none", () => {
    expect(requestHeaders("resources/read", { uri: "file:///a" }, "2026-07-28", undefined)).toMatchObject({
      "mcp-name": "file:///a",
    });
    expect(requestHeaders("tools/list", {}, "2026-07-28", undefined)).toEqual({
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": "tools/list",
    });
    const h = requestHeaders(
      "tools/call",
      { name: "t", arguments: { region: { x: 1 } } },
      "2026-07-28",
      mirrored,
    );
    expect(Object.keys(h)).not.toContain("Mcp-Param-Region");
  });
});

test("learnMirrors keeps the tools with valid declarations, forgets those without", () => {
  const into = new Map<string, readonly ParamHeader[]>([["gone", mirrored()]]);
  learnMirrors(
    {
      tools: [
        { name: "r", inputSchema: { properties: { region: { type: "string", "x-mcp-header": "Region" } } } },
        { name: "gone", inputSchema: { properties: {} } },
        { name: "bad", inputSchema: { properties: { a: { type: "object", "x-mcp-header": "A" } } } },
      ],
    },
    into,
  );
  expect([...into.keys()]).toEqual(["r"]);
  expect(envelopeVersion(envelope("2026-07-28"))).toBe("2026-07-28");
  expect(envelopeVersion({})).toBeUndefined();
  expect(cancelledId({ requestId: 7 })).toBe(7);
  expect(cancelledId({ requestId: null })).toBeUndefined();
});

function mirrored(): ParamHeader[] {
  return [{ path: ["x"], name: "X" }];
}
