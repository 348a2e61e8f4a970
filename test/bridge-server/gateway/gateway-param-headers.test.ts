/**
 * A 2026-07-28 `tools/call` to a shared server carries the tool's `x-mcp-header` arguments as
 * `Mcp-Param-*` headers too: the gateway checks them against the body (the fixtures' `region`
 * tool), with a server of either era behind it, real processes and real HTTP — a header that
 * agrees is answered, one that disagrees, is missing or is badly encoded gets 400 / -32020.
 */
import { afterEach, describe, expect, test } from "vitest";
import { startModernServer } from "../../helpers/http-2026.js";
import { rawModernPost } from "../../helpers/raw-post-2026.js";
import { cleanup } from "../helpers.js";
import {
  callText,
  closeClients,
  eraFixtures,
  gatewayBridge,
  scriptServer,
  v2Client,
} from "./gateway-helpers.js";

afterEach(async () => {
  await closeClients();
  await cleanup();
});

const b64 = (s: string) => `=?base64?${Buffer.from(s, "utf8").toString("base64")}?=`;

interface Answer {
  status: number;
  body: { result?: { content?: Array<{ text?: string }> }; error?: { code: number; message: string } };
}

/** One raw 2026-07-28 POST: `tools/list`, or a `tools/call` with these `Mcp-Param-*` headers. */
async function post(
  url: string,
  token: string,
  method: "tools/list" | "tools/call",
  call: { name: string; args: Record<string, unknown>; params: Record<string, string> } | undefined,
): Promise<Answer> {
  return call
    ? rawModernPost(
        url,
        token,
        method,
        { name: call.name, arguments: call.args },
        {
          "mcp-name": call.name,
          ...call.params,
        },
      )
    : rawModernPost(url, token, method);
}

const region = (args: Record<string, unknown>, params: Record<string, string> = {}) => ({
  name: "region",
  args,
  params,
});
const textOf = (a: Answer) => (a.body.result?.content ?? []).map((c) => c.text ?? "").join("");

describe.each(["v1", "v2"] as const)("a shared %s server's tool with x-mcp-header arguments", (flavour) => {
  test("headers that agree are answered; disagreeing, missing or badly encoded ones get 400 -32020", async () => {
    const fixtures = await eraFixtures();
    const g = await gatewayBridge({ servers: { s: scriptServer(fixtures[flavour].script, "machine") } });
    const url = g.shareUrl("s");
    const send = (args: Record<string, unknown>, params?: Record<string, string>) =>
      post(url, g.token, "tools/call", region(args, params));

    // The first call of all, before any list: the gateway reads the server's list to check it.
    const refused = await send({ region: "us-west1" }, { "Mcp-Param-Region": "eu-west1" });
    expect(refused.status).toBe(400);
    expect(refused.body.error?.code).toBe(-32020);
    expect(refused.body.error?.message).toMatch(
      /Mcp-Param-Region header decodes to "eu-west1" but the body carries region="us-west1"/,
    );

    const listed = await post(url, g.token, "tools/list", undefined);
    expect(JSON.stringify(listed.body)).toContain('"x-mcp-header":"Region"');

    const ok = await send({ region: "us-west1" }, { "Mcp-Param-Region": "us-west1" });
    expect([ok.status, textOf(ok)]).toEqual([200, `${flavour}:region=us-west1 level=<none>`]);
    // Non-ASCII goes in Base64: decoded, it agrees.
    const zurich = await send(
      { region: "Zürich", level: 3 },
      { "Mcp-Param-Region": b64("Zürich"), "Mcp-Param-Level": "3" },
    );
    expect([zurich.status, textOf(zurich)]).toEqual([200, `${flavour}:region=Zürich level=3`]);
    // An integer is compared as a number.
    const level = await send({ level: 42 }, { "Mcp-Param-Level": "42.0" });
    expect([level.status, textOf(level)]).toEqual([200, `${flavour}:region=<none> level=42`]);
    // No value in the body, no header expected (the fast lane's way, when the server speaks 2025-11-25).
    const none = await send({}, {});
    expect([none.status, textOf(none)]).toEqual([200, `${flavour}:region=<none> level=<none>`]);
    // Header names are case-insensitive.
    const lower = await send({ region: "x" }, { "mcp-param-region": "x" });
    expect(lower.status).toBe(200);

    const cases: Array<[string, Record<string, unknown>, Record<string, string>, RegExp]> = [
      ["mismatch", { region: "us-west1" }, { "Mcp-Param-Region": "us-east1" }, /decodes to "us-east1"/],
      ["missing (the fast lane's way)", { region: "us-west1" }, {}, /Mcp-Param-Region header is absent/],
      [
        "one of two missing",
        { region: "a", level: 1 },
        { "Mcp-Param-Region": "a" },
        /Mcp-Param-Level header is absent/,
      ],
      [
        "Base64 without its padding",
        { region: "Hello" },
        { "Mcp-Param-Region": "=?base64?SGVsbG8?=" },
        /invalid Base64 sentinel value/,
      ],
      [
        "not Base64",
        { region: "Hello" },
        { "Mcp-Param-Region": "=?base64?SGVs!!!bG8=?=" },
        /invalid Base64 sentinel value/,
      ],
      [
        "Base64 of another value",
        { region: "Zürich" },
        { "Mcp-Param-Region": b64("Zurich") },
        /decodes to "Zurich"/,
      ],
      ["another number", { level: 42 }, { "Mcp-Param-Level": "41" }, /decodes to "41"/],
    ];
    for (const [what, args, params, why] of cases) {
      const a = await send(args, params);
      expect([a.status, a.body.error?.code], what).toEqual([400, -32020]);
      expect(a.body.error?.message, what).toMatch(why);
    }
    // A value without the sentinel's both ends is taken as it is.
    const literal = await send({ region: "=?base64?SGVsbG8=" }, { "Mcp-Param-Region": "=?base64?SGVsbG8=" });
    expect(literal.status).toBe(200);
    // A tool without declarations: a header it does not know is passed over.
    const echo = await post(url, g.token, "tools/call", {
      name: "echo",
      args: { text: "hi" },
      params: { "Mcp-Param-Region": "anything" },
    });
    expect([echo.status, textOf(echo)]).toEqual([200, `${flavour}:hi`]);

    // Clients: the SDK's own 2026-07-28 client mirrors the headers; a 2025-11-25 session sends none.
    const modern = await v2Client(url, g.token, { pin: "2026-07-28" });
    expect(await callText(modern, "region", { region: "Zürich", level: 7 })).toBe(
      `${flavour}:region=Zürich level=7`,
    );
    const legacy = await v2Client(url, g.token, "legacy");
    expect(await callText(legacy, "region", { region: "us-west1" })).toBe(
      `${flavour}:region=us-west1 level=<none>`,
    );
  }, 60_000);
});

test("the refusal is the one the SDK gives for its own servers: same status, code, message and data", async () => {
  const { v1 } = await eraFixtures();
  const g = await gatewayBridge({ servers: { s: scriptServer(v1.script, "machine") } });
  const sdk = await startModernServer();
  try {
    const cases: Array<[Record<string, unknown>, Record<string, string>]> = [
      [{ region: "us-west1" }, { "Mcp-Param-Region": "eu-west1" }],
      [{ region: "us-west1" }, {}],
      [{ region: "Hello" }, { "Mcp-Param-Region": "=?base64?SGVsbG8?=" }],
    ];
    for (const [args, params] of cases) {
      const send = (url: string) => post(url, g.token, "tools/call", region(args, params));
      const [ours, theirs] = await Promise.all([send(g.shareUrl("s")), send(sdk.url)]);
      expect({ status: ours.status, error: ours.body.error }, JSON.stringify(params)).toEqual({
        status: theirs.status,
        error: theirs.body.error,
      });
      expect(ours.status).toBe(400);
    }
  } finally {
    await sdk.close();
  }
}, 60_000);
