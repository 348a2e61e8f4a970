/**
 * The headers a 2026-07-28 POST carries beside its body (pure): values as they are or in the
 * Base64 sentinel and read back, the `x-mcp-header` declarations a tool may have, each request's
 * set, and whether a server finds a request's `Mcp-Param-*` headers true to its body.
 */
import * as sdk from "@modelcontextprotocol/server";
import { describe, expect, test } from "vitest";
import {
  CLIENT_CAPABILITIES_KEY,
  CLIENT_INFO_KEY,
  cancelledId,
  decodeHeaderValue,
  envelopeVersion,
  headerValue,
  LOG_LEVEL_KEY,
  learnMirrors,
  type ParamHeader,
  paramHeaders,
  paramMismatch,
  requestHeaders,
  SERVER_INFO_KEY,
  VERSION_KEY,
} from "../../src/core/jsonrpc/envelope-headers.js";

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
        { path: ["region"], name: "Region", type: "string" },
        { path: ["opts", "n"], name: "N", type: "integer" },
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

describe("decodeHeaderValue", () => {
  test("reads back what headerValue writes: the spec's encoding examples", () => {
    for (const v of ["us-west1", "Hello, 世界", " padded ", "line1\nline2", "=?base64?literal?=", "", "a\tb"])
      expect(decodeHeaderValue(headerValue(v)), JSON.stringify(v)).toBe(v);
    expect(decodeHeaderValue("=?base64?SGVsbG8sIOS4lueVjA==?=")).toBe("Hello, 世界");
  });
  test("without both ends of the sentinel a value is literal", () => {
    expect(decodeHeaderValue("SGVsbG8=")).toBe("SGVsbG8=");
    expect(decodeHeaderValue("=?base64?SGVsbG8=")).toBe("=?base64?SGVsbG8=");
    expect(decodeHeaderValue("SGVsbG8=?=")).toBe("SGVsbG8=?=");
  });
  test.each([
    ["=?base64?SGVsbG8?=", "padding missing"],
    ["=?base64?SGVs!!!bG8=?=", "not the Base64 alphabet"],
    ["=?base64?SGVsbG8=x?=", "data after the padding"],
    [`=?base64?${Buffer.from([0xff, 0xfe]).toString("base64")}?=`, "not UTF-8"],
    ["Z\u00fcrich", "a character outside visible ASCII"],
    ["a\u0001b", "a control character"],
  ])("%s is no value a client may send (%s)", (v) => {
    expect(decodeHeaderValue(v)).toBeUndefined();
  });
});

describe("paramMismatch", () => {
  const decls: ParamHeader[] = [
    { path: ["region"], name: "Region", type: "string" },
    { path: ["opts", "n"], name: "N", type: "integer" },
    { path: ["on"], name: "On", type: "boolean" },
  ];
  const check = (args: unknown, headers: Record<string, string>) =>
    paramMismatch(decls, args, (name) => headers[name]);
  test("headers that say what the body says (decoded, numbers as numbers) agree", () => {
    expect(
      check(
        { region: "Zürich", opts: { n: 42 }, on: false },
        { "mcp-param-region": b64("Zürich"), "mcp-param-n": "42.0", "mcp-param-on": "false" },
      ),
    ).toBeUndefined();
  });
  test("an argument absent or null expects no header; a header sent for it anyway is passed over", () => {
    expect(check({}, {})).toBeUndefined();
    expect(check({ region: null, opts: {} }, { "mcp-param-region": "x" })).toBeUndefined();
    // Not a primitive: the tool's to refuse, not the headers'.
    expect(check({ region: { a: 1 } }, {})).toBeUndefined();
  });
  test.each([
    [{ region: "eu" }, {}, "Mcp-Param-Region", /absent/],
    [
      { region: "eu" },
      { "mcp-param-region": "us" },
      "Mcp-Param-Region",
      /decodes to "us" but the body carries region="eu"/,
    ],
    [
      { region: "eu" },
      { "mcp-param-region": "=?base64?ZXU?=" },
      "Mcp-Param-Region",
      /invalid Base64 sentinel value/,
    ],
    [{ opts: { n: 42 } }, { "mcp-param-n": "0x2a" }, "Mcp-Param-N", /decodes to "0x2a"/],
    [{ on: true }, { "mcp-param-on": "True" }, "Mcp-Param-On", /decodes to "True"/],
    [
      { region: "Zürich" },
      { "mcp-param-region": "Zürich" },
      "Mcp-Param-Region",
      /carries characters a header value may not/,
    ],
  ])("%j with %j: %s disagrees", (args, headers, header, why) => {
    const fault = check(args, headers);
    expect(fault?.header).toBe(header);
    expect(fault?.why).toMatch(why);
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

test("the envelope's keys and the server stamp, written out, are the SDK's (the gateway's route loads no SDK)", () => {
  expect([VERSION_KEY, CLIENT_INFO_KEY, CLIENT_CAPABILITIES_KEY, LOG_LEVEL_KEY, SERVER_INFO_KEY]).toEqual([
    sdk.PROTOCOL_VERSION_META_KEY,
    sdk.CLIENT_INFO_META_KEY,
    sdk.CLIENT_CAPABILITIES_META_KEY,
    sdk.LOG_LEVEL_META_KEY,
    sdk.SERVER_INFO_META_KEY,
  ]);
});
